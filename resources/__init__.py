"""Resource files (icons, word list, desktop entry), importable as app.resources."""
