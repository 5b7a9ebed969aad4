"""The confirm flow never talks to a `bw serve` it did not start (issue 12, finding 1).

Loopback TCP ports are not per user: whoever listens on `bw serve`'s default port 8087 would
receive `POST /unlock {"password": …}` and could answer with invented fingerprint phrases. Here the
test itself squats on 127.0.0.1:8087 with a server that answers exactly as a logged-in, unlocked
`bw serve` for the US cloud would, and must receive not one connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.core.bw_serve import BwServeError
from app.core.history import History
from app.core.profiles import ProfileStore
from app.core.public_api import Member
from app.core.secrets import SecretStore
from app.gui.context import AppContext, Stores
from app.gui.members.confirm_flow import open_bw_serve, read_fingerprints
from tests.fixtures.hostile_server import HostileServer


@pytest.fixture
def admin_ctx(tmp_path: Path) -> Iterator[AppContext]:
    secrets = SecretStore()
    history = History(path=tmp_path / "history.sqlite3")
    profiles = ProfileStore(config_dir=tmp_path, secrets=secrets, history=history)
    ctx = AppContext(Stores(secrets, profiles, history))
    try:
        yield ctx
    finally:
        ctx.close()


def test_a_bw_serve_listening_on_8087_receives_nothing(
    squatter: HostileServer,
    admin_ctx: AppContext,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # No Bitwarden CLI to start: the only `bw serve` in reach is the stranger's.
    monkeypatch.setenv("SCIM_ASSISTANT_BW", str(tmp_path / "no-bw-here"))
    member = Member.model_validate(
        {"id": "m1", "userId": "u1", "email": "a@example.com", "status": 1, "type": 2}
    )
    with pytest.raises(BwServeError, match="not installed"):
        read_fingerprints(admin_ctx, [member], SecretStr("the master password"))
    with pytest.raises(BwServeError, match="not installed"):
        open_bw_serve(admin_ctx)
    assert squatter.connections == 0
    assert squatter.requests == []
