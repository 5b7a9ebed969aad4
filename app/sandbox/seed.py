"""Realistic seeding: `--members N --seed S` gives N members in a mix of every status.

Names and e-mails look like a company's directory; most members came from Okta (an `externalId`),
some were invited by hand. Every status appears (some members accepted and wait for confirmation,
which is what the program helps with). The same seed gives the same organization (ids included);
secrets and RSA keys are always fresh.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from itertools import accumulate

from app.sandbox.state import (
    PERMISSION_KEYS,
    Account,
    Collection,
    CollectionAccess,
    Group,
    Member,
    MemberStatus,
    MemberType,
    SandboxState,
    new_master_password,
    new_state,
    utcnow,
)

FIRST_NAMES = [
    "Aisha",
    "Alejandro",
    "Amara",
    "Anders",
    "Ana",
    "Arjun",
    "Astrid",
    "Bea",
    "Bilal",
    "Camille",
    "Carlos",
    "Chen",
    "Chiara",
    "Dario",
    "Dmitri",
    "Elena",
    "Emeka",
    "Emma",
    "Farah",
    "Felix",
    "Fatima",
    "Gabriel",
    "Grace",
    "Hana",
    "Hugo",
    "Ines",
    "Isaac",
    "Ivan",
    "Jade",
    "Jamal",
    "Javier",
    "Jonas",
    "Julia",
    "Kai",
    "Kenji",
    "Lara",
    "Leila",
    "Liam",
    "Lucia",
    "Malik",
    "Maria",
    "Mateo",
    "Maya",
    "Mei",
    "Mohammed",
    "Nadia",
    "Nikolai",
    "Noah",
    "Olivia",
    "Omar",
    "Paula",
    "Priya",
    "Rafael",
    "Rosa",
    "Sakura",
    "Samuel",
    "Sara",
    "Sofia",
    "Tariq",
    "Theo",
    "Uma",
    "Valentina",
    "Victor",
    "Wei",
    "Yara",
    "Yusuf",
    "Zoe",
]
LAST_NAMES = [
    "Abara",
    "Adeyemi",
    "Almeida",
    "Andersen",
    "Bauer",
    "Becker",
    "Bianchi",
    "Brown",
    "Castillo",
    "Chen",
    "Costa",
    "Dubois",
    "Eriksson",
    "Fernandes",
    "Fischer",
    "Garcia",
    "Gonzalez",
    "Haddad",
    "Hansen",
    "Hoffmann",
    "Ivanova",
    "Jensen",
    "Kaur",
    "Khan",
    "Kim",
    "Kowalski",
    "Larsen",
    "Lee",
    "Lopez",
    "Martin",
    "Meyer",
    "Moreau",
    "Muller",
    "Nakamura",
    "Novak",
    "Nguyen",
    "Okafor",
    "Olsen",
    "Patel",
    "Petrov",
    "Rossi",
    "Santos",
    "Schmidt",
    "Silva",
    "Singh",
    "Smith",
    "Sorensen",
    "Suzuki",
    "Tanaka",
    "Thompson",
    "Torres",
    "Virtanen",
    "Wagner",
    "Walker",
    "Wang",
    "Weber",
    "Williams",
    "Wong",
    "Yamamoto",
    "Zhang",
]
GROUP_NAMES = (
    "Engineering",
    "Sales",
    "Support",
    "Finance",
    "Marketing",
    "IT Admins",
    "Legal",
    "People",
)
#: The names of the seeded collections members and groups are given access to.
COLLECTION_NAMES = ("Engineering Secrets", "Finance Shared", "Marketing Tools", "Infrastructure")
DOMAIN = "sandbox.example"

#: The status of a seeded member (after the admin), by weight; the first few cover every status.
_STATUS_WEIGHTS = (
    (MemberStatus.CONFIRMED, 55),
    (MemberStatus.INVITED, 16),
    (MemberStatus.ACCEPTED, 14),
    (MemberStatus.REVOKED, 11),
    (MemberStatus.STAGED, 4),
)
_FIRST_STATUSES = (
    MemberStatus.ACCEPTED,
    MemberStatus.INVITED,
    MemberStatus.CONFIRMED,
    MemberStatus.REVOKED,
    MemberStatus.STAGED,
    MemberStatus.ACCEPTED,
)
_TYPE_WEIGHTS = (
    (MemberType.USER, 88),
    (MemberType.ADMIN, 6),
    (MemberType.CUSTOM, 4),
    (MemberType.OWNER, 2),
)


def seed_state(
    members: int = 25, seed: int | None = None, organization_name: str = "Sandbox Organization"
) -> SandboxState:
    """An organization of `members` members in total (the admin owner included; at least 1)."""
    rng = random.Random(seed)

    def make_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    state = new_state(organization_name, make_id=make_id)
    now = utcnow()
    used_emails: dict[str, int] = {}  # the admin is admin@…, never first.last@…
    collection_ids = [make_id() for _ in range(4)]
    for collection_id, name in zip(collection_ids, COLLECTION_NAMES, strict=True):
        state.collections[collection_id] = Collection(id=collection_id, name=name)
    statuses = [s for s, _ in _STATUS_WEIGHTS]
    status_weights = list(accumulate(w for _, w in _STATUS_WEIGHTS))
    types = [t for t, _ in _TYPE_WEIGHTS]
    type_weights = list(accumulate(w for _, w in _TYPE_WEIGHTS))
    with state.lock:
        for index in range(max(members, 1) - 1):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            email = _unique_email(f"{first}.{last}".lower(), used_emails)
            if index < len(_FIRST_STATUSES):
                status = _FIRST_STATUSES[index]
            else:
                status = rng.choices(statuses, cum_weights=status_weights)[0]
            member_type = rng.choices(types, cum_weights=type_weights)[0]
            if member_type == MemberType.OWNER and status != MemberStatus.CONFIRMED:
                member_type = MemberType.ADMIN
            from_okta = rng.random() < 0.8
            invited_at = now - timedelta(days=rng.uniform(0.1, 120))
            member = Member(
                id=make_id(),
                email=email,
                type=member_type,
                status=status,
                external_id=_okta_id(rng) if from_okta else None,
                invitee_name=f"{first} {last}",
                invited_at=invited_at,
                revision=invited_at,
            )
            if member_type == MemberType.CUSTOM:
                member.permissions = {p: rng.random() < 0.3 for p in PERMISSION_KEYS}
            if rng.random() < 0.5:
                member.collections = [
                    CollectionAccess(cid, read_only=rng.random() < 0.3, manage=rng.random() < 0.1)
                    for cid in rng.sample(collection_ids, rng.randint(1, 2))
                ]
            had_account = status in (MemberStatus.ACCEPTED, MemberStatus.CONFIRMED)
            if status == MemberStatus.REVOKED:
                member.prior_status = rng.choice(
                    (MemberStatus.INVITED, MemberStatus.ACCEPTED, MemberStatus.CONFIRMED)
                )
                had_account = member.prior_status != MemberStatus.INVITED
            if had_account:
                account = Account(
                    id=make_id(),
                    email=email,
                    name=f"{first} {last}",
                    two_factor_enabled=rng.random() < 0.6,
                    master_password=new_master_password(),
                )
                state.accounts[account.id] = account
                member.user_id = account.id
                member.accepted_at = invited_at + timedelta(hours=rng.uniform(0.2, 72))
                member.reset_password_enrolled = rng.random() < 0.3
            state.members[member.id] = member
        member_ids = list(state.members)
        for name in GROUP_NAMES[: max(2, min(len(GROUP_NAMES), len(member_ids) // 4))]:
            created = now - timedelta(days=rng.uniform(30, 400))
            size = min(len(member_ids), rng.randint(1, max(1, len(member_ids) // 5)))
            group = Group(
                id=make_id(),
                name=name,
                external_id=_okta_id(rng).replace("00u", "00g", 1),
                member_ids=rng.sample(member_ids, size),
                collections=[CollectionAccess(rng.choice(collection_ids))],
                created=created,
                revised=created + timedelta(days=rng.uniform(0, 20)),
            )
            state.groups[group.id] = group
        state.touch()
    return state


def _unique_email(local: str, used: dict[str, int]) -> str:
    """`first.last@…`, then `first.last2@…` and so on (a counter per name keeps it linear)."""
    count = used.get(local, 0) + 1
    used[local] = count
    return f"{local}@{DOMAIN}" if count == 1 else f"{local}{count}@{DOMAIN}"


_OKTA_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def _okta_id(rng: random.Random) -> str:
    """An Okta user id (`00u` + 17 characters), what Okta sends as `externalId`."""
    return "00u" + "".join(_OKTA_ALPHABET[byte % 62] for byte in rng.randbytes(17))
