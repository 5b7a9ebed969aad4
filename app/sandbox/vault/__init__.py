"""Bitwarden's client API, as the server serves it to its own apps (the official `bw` CLI too).

Prelogin, the identity password grant, profile and sync, organization users, users' public keys and
the confirm endpoints, with real account cryptography (`crypto`), so the real CLI can log in, unlock
and confirm a member against the sandbox.
"""
