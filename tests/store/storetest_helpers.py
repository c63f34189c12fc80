"""Helpers for the store tests (imported by name: tests/store is on sys.path, no package)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from pathlib import Path

from store import Store

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

# A fixed instant for tests that move time: 2026-11-26T12:00:00Z in ns.
T0 = 1_795_694_400 * 1_000_000_000


class Clock:
    """A settable clock in ns since the epoch (Store.open(..., clock=clock))."""

    def __init__(self, ns: int = T0) -> None:
        self.ns = ns

    def __call__(self) -> int:
        return self.ns

    def advance(self, seconds: float = 0, minutes: float = 0) -> None:
        self.ns += int((seconds + minutes * 60) * 1_000_000_000)

    def tick(self) -> None:
        self.ns += 1_000  # 1 us, keeps timestamps strictly increasing


def copy_fixture(tmp_path: Path, name: str) -> Path:
    dst = tmp_path / name
    shutil.copyfile(FIXTURES / name, dst)
    return dst


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def raw(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def dump_tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), to compare a DB before and after."""
    conn = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()




def claim_worker(path: str, run_id: str, queue, barrier=None) -> None:
    """A separate process's agent loop: take the next ready issue and claim it until none is left."""
    from store import Store

    claimed, error = [], None
    try:
        with Store.open(path, actor=run_id) as s:
            if barrier is not None:
                barrier.wait(timeout=60)  # everyone opened: start together, so the claims really race
            misses = 0
            while True:
                nxt = s.get_next_ready_issue()
                if nxt is None:
                    break
                if s.claim_issue(nxt.id, run_id):
                    claimed.append(nxt.id)
                else:
                    misses += 1
                    if misses > 100_000:
                        raise RuntimeError("claim loop spinning")
    except BaseException as exc:  # reported to the parent, which fails the test
        error = f"{type(exc).__name__}: {exc}"
    queue.put((run_id, claimed, error))


def open_and_create_worker(path: str, run_id: str, queue, barrier) -> None:
    """Open the same (new or old-schema) file at the same moment as others, then write."""
    from store import Store

    numbers, error = [], None
    try:
        barrier.wait(timeout=60)
        with Store.open(path, actor=run_id) as s:
            for i in range(10):
                numbers.append(s.create_issue(f"{run_id} {i}").number)
    except BaseException as exc:
        error = f"{type(exc).__name__}: {exc}"
    queue.put((run_id, numbers, error))
