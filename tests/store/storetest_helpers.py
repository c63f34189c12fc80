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
    if is_pg(path):
        return PgRaw(str(path))
    conn = sqlite3.connect(str(path), isolation_level=None, timeout=5)
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def dump_tables(path: Path) -> dict[str, list[tuple]]:
    """Every row of every table (sorted), to compare a DB before and after."""
    if is_pg(path):
        conn = PgRaw(str(path))
        try:
            names = [r[0] for r in conn.execute("SELECT table_name FROM information_schema.tables "
                                                "WHERE table_schema = current_schema() ORDER BY 1").fetchall()]
            return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
        finally:
            conn.close()
    conn = sqlite3.connect(str(path))
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {n: sorted(conn.execute(f'SELECT * FROM "{n}"').fetchall(), key=repr) for n in names}
    finally:
        conn.close()




def claim_worker(path: str, run_id: str, queue, barrier=None, use_claim_next: bool = False) -> None:
    """A separate process's agent loop: take the next ready issue and claim it until none is left
    (read-then-claim as the crate's agents do, or the atomic claim_next)."""
    from store import open_store

    claimed, error = [], None
    try:
        with open_store(path, actor=run_id) as s:
            if use_claim_next:
                if barrier is not None:
                    barrier.wait(timeout=60)
                while (issue := s.claim_next(run_id)) is not None:
                    claimed.append(issue.id)
                queue.put((run_id, claimed, None))
                return
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


# -- the same raw pokes on PostgreSQL ----------------------------------------------------------------------
_PG_TIME_RE = __import__("re").compile(r"\b(created_at|updated_at|claimed_at|completed_at|started_at|ended_at)\b")
_PG_IFNULL_RE = __import__("re").compile(r"ifnull\((is_blocked|auto_created), 0\)")
_PG_BOOL_RE = __import__("re").compile(r"\b(is_blocked|auto_created) = (\?|\d+)\b")


def is_pg(target) -> bool:
    from store import is_server_target
    return is_server_target(str(target))


class _PgCursor:
    def __init__(self, cur, row_factory):
        self.cur = cur
        self.row_factory = row_factory
        self.rowcount = cur.rowcount
        self.description = cur.description

    def _shape(self, row):
        names = [d.name for d in self.cur.description]
        out = []
        for name, value in zip(names, row):
            if name in ("change_seq", "change_xid") or (f"{name}_text" in names):
                continue  # the native twin of a timestamp: tests see the crate's text, under the crate's name
            if name.endswith("_text") and name[:-5] in names:
                name = name[:-5]
            out.append((name, int(value) if isinstance(value, bool) else value))
        return dict(out) if self.row_factory is sqlite3.Row else tuple(v for _, v in out)

    def fetchone(self):
        row = self.cur.fetchone() if self.cur.description else None
        return None if row is None else self._shape(row)

    def fetchall(self):
        return [self._shape(r) for r in self.cur.fetchall()] if self.cur.description else []

    def __iter__(self):
        return iter(self.fetchall())


class PgRaw:
    """sqlite3-like access to a PostgreSQL test DB for the tests' raw pokes: `?` placeholders, the crate's
    column names (a timestamp means its crate text; the store's trigger keeps the native value in step),
    0/1 flags, `rowid` order, and constraint failures raised as sqlite3.IntegrityError."""

    row_factory = None

    def __init__(self, url: str) -> None:
        import psycopg
        self.conn = psycopg.connect(url, autocommit=True)

    def execute(self, sql: str, params=()):
        import psycopg
        sql = _PG_BOOL_RE.sub(r"\1 = (\2)::int::boolean", sql).replace("typeof(", "pg_typeof(")
        sql = _PG_IFNULL_RE.sub(r"coalesce(\1::int, 0)", sql)
        sql = _PG_TIME_RE.sub(r"\1_text", sql).replace("ORDER BY rowid", "ORDER BY ord").replace("?", "%s")
        try:
            return _PgCursor(self.conn.execute(sql, params), self.row_factory)
        except psycopg.IntegrityError as exc:
            raise sqlite3.IntegrityError(str(exc)) from None

    def close(self) -> None:
        self.conn.close()
