"""Issue counts by (status, blocked), from the trigger-kept `tui_issue_counts` table, never trusted blindly.

Any process can write that table (an agent set it to 1e9, 0 or -5), so a cached row is only used when
- the table and its triggers are the store's own by content (store/schema_check.py),
- the cache was verified against a real count (`GROUP BY` over `issues`) on open, and is verified again
  whenever the file changed and the last check is older than max(1 s, 20 x what a recount costs): at 100k
  issues (~5 ms) that is every change, at 1M (~55 ms) once a second at most,
- and in between it passes cheap checks on every read (O(log n) each): whole numbers >= 0, no more rows
  than the rowid range holds, and a status counted > 0 exactly when a row with it exists.
A cache that fails is not used (the real count is) and is rebuilt at once when the file is writable.
"""

from __future__ import annotations

import sqlite3
import time

RECOUNT_SQL = "SELECT status, ifnull(is_blocked, 0) != 0, count(*) FROM issues GROUP BY 1, 2"
# The same truth, read from indexes only: counts by status scan the crate's covering idx_issues_status, and
# blocked only matters for open issues (Counts splits nothing else), read from the store's partial index.
# At 1M issues: ~45 ms instead of ~700 ms for RECOUNT_SQL, which must visit every row for is_blocked.
BY_STATUS_SQL = "SELECT status, count(*) FROM issues GROUP BY status"
OPEN_BLOCKED_SQL = ("SELECT count(*) FROM issues{idx} WHERE status = 'open' AND ifnull(is_blocked, 0) != 0")
MIN_VERIFY_INTERVAL_S = 1.0
VERIFY_COST_FACTOR = 20

Rows = list[tuple[object, int, int]]


class CountsState:
    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.rows: Rows | None = None
        self.data_version: int | None = None
        self.verified_at: float | None = None
        self.cost_s = 0.0
        self.force = False  # the next read recounts (a caller saw the counts contradict the rows)
        self.trust_first = False  # the first read may use a plausible cache; the read after it verifies
        self.repair = False  # the cache was found wrong: rebuild it when writable


def _normal(rows: Rows | None) -> dict:
    """What the counts say (blocked is only told apart for open issues, as Counts does)."""
    out: dict = {}
    for status, blocked, n in rows or ():
        if type(n) is not int:
            return {"not a count": repr(n)}
        if n:
            key = (status, bool(blocked) and status == "open")
            out[key] = out.get(key, 0) + n
    return out


def _recount(conn: sqlite3.Connection, state: CountsState, indexed: bool = False) -> Rows:
    t0 = time.perf_counter()
    idx = " INDEXED BY tui_idx_blocked" if indexed else ""
    rows: Rows = []
    for status, n in conn.execute(BY_STATUS_SQL).fetchall():
        if status == "open":
            blocked = conn.execute(OPEN_BLOCKED_SQL.format(idx=idx)).fetchone()[0]
            rows += [(status, 0, n - blocked), (status, 1, blocked)]
        else:
            rows.append((status, 0, n))
    state.cost_s = time.perf_counter() - t0
    state.verified_at = time.monotonic()
    return rows


def _cached(conn: sqlite3.Connection) -> Rows | None:
    try:
        return conn.execute("SELECT status, blocked, n FROM tui_issue_counts").fetchall()
    except sqlite3.Error:
        return None


def _exists(conn: sqlite3.Connection, sql: str, params: tuple = ()) -> bool:
    return bool(conn.execute(f"SELECT EXISTS (SELECT 1 FROM {sql})", params).fetchone()[0])


def plausible(conn: sqlite3.Connection, rows: Rows, indexed: bool) -> bool:
    """Cheap checks (O(log n) each) that catch a cache written by hand: 1e9, 0 or negative counts."""
    total, by_status, open_split = 0, {}, {False: 0, True: 0}
    for status, blocked, n in rows:
        if type(n) is not int or n < 0 or blocked not in (0, 1) or not isinstance(status, str):
            return False
        total += n
        by_status[status] = by_status.get(status, 0) + n
        if status == "open":
            open_split[bool(blocked)] += n
    # Two subqueries: each is one b-tree seek. `max(rowid) - min(rowid)` in one SELECT scans every row
    # (SQLite's min/max shortcut only applies to a lone min() or max()): 300 ms at 1M issues.
    span = conn.execute("SELECT (SELECT max(rowid) FROM issues) - (SELECT min(rowid) FROM issues) + 1"
                        ).fetchone()[0] or 0
    if total > span or (span and not total):
        return False
    for status in {"open", "in_progress", "done", *by_status}:
        if (by_status.get(status, 0) > 0) != _exists(conn, "issues WHERE status = ?", (status,)):
            return False
    if indexed:
        ready = _exists(conn, "issues INDEXED BY tui_ready_v2 WHERE status = 'open' AND ifnull(is_blocked, 0) = 0")
        blocked = _exists(conn, "issues INDEXED BY tui_idx_blocked WHERE status = 'open' AND ifnull(is_blocked, 0) != 0")
        if (open_split[False] > 0) != ready or (open_split[True] > 0) != blocked:
            return False
    return True


def status_rows(st, conn: sqlite3.Connection) -> Rows:
    """(status, blocked, n) rows that are true. Sets `state.repair` when the cache was found wrong."""
    state: CountsState = st._counts_state
    dv = conn.execute("PRAGMA data_version").fetchone()[0]
    if state.rows is not None and state.data_version == dv and not state.force:
        return state.rows
    if not st._has_counts:
        rows = _recount(conn, state, st._has_store_indexes)
    else:
        cached = _cached(conn)
        due = (state.force or state.verified_at is None
               or time.monotonic() - state.verified_at >= max(MIN_VERIFY_INTERVAL_S, VERIFY_COST_FACTOR * state.cost_s))
        if state.trust_first and state.verified_at is None and cached is not None \
                and plausible(conn, cached, st._has_store_indexes):
            state.trust_first = False  # the first screen at start-up: the next read verifies (still due)
            return cached
        if not due and cached is not None and plausible(conn, cached, st._has_store_indexes):
            rows = cached
        else:
            rows = _recount(conn, state, st._has_store_indexes)
            if _normal(cached) != _normal(rows):
                state.repair = True
    state.rows, state.data_version, state.force = rows, dv, False
    return rows


def repair(st) -> None:
    """Rebuild a cache that was found wrong, if the file is writable and the lock is free right now."""
    from .errors import StoreError
    from .opening import BUSY_TIMEOUT_S

    state: CountsState = st._counts_state
    if not state.repair or st.info.read_only or not st._has_counts:
        return
    if not st._wlock.acquire(blocking=False):
        return  # our own writer is busy (maybe waiting for another process's lock): never make a read wait
    conn = st.wconn
    try:
        conn.execute("PRAGMA busy_timeout = 0")
        conn.execute("BEGIN IMMEDIATE")
        try:
            st._recheck_schema(conn, writing=True)
            conn.execute("DELETE FROM tui_issue_counts")
            conn.execute(f"INSERT INTO tui_issue_counts (status, blocked, n) {RECOUNT_SQL}")
            conn.execute("COMMIT")
            state.repair = False
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    except sqlite3.OperationalError:
        pass  # locked by another process: the real counts are used meanwhile; try again next time
    except StoreError:
        pass  # read-only after all (the schema changed): nothing to repair
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        st._wlock.release()
