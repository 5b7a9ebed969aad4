"""The standalone build stores and reads secrets through a real Secret Service (Linux, CI step).

    python packaging/check_frozen_keyring.py dist/scim-assistant

Starts a throwaway GNOME Keyring on a private D-Bus (the tests' helper), a frozen sandbox, then
drives the frozen program as an admin would: `profile save` puts the SCIM key into the keyring,
`check --profile` reads it back and makes Okta's credential test against the sandbox. Proves that
keyring's backends and their entry points made it into the bundle and work there, which
check_bundle.py can only infer from the file list.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILE = "frozen-check"


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own build
        command, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def check(program: str, root: Path) -> str | None:
    """Drive the frozen program against a private keyring under `root`; the problem, or None."""
    from keyring.backends.SecretService import Keyring

    from tests.fixtures.secret_service import private_secret_service

    with private_secret_service(root) as service:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(root / "home"),
            "XDG_CONFIG_HOME": str(root / "home" / ".config"),
            "XDG_DATA_HOME": str(root / "home" / ".local" / "share"),
            "XDG_RUNTIME_DIR": str(root / "run"),
            "DBUS_SESSION_BUS_ADDRESS": service.address,
            "LANG": "C.UTF-8",
        }
        sandbox = subprocess.Popen(  # noqa: S603 - our own build
            [program, "sandbox", "--port", "0", "--members", "3"],
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        try:
            assert sandbox.stdout is not None
            info = json.loads(sandbox.stdout.readline())
            save = [program, "profile", "save", PROFILE, "--url", info["scim_url"]]
            saved = _run([*save, "--key-env", "SCIM_KEY"], {**env, "SCIM_KEY": info["scim_key"]})
            if saved.returncode != 0:
                return f"profile save failed: {saved.stdout}{saved.stderr}"
            os.environ["DBUS_SESSION_BUS_ADDRESS"] = service.address
            backend = Keyring()  # type: ignore[no-untyped-call]
            stored = backend.get_password("scim-assistant", f"profile/{PROFILE}")  # type: ignore[no-untyped-call]
            if not stored or info["scim_key"] not in stored:
                return "the frozen program did not store the key in the Secret Service"
            checked = _run([program, "check", "--profile", PROFILE, "--json"], env)
            result = json.loads(checked.stdout) if checked.stdout.strip() else {}
            if checked.returncode != 0 or not result.get("ok"):
                return f"check --profile failed: {checked.stdout}{checked.stderr}"
            return None
        finally:
            sandbox.terminate()
            sandbox.wait(timeout=15)
            if sandbox.stdout is not None:
                sandbox.stdout.close()


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    sys.path.insert(0, str(ROOT))  # for the tests' private Secret Service helper
    with tempfile.TemporaryDirectory(prefix="frozen-keyring-") as tmp:
        problem = check(str(Path(args[0], "scim-assistant").resolve()), Path(tmp))
    if problem is not None:
        print(f"check_frozen_keyring: {problem}", file=sys.stderr)
        return 1
    print("check_frozen_keyring: the frozen program saved and read its key via the Secret Service")
    return 0


if __name__ == "__main__":
    sys.exit(main())
