"""`scim-assistant sandbox`: one JSON line with the contract's keys, serves, exits 0 on SIGTERM."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys

import httpx

CONTRACT_KEYS = {
    "organization_id",
    "scim_url",
    "scim_key",
    "api_url",
    "identity_url",
    "client_id",
    "client_secret",
    "bw_serve_url",
    "bw_password",
    "admin_email",
    "control_url",
    "okta_url",
    "okta_token",
    "okta_app_id",
}


def test_sandbox_command_prints_the_contract_line_and_serves() -> None:
    """interfaces.md "Sandbox server": exactly one JSON line, then serves until SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "--port", "0", "--members", "8", "--seed", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        info = json.loads(line)
        assert set(info) >= CONTRACT_KEYS  # the contract may be extended, never renamed
        org = info["organization_id"]
        assert info["scim_url"].endswith(f"/scim/v2/{org}")
        assert info["client_id"] == f"organization.{org}"
        assert len(info["scim_key"]) == 30
        assert info["scim_key"].isalnum()
        response = httpx.get(
            info["scim_url"] + "/Users", headers={"Authorization": f"Bearer {info['scim_key']}"}
        )
        assert response.json()["totalResults"] == 8
    finally:
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert out == ""  # nothing after the one line


def test_sandbox_command_reports_a_busy_port_plainly() -> None:
    """A port already in use is a plain one-line error and exit 1, not a traceback."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "app", "sandbox", "--port", str(port), "--members", "2"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "cannot listen" in result.stderr
    assert "Traceback" not in result.stderr
