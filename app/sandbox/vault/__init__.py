"""Bitwarden's client API, as the server serves it to its own apps (the official `bw` CLI too).

Prelogin, the identity password grant, profile and sync, organization users, users' public keys and
the confirm endpoints, with real account cryptography (`crypto`), so the real CLI can log in, unlock
and confirm a member against the sandbox.
"""

from __future__ import annotations

from app.sandbox.router import Mount, Router
from app.sandbox.state import SandboxState
from app.sandbox.vault import collections, control, crypto, identity, members, sync
from app.sandbox.vault.accounts import VaultAccounts
from app.sandbox.vault.tls import TlsFront

__all__ = ["TlsFront", "VaultAccounts", "register"]


def register(
    router: Router,
    state: SandboxState,
    kdf_iterations: int = crypto.DEFAULT_KDF_ITERATIONS,
    admin_kdf: crypto.Kdf | None = None,
) -> VaultAccounts:
    """Add the client API under `/api` and `/identity` (mounted by the modules that own them),
    and the vault's control endpoints under `/_sandbox` (mounted by `app.sandbox.control`).

    `kdf_iterations` is the PBKDF2 count of every account with a master password: the server's
    default, 600,000, unless a test asks for fewer (clients accept down to 5,000 at prelogin).
    `admin_kdf` gives the admin another KDF (Argon2id).
    """
    router.mount(Mount("/api"))
    router.mount(Mount("/identity"))
    vault = VaultAccounts(state, kdf_iterations)
    if admin_kdf is not None:
        vault.set_kdf(state.admin, admin_kdf)
    identity.register(router, vault)
    sync.register(router, vault)
    members.register(router, vault)
    collections.register(router, vault)
    control.register(router, vault)
    return vault
