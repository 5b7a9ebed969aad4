"""Qt-free core: what the program knows and does (endpoints, secrets, checks, API clients)."""
