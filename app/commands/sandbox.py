"""`scim-assistant sandbox`: run the Bitwarden sandbox until SIGINT/SIGTERM.

Prints exactly one JSON line (the contract's connection details, secrets included: this is a
throwaway organization on loopback), flushes, serves, and exits 0 when interrupted.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from types import FrameType

from app.sandbox.server import Sandbox


def run(args: argparse.Namespace) -> int:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        try:
            sandbox = Sandbox.start(
                host=args.host,
                port=args.port,
                members=args.members,
                seed=args.seed,
                accept_after=args.accept_after,
                rate_limits=getattr(args, "rate_limits", False),
                organizations=getattr(args, "organizations", 1),
                admin_kdf=getattr(args, "admin_kdf", "pbkdf2"),
            )
        except OSError as error:
            where = f"{args.host}:{args.port}"
            print(
                f"scim-assistant sandbox: cannot listen on {where}: {error.strerror}",
                file=sys.stderr,
            )
            return 1
        with sandbox:
            line = {**sandbox.info, "organizations": sandbox.organizations}
            sys.stdout.write(json.dumps(line) + "\n")
            sys.stdout.flush()
            while not stop.wait(0.5):
                pass
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
