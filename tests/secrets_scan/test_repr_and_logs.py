"""No secret in a repr, a str, a model dump meant for display, or a log line: every object that
holds one masks it, and with every logger at DEBUG (httpx and httpcore included) a full round of
real requests logs none of them. The redaction filter is the second line of defence and is tested
on its own, with a control that the secrets really were in the records it masked."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from secrets import token_hex

import pytest
from pydantic import SecretStr

from app.core.bw_serve import BwServeClient, BwServeError
from app.core.endpoints import parse_scim_url
from app.core.keys import check_client_secret, check_scim_key
from app.core.memory_keyring import MemoryKeyring
from app.core.okta.client import OktaClient
from app.core.okta.verify import pick_app, verify
from app.core.okta_check import check_credentials
from app.core.profiles import ProfileStore
from app.core.public_api import PublicApiClient
from app.core.redaction import RedactingFilter, install_log_redaction
from app.core.scim_client import ScimClient
from app.core.secrets import ProfileSecrets, SecretStore
from app.sandbox.server import Sandbox


def _secrets_of(box: Sandbox) -> dict[str, str]:
    info = box.info
    return {
        "scim_key": info["scim_key"],
        "client_secret": info["client_secret"],
        "master_password": info["bw_password"],
        "okta_token": info["okta_token"],
    }


def _assert_clean(text: str, secrets: dict[str, str]) -> None:
    for name, value in secrets.items():
        assert value not in text, f"{name} leaked"


def test_objects_holding_secrets_mask_them(sandbox: Sandbox) -> None:
    secrets = _secrets_of(sandbox)
    info = sandbox.info
    endpoints = parse_scim_url(info["scim_url"]).endpoints
    assert endpoints is not None
    stored = ProfileSecrets(
        scim_url=info["scim_url"],
        scim_key=SecretStr(info["scim_key"]),
        client_id=info["client_id"],
        client_secret=SecretStr(info["client_secret"]),
        okta_url=info["okta_url"],
        okta_token=SecretStr(info["okta_token"]),
    )
    store = SecretStore(MemoryKeyring())
    store.save("p", stored)
    objects: list[object] = [
        stored,
        store.load("p"),
        store,
        ProfileStore(secrets=store),
        check_scim_key(info["scim_key"]),
        check_scim_key(f"Bearer {info['scim_key']} "),
        check_client_secret(info["client_secret"]),
        PublicApiClient(endpoints, info["client_id"], SecretStr(info["client_secret"])),
        ScimClient(info["scim_url"], SecretStr(info["scim_key"])),
        BwServeClient(info["bw_serve_url"]),
        OktaClient(info["okta_url"], SecretStr(info["okta_token"])),
        check_credentials(info["scim_url"], info["scim_key"], timeout=10),
        check_credentials(info["scim_url"], "x" * 30, timeout=10),
    ]
    for obj in objects:
        texts = [repr(obj), str(obj), format(obj)]
        dump = getattr(obj, "model_dump_json", None)
        if callable(dump):
            texts.append(dump())
        _assert_clean(" ".join(texts), secrets)
        close = getattr(obj, "close", None)
        if callable(close):
            close()


@pytest.fixture
def every_log_record() -> Iterator[list[str]]:
    """Capture every record of every logger at DEBUG, formatted with its traceback."""
    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    handler = Collect(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield lines
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


def test_debug_logs_of_real_requests_hold_no_secret(
    sandbox: Sandbox, every_log_record: list[str]
) -> None:
    secrets = _secrets_of(sandbox)
    info = sandbox.info
    endpoints = parse_scim_url(info["scim_url"]).endpoints
    assert endpoints is not None
    assert check_credentials(info["scim_url"], info["scim_key"], check_groups=True).ok
    with PublicApiClient(endpoints, info["client_id"], SecretStr(info["client_secret"])) as api:
        assert api.list_members()
    with ScimClient(info["scim_url"], SecretStr(info["scim_key"])) as scim:
        assert scim.list_users()
    with BwServeClient(info["bw_serve_url"]) as bw:
        bw.unlock(SecretStr(info["bw_password"]))
        bw.lock()
    with OktaClient(info["okta_url"], SecretStr(info["okta_token"])) as okta:
        assert verify(okta, pick_app(okta).id).steps
    assert len(every_log_record) > 5, "httpx/httpcore debug logging was not captured"
    _assert_clean("\n".join(every_log_record), secrets)


@pytest.mark.parametrize("require_dpop", [False, True], ids=["bearer", "dpop"])
def test_a_service_app_s_key_and_access_token_are_in_no_log_or_repr(
    sandbox: Sandbox, every_log_record: list[str], require_dpop: bool
) -> None:
    """Issue 15's OAuth alternative: the private key (as given and compact), the client assertion
    and the access token Okta returns stay out of every debug record and every repr; with DPoP,
    the proof key's private half too."""
    from app.core.okta.service_app import normalized

    info = sandbox.info
    assert sandbox.okta is not None
    assert sandbox.okta.api is not None
    sandbox.okta.api.oauth.app.require_dpop = require_dpop
    app = normalized(info["okta_client_id"], SecretStr(info["okta_private_key_pem"]))
    with OktaClient(info["okta_url"], app) as okta:
        assert verify(okta, pick_app(okta).id).steps
        assert okta.access_tokens is not None
        current, scheme = okta.access_tokens.current()
        shown = repr(okta) + repr(app) + repr(okta.access_tokens) + repr(okta.dpop)
        assert (okta.dpop is not None) == require_dpop
        dpop_d = okta.dpop._key.private_numbers().private_value if okta.dpop else None
    assert scheme == ("DPoP" if require_dpop else "Bearer")
    pem_body = "".join(info["okta_private_key_pem"].splitlines()[1:-1])
    secrets = {
        "private key PEM": pem_body[:64],
        "private key compact": app.private_key.get_secret_value(),
        "access token": current.get_secret_value(),
    }
    if dpop_d is not None:
        raw = dpop_d.to_bytes(32, "big")
        secrets["DPoP key (base64url)"] = base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
        secrets["DPoP key (hex)"] = raw.hex()
        secrets["DPoP key (decimal)"] = str(dpop_d)
    assert len(every_log_record) > 5, "httpx/httpcore debug logging was not captured"
    _assert_clean("\n".join(every_log_record) + shown, secrets)


def test_the_redaction_filter_masks_what_would_leak(caplog: pytest.LogCaptureFixture) -> None:
    secret = "Zq8wR3tY6uI9oP2aS5dF7gH1jK4lX0"
    redactor = RedactingFilter([SecretStr(secret)])
    logger = logging.getLogger("scan.redaction")
    logger.addFilter(redactor)
    try:
        with caplog.at_level(logging.DEBUG, logger="scan.redaction"):
            logger.info("key=%s", secret)
            logger.info(f"inline {secret}")
            try:
                raise ValueError(f"bad key {secret}")
            except ValueError:
                logger.exception("failed")
    finally:
        logger.removeFilter(redactor)
    assert len(caplog.records) == 3
    text = caplog.text
    assert secret not in text
    assert text.count("***") >= 3  # the control: each record held the secret and was masked


def test_process_wide_redaction_covers_loggers_made_later(
    caplog: pytest.LogCaptureFixture,
) -> None:
    secret = "Pz9xW2eC4vB6nM8qA1sD3fG5hJ7kL0"
    install_log_redaction(SecretStr(secret))
    late = logging.getLogger("scan.made.after.install")
    with caplog.at_level(logging.DEBUG):
        late.warning("token %s in a message", secret)
        late.debug("dict %r", {"client_secret": secret})
    assert secret not in caplog.text
    assert "***" in caplog.text


def _logged_through_unrelated_logger(caplog: pytest.LogCaptureFixture, secret: str) -> str:
    """What an unrelated logger writes when a message quotes `secret` (as a careless handler or
    a library's debug line could)."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("scan.unrelated").warning("value was %s", secret)
    return caplog.text


def test_every_way_a_secret_enters_the_process_masks_it_in_logs(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    """The GUI installs no redaction of its own: the core registers each secret as it arrives
    (a check, a Public API client, a profile loaded from the keyring, a bw serve unlock).

    Fresh random values, so no earlier test has registered them already.
    """
    scim_key, client_secret, loaded_key, password, okta_token, stray = (
        token_hex(15) for _ in range(6)
    )
    assert stray in _logged_through_unrelated_logger(caplog, stray)  # control: not masked

    check_credentials(sandbox.info["scim_url"], SecretStr(f"Bearer {scim_key}"), timeout=5)
    assert scim_key not in _logged_through_unrelated_logger(caplog, scim_key)

    endpoints = parse_scim_url(sandbox.info["scim_url"]).endpoints
    assert endpoints is not None
    PublicApiClient(endpoints, "organization.x", SecretStr(client_secret)).close()
    assert client_secret not in _logged_through_unrelated_logger(caplog, client_secret)

    OktaClient(sandbox.info["okta_url"], SecretStr(okta_token)).close()
    assert okta_token not in _logged_through_unrelated_logger(caplog, okta_token)

    stored = MemoryKeyring()  # an item saved by an earlier run, so the process first sees the
    stored.set_password(  # key when the store loads it
        "scim-assistant",
        "profile/q",
        json.dumps({"v": 1, "scim_url": "https://example.test/v2/x", "scim_key": loaded_key}),
    )
    assert SecretStore(stored).load("q") is not None
    assert loaded_key not in _logged_through_unrelated_logger(caplog, loaded_key)

    with BwServeClient(sandbox.info["bw_serve_url"]) as bw, pytest.raises(BwServeError):
        bw.unlock(SecretStr(password))  # a wrong password: only the masking matters here
    assert password not in _logged_through_unrelated_logger(caplog, password)
