"""A real process on a pseudo-terminal (for what a pilot cannot show: bytes on the terminal, suspend, exit
status). Shared by tests/tui and tests/trust (tests/ is on sys.path through its conftest)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CSI = re.compile(r"\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]")


def plain(text: str) -> str:
    """The stream without escape sequences."""
    return CSI.sub("", text)


class PtyProcess:
    """`python -c CODE ARGS...` with a pty as its terminal (stdin, stdout and stderr); every byte is kept."""

    def __init__(self, code: str, *args: str, env: dict | None = None, cols: int = 120, rows: int = 40) -> None:
        import fcntl
        import struct
        import termios

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        full_env = dict(os.environ, TERM="xterm-256color", COLUMNS=str(cols), LINES=str(rows),
                        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        full_env.pop("TEXTUAL", None)
        full_env.update(env or {})
        self.proc = subprocess.Popen([sys.executable, "-c", code, *args], stdin=slave, stdout=slave, stderr=slave,
                                     env=full_env, cwd=str(ROOT), start_new_session=True, close_fds=True)
        os.close(slave)
        self.master = master
        self.raw = bytearray()
        self._lock = threading.Lock()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                return
            if not chunk:
                return
            with self._lock:
                self.raw += chunk
                self._received()

    def _received(self) -> None:
        """Called with the lock held after each chunk (a subclass may answer the terminal's queries)."""

    def output(self) -> bytes:
        with self._lock:
            return bytes(self.raw)

    def text(self) -> str:
        """The stream decoded (surrogateescape: a raw 0x9b byte stays visible to scans as U+DC9B)."""
        return self.output().decode("utf-8", "surrogateescape")

    def alive(self) -> bool:
        return self.proc.poll() is None

    def wait_for_text(self, needle: str, timeout: float = 15.0, since: int = 0) -> bool:
        """Whether `needle` shows up (escape sequences and line breaks ignored) in the output after `since`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if needle in plain(self.text()[since:]):
                return True
            if self.proc.poll() is not None:
                time.sleep(0.2)
                return needle in plain(self.text()[since:])
            time.sleep(0.05)
        return False

    def send(self, keys: str, pause: float = 0.25) -> None:
        os.write(self.master, keys.encode())
        time.sleep(pause)

    def close(self, timeout: float = 15.0) -> int | None:
        """Wait for the process to end (killed after `timeout`: returns None then)."""
        try:
            code = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = None
        time.sleep(0.1)
        try:
            os.close(self.master)
        except OSError:
            pass
        self._reader.join(2)
        return code
