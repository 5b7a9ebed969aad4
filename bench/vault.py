"""The native client's figures: `confirm_100_members_seconds`, `unlock_pbkdf2_ratio`,
`unlock_argon2id_ratio`.

Confirm: a sandbox in its own process; the admin logs in and unlocks (untimed), 100 invited
members accept through the control endpoint, their keys and phrases are fetched (the fingerprint
step, reported beside); the figure is `VaultSession.confirm` for the 100, from "Confirm" to all
outcomes: the key re-read that catches a swap, 100 RSA-OAEP encryptions and one bulk request.

Unlock: `unlock()` (master key, stretch, user key, private key) against the bare KDF call with the
same parameters, on an account made here with the server's defaults (PBKDF2 600,000; Argon2id
6 iterations, 32 MiB, 4 lanes); 9 interleaved pairs, the median of the pair ratios.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from app.core.vault import crypto
from app.core.vault.crypto import KdfParams, KdfType
from app.core.vault.keys import SymmetricKey
from app.core.vault.session import VaultSession
from app.core.vault.unlock import UnlockMaterial, unlock
from bench.figures import Figure, median
from bench.procs import SandboxProcess

CONFIRM_TARGET = 1.0
UNLOCK_TARGET = 1.1
MEMBERS = 100
PAIRS = 9
INVITED, ACCEPTED = 0, 1


def figures() -> Iterator[Figure]:
    yield from confirm_figures()
    yield from unlock_figures()


def confirm_figures() -> Iterator[Figure]:
    box = SandboxProcess(members=400, seed=3)
    try:
        info = box.info
        org = info["organization_id"]
        password = SecretStr(info["bw_password"])
        with VaultSession(
            info["identity_url"], info["api_url"], device_identifier=str(uuid.uuid4())
        ) as session:
            session.login_with_password(info["admin_email"], password)
            session.unlock(password)
            session.organization_key(org)
            rows = session.member_rows(org)
            invited = [r for r in rows if r["status"] == INVITED]
            with httpx.Client(base_url=info["control_url"]) as control:
                for row in invited[:MEMBERS]:
                    control.post(f"/members/{row['id']}/accept").raise_for_status()
            accepted = [r for r in session.member_rows(org) if r["status"] == ACCEPTED]
            chosen = accepted[:MEMBERS]
            if len(chosen) < MEMBERS:
                raise RuntimeError(f"only {len(chosen)} accepted members to confirm")
            started = time.perf_counter()
            keys = session.member_keys(org, chosen)
            fetched = time.perf_counter() - started
            started = time.perf_counter()
            outcomes = session.confirm(org, list(keys.values()))
            confirmed = time.perf_counter() - started
        if [o.result for o in outcomes] != ["confirmed"] * MEMBERS:
            raise RuntimeError("not every member was confirmed")
    finally:
        box.stop()
    yield Figure("confirm_100_members_seconds", confirmed, "s", CONFIRM_TARGET)
    yield Figure("confirm_100_members_keys_and_phrases_seconds", fetched, "s")


def account(kdf: KdfParams, password: str, email: str) -> UnlockMaterial:
    """A v1 account as the server stores it: user key under the stretched master key, PKCS#8
    private key under the user key."""
    master = crypto.derive_master_key(password, email, kdf)
    user_key = SymmetricKey(bytes(range(64)))
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    der = private.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return UnlockMaterial(
        kdf,
        email,
        crypto.encrypt_symmetric(user_key.material, crypto.stretch(master)),
        crypto.encrypt_symmetric(der, user_key),
        None,
    )


def unlock_ratio(kdf: KdfParams) -> tuple[float, float, float]:
    password, email = "correct horse battery staple", "admin@example.com"
    material = account(kdf, password, email)
    ratios, bare_times, unlock_times = [], [], []
    for turn in range(PAIRS):

        def bare() -> float:
            started = time.perf_counter()
            crypto.derive_master_key(password, email, kdf)
            return time.perf_counter() - started

        def full() -> float:
            started = time.perf_counter()
            unlock(password, material).wipe()
            return time.perf_counter() - started

        if turn % 2:
            u, b = full(), bare()
        else:
            b, u = bare(), full()
        ratios.append(u / b)
        bare_times.append(b)
        unlock_times.append(u)
    return median(ratios), median(unlock_times), median(bare_times)


def unlock_figures() -> Iterator[Figure]:
    for name, kdf in (
        ("pbkdf2", KdfParams(KdfType.PBKDF2_SHA256, 600_000)),
        ("argon2id", KdfParams(KdfType.ARGON2ID, 6, memory_mib=32, parallelism=4)),
    ):
        ratio, full, bare = unlock_ratio(kdf)
        yield Figure(f"unlock_{name}_ratio", ratio, "ratio", UNLOCK_TARGET)
        yield Figure(f"unlock_{name}_seconds", full, "s")
        yield Figure(f"unlock_{name}_bare_kdf_seconds", bare, "s")
