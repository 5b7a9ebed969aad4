"""The two remaining readers of outside answers under faults: the self-hosted server's anonymous
`/scim/alive` probe (an `AliveResult`, never an exception) and the `bw serve` client (a
`BwServeError` with a plain sentence), each within the bound."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from app.core.bw_serve import BwServeClient, BwServeError
from app.core.okta_check import check_credentials, check_scim_alive
from app.core.public_api import PublicApiError
from app.core.scim_client import PAGE_BODY_LIMIT, ScimClient, ScimError
from tests.faults.support import BROKEN_ANSWERS, ORG, SCIM_KEY, public_api_client
from tests.fixtures.hostile_server import Behaviour, HostileServer, behaviours

FAULTS: dict[str, Behaviour] = {
    **BROKEN_ANSWERS,
    "server_error": behaviours.server_error(500),
    "redirect": behaviours.redirect("https://login.example.com/"),
    "hang": behaviours.hang(),
    "trickle": behaviours.trickle(interval=0.1, total=100_000),
}


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_scim_alive_under_fault(fault: str, hostile_server: HostileServer) -> None:
    hostile_server.serve(FAULTS[fault])
    result = check_scim_alive(hostile_server.url, timeout=1.0)
    assert not result.ok
    assert result.message.strip()
    assert "Traceback" not in result.message


@pytest.mark.timeout(30)
@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_bw_serve_under_fault(fault: str, hostile_server: HostileServer) -> None:
    hostile_server.serve(FAULTS[fault])
    password = "correct-horse-battery-staple-9"
    with BwServeClient(f"{hostile_server.url}/bw", timeout=0.3) as client:
        with pytest.raises(BwServeError) as unlocking:
            client.unlock(SecretStr(password))
        with pytest.raises(BwServeError) as listing:
            client.list_org_members(ORG)
    for caught in (unlocking, listing):
        assert str(caught.value).strip()
        assert password not in str(caught.value)


@pytest.mark.timeout(30)
def test_scim_alive_shows_no_control_characters(hostile_server: HostileServer) -> None:
    hostile_server.serve(
        behaviours.json("2026-01-01\x1b]0;pwned\x07\u202e", 200, "application/json")
    )
    result = check_scim_alive(hostile_server.url, timeout=1.0)
    assert result.message.isprintable(), repr(result.message)
    assert result.server_time is None or result.server_time.isprintable()


@pytest.mark.timeout(30)
@pytest.mark.parametrize("client", ["bw_serve", "alive", "check", "scim", "public_api_token"])
def test_a_gzip_bomb_is_never_inflated_past_the_budget(
    client: str, hostile_server: HostileServer
) -> None:
    # 200 MB of zeros in 200 KB: an answer's budget (1 MB for most, 64 KB for /scim/alive, a
    # SCIM page's) bounds the memory it takes. (httpx's own decoder inflates each network chunk
    # whole: ~64 MB at once.)
    import tracemalloc

    hostile_server.serve(behaviours.gzip_bomb())
    tracemalloc.start()
    try:
        if client == "bw_serve":
            with (
                BwServeClient(f"{hostile_server.url}/bw", timeout=5) as bw,
                pytest.raises(BwServeError),
            ):
                bw.unlock(SecretStr("pw-pw-pw-pw"))
        elif client == "alive":
            assert not check_scim_alive(hostile_server.url, timeout=5).ok
        elif client == "check":
            assert not check_credentials(f"{hostile_server.url}/scim/v2/{ORG}", SCIM_KEY).ok
        elif client == "scim":
            url = f"{hostile_server.url}/scim/v2/{ORG}"
            with ScimClient(url, SecretStr(SCIM_KEY)) as scim, pytest.raises(ScimError):
                scim.list_users()
        else:
            with public_api_client(hostile_server) as api, pytest.raises(PublicApiError):
                api.verify()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The budget and a copy or two of it, far below the bomb's 200 MB.
    budget = PAGE_BODY_LIMIT if client == "scim" else 1024 * 1024
    assert peak < 3 * budget + 8 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
