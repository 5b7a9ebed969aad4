"""Starting `bw serve` as a child process: on a Unix socket in a private directory where possible.

A `bw serve` merely found listening is never used: it has no per-request authentication (file
permissions are the only guard, reference A4) and a loopback TCP port may belong to another user
of the computer. The process is stopped by `stop()`, on leaving a `with` block, or at exit.
"""

from __future__ import annotations

import atexit
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from app.core import messages as msg
from app.core.bw_serve.client import BwServeClient, BwServeError
from app.core.closing import Closing

_START_TIMEOUT = 60.0
_SUN_PATH_MAX = 100  # sockaddr_un.sun_path is 104 bytes on macOS, 108 on Linux


class BwServeProcess(Closing):
    """A `bw serve` child process, stopped by `stop()`, on leaving a `with` block, or at exit."""

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        base_url: str,
        unix_socket: str | None,
        private_dir: Path | None,
    ) -> None:
        self._process = process
        self.base_url = base_url
        self.unix_socket = unix_socket
        self._private_dir = private_dir
        self._lock = threading.Lock()
        atexit.register(self.stop)

    def __repr__(self) -> str:
        return f"BwServeProcess(pid={self._process.pid}, at={self.unix_socket or self.base_url!r})"

    @property
    def pid(self) -> int:
        return self._process.pid

    @property
    def running(self) -> bool:
        return self._process.poll() is None

    @classmethod
    def start(
        cls, bw: Path, *, prefer_unix_socket: bool = True, timeout: float = _START_TIMEOUT
    ) -> BwServeProcess:
        """Start `bw serve` and wait until it answers `GET /status`."""
        private_dir: Path | None = None
        unix_socket: str | None = None
        if prefer_unix_socket and hasattr(socket, "AF_UNIX") and sys.platform != "win32":
            private_dir = _private_dir()
            candidate = private_dir / "bw.sock"
            if len(os.fsencode(candidate)) < _SUN_PATH_MAX:
                unix_socket = str(candidate)
        if unix_socket is not None:
            args = ["serve", "--hostname", f"unix://{unix_socket}"]
            # The Host allowlist still applies over a socket: bw serve expects its default port.
            base_url = "http://localhost:8087"
        else:
            port = _free_port()
            args = ["serve", "--hostname", "127.0.0.1", "--port", str(port)]
            base_url = f"http://127.0.0.1:{port}"
        env = dict(os.environ, BW_NOINTERACTION="true")
        process = subprocess.Popen(  # noqa: S603 - a fixed argument list, no shell
            [str(bw), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        served = cls(process, base_url, unix_socket, private_dir)
        try:
            served._wait_until_ready(timeout)
        except BaseException:
            served.stop()
            raise
        return served

    def client(self, timeout: float = 30.0) -> BwServeClient:
        return BwServeClient(self.base_url, unix_socket=self.unix_socket, timeout=timeout)

    def stop(self) -> None:
        """Stop the process (TERM, then KILL after 5 s) and remove its private directory."""
        with self._lock:
            atexit.unregister(self.stop)
            if self._process.poll() is None:
                self._process.terminate()
                try:
                    self._process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self._process.kill()
                    self._process.wait(timeout=5)
            if self._private_dir is not None:
                shutil.rmtree(self._private_dir, ignore_errors=True)
                self._private_dir = None

    def close(self) -> None:
        """`with BwServeProcess(...)` stops the process at the end (`Closing`)."""
        self.stop()

    def _wait_until_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        pause = threading.Event()
        with self.client(timeout=2.0) as client:
            while True:
                if self._process.poll() is not None:
                    raise BwServeError(msg.BW_SERVE_EXITED.format(code=self._process.returncode))
                if self.unix_socket is None or os.path.exists(self.unix_socket):
                    try:
                        client.status()
                        return
                    except BwServeError:
                        pass
                if time.monotonic() > deadline:
                    raise BwServeError(msg.BW_SERVE_SLOW_START.format(seconds=round(timeout)))
                pause.wait(0.1)


def _private_dir() -> Path:
    """A fresh 0700 directory, in XDG_RUNTIME_DIR when there is one (a per-user tmpfs)."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = runtime if runtime and os.path.isdir(runtime) else None
    path = Path(tempfile.mkdtemp(prefix="scim-assistant-bw-", dir=base))
    path.chmod(0o700)
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
