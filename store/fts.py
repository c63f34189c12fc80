"""Full-text search over title, description and blocked reason, kept in a side file the crate never sees.

The index is an FTS5 table in its own SQLite file (default `$XDG_CACHE_HOME/issues-tui/<name>-<hash>.search.sqlite3`),
keyed by issue number. Nothing is added to the shared issues DB — no virtual table, no trigger — so an agent whose
SQLite lacks FTS5 (or any module) keeps writing exactly as before, at the same speed. The store's read connection
ATTACHes the side file and searches `number IN (SELECT rowid FROM tui_search.issue_text WHERE … MATCH …)`; every
word is also checked on the row itself (store/search.py), so an entry that lags behind the row never shows a
wrong match.

Keeping up: `sync()` re-indexes the rows whose `updated_at` is newer than what it saw last (minus a few minutes'
slack for writers with skewed clocks, via the store's `tui_idx_updated` index) and every row numbered past the last
one it indexed. A deleted issue's entry is harmless (it joins to nothing). The first build reads the table in
chunks of numbers and can be stopped; until it is complete, search falls back to the exact LIKE scan.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from pathlib import Path

from . import timestamps

SCHEMA = "tui_search"
FORMAT = "1"
CHUNK = 5_000  # rows read per turn of the store's read lock (the dashboard's own reads go in between)
SLACK_NS = 5 * 60 * 1_000_000_000

_DDL = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS issue_text USING fts5(title, description, blocked_reason, "
    "tokenize = 'unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)",
]
_ROW_SQL = "SELECT number, title, description, blocked_reason, updated_at FROM issues"


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "issues-tui"


def side_path_for(db_path: str | os.PathLike, folder: str | os.PathLike | None = None) -> Path:
    """Where the search index of `db_path` lives: one file per DB path, in the cache folder."""
    real = os.path.realpath(db_path)
    digest = hashlib.sha1(real.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    stem = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in Path(real).stem)[:40] or "db"
    return (Path(folder) if folder is not None else cache_dir()) / f"{stem}-{digest}.search.sqlite3"


class SearchIndex:
    """One side file for one issues DB. Thread-safe; `build()` runs in a worker thread."""

    schema = SCHEMA

    def __init__(self, db_path: str | os.PathLike, folder: str | os.PathLike | None = None) -> None:
        self.path = side_path_for(db_path, folder)
        self.db_path = Path(db_path)
        self._lock = threading.RLock()
        self._attached: set[int] = set()
        self.conn: sqlite3.Connection | None = None
        self.complete = False
        self.problem: str | None = None
        self.build_s: float | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._built_for: int | None = None
        self._recent: dict[int, str] = {}  # rows indexed inside the slack window: number -> updated_at

    # -- side file ---------------------------------------------------------------------------------
    def open(self) -> "SearchIndex":
        with self._lock:
            if self.conn is not None:
                return self
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=5.0)
            try:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")  # a lost index is rebuilt; it holds nothing of its own
                for sql in _DDL:
                    conn.execute(sql)
            except sqlite3.DatabaseError:
                conn.close()  # a damaged cache file: start it again
                for suffix in ("", "-wal", "-shm"):
                    try:
                        os.remove(f"{self.path}{suffix}")
                    except FileNotFoundError:
                        pass
                conn = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False, timeout=5.0)
                conn.execute("PRAGMA journal_mode = WAL")
                for sql in _DDL:
                    conn.execute(sql)
            self.conn = conn
            meta = self._meta()
            self.complete = meta.get("complete") == "1" and meta.get("format") == FORMAT
            return self

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self.conn is not None:
                self.conn.close()
                self.conn = None

    def _meta(self) -> dict[str, str]:
        return dict(self.conn.execute("SELECT key, value FROM meta").fetchall())

    def _set_meta(self, **values) -> None:
        self.conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                              [(k, str(v)) for k, v in values.items()])

    @staticmethod
    def _identity(store) -> str:
        """Which file the entries describe: its inode and the id of its first issue (a replaced file differs)."""
        try:
            st = os.stat(store.path)
            ino = f"{st.st_dev}:{st.st_ino}"
        except OSError:
            ino = "?"
        with store._read() as conn:
            row = conn.execute("SELECT id FROM issues ORDER BY number LIMIT 1").fetchone()
        return f"{ino}:{row[0] if row else ''}"

    # -- reading the store -----------------------------------------------------------------------
    def usable(self, store) -> bool:
        """True when complete and attached to `store`'s read connection (the caller holds no store lock)."""
        if not self.complete or self.conn is None:
            return False
        key = id(store.conn)
        if key not in self._attached:
            try:
                with store._lock:  # the read connection is shared with other threads
                    store.conn.execute(f"ATTACH DATABASE ? AS {SCHEMA}", (str(self.path),))
            except sqlite3.OperationalError as exc:
                if "already in use" not in str(exc):
                    self.problem = f"search index {self.path}: {exc}"
                    return False
            self._attached.add(key)
        return True

    def _write_rows(self, rows) -> None:
        conn = self.conn
        conn.executemany("DELETE FROM issue_text WHERE rowid = ?", [(r[0],) for r in rows])
        conn.executemany("INSERT INTO issue_text (rowid, title, description, blocked_reason) VALUES (?, ?, ?, ?)",
                         [(r[0], r[1], r[2] or None, r[3] or None) for r in rows])

    def build(self, store, *, chunk: int = CHUNK, pause_s: float = 0.0) -> bool:
        """(Re)build from scratch if the side file is not complete for this DB; True when complete.

        Reads in chunks of `chunk` numbers, each under the store's read lock for a moment only, so the
        dashboard's own reads keep flowing; `pause_s` between chunks yields the CPU."""
        self.open()
        identity = self._identity(store)
        with self._lock:
            meta = self._meta()
            if self.complete and meta.get("identity") == identity:
                return True
            self.complete = False
            t0 = time.perf_counter()
            with store._read() as conn:
                watermark = conn.execute("SELECT max(updated_at) FROM issues").fetchone()[0] or ""
            self.conn.execute("BEGIN")
            self.conn.execute("DELETE FROM issue_text")
            self.conn.execute("DELETE FROM meta")
            self._set_meta(format=FORMAT, identity=identity, complete=0, watermark=watermark, max_number=0)
            self.conn.execute("COMMIT")
        last = -(1 << 62)
        while not self._stop.is_set():
            with store._read() as conn:
                rows = conn.execute(f"{_ROW_SQL} WHERE number > ? ORDER BY number LIMIT ?", (last, chunk)).fetchall()
            if not rows:
                break
            with self._lock:
                self.conn.execute("BEGIN")
                self._write_rows(rows)
                last = rows[-1][0]
                self._set_meta(max_number=last)
                self.conn.execute("COMMIT")
            if pause_s:
                time.sleep(pause_s)
        if self._stop.is_set():
            return False
        with self._lock:
            self._set_meta(complete=1)
            self.complete = True
            self.build_s = time.perf_counter() - t0
        self.sync(store)
        return True

    def sync(self, store) -> int:
        """Bring a complete index up to date with the rows changed since it last looked. Returns rows indexed."""
        if not self.complete or self.conn is None:
            return 0
        with self._lock:
            meta = self._meta()
            watermark = meta.get("watermark", "")
            max_number = int(meta.get("max_number", "0") or 0)
            since = watermark
            ns = timestamps.parse_ns(watermark)
            if ns is not None:
                since = timestamps.format_ns(ns - SLACK_NS)
            idx = " INDEXED BY tui_idx_updated" if getattr(store, "_has_store_indexes", False) else ""
            with store._read() as conn:
                changed = conn.execute(f"{_ROW_SQL}{idx} WHERE updated_at > ?", (since,)).fetchall()
                new = conn.execute(f"{_ROW_SQL} WHERE number > ?", (max_number,)).fetchall()
            rows = {r[0]: r for r in changed if self._recent.get(r[0]) != r[4]}
            rows.update({r[0]: r for r in new})
            self._recent = {n: u for n, u in self._recent.items() if u and u > since}
            self._recent.update({r[0]: r[4] for r in rows.values() if r[4] and r[4] > since})
            if not rows:
                return 0
            top_ts = max([watermark] + [r[4] for r in rows.values() if r[4]])
            self.conn.execute("BEGIN")
            self._write_rows(list(rows.values()))
            self._set_meta(watermark=top_ts, max_number=max([max_number] + list(rows)))
            self.conn.execute("COMMIT")
            return len(rows)

    def stop(self) -> None:
        self._stop.set()

    def ensure_building(self, store) -> None:
        """Start the (re)build in a background thread unless one runs or the index is complete for `store`."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            if self.complete and self._built_for == id(store):
                return
            self._built_for = id(store)
            self._thread = threading.Thread(target=self._build_quietly, args=(store,), name="search-index",
                                            daemon=True)
            self._thread.start()

    def _build_quietly(self, store) -> None:
        try:
            self.build(store, pause_s=0.002)
        except Exception as exc:  # the DB closed under us, a full disk, a damaged cache: search stays exact (LIKE)
            self.complete = False
            self.problem = f"search index: {exc}"


_REGISTRY: dict[str, SearchIndex] = {}
_REGISTRY_LOCK = threading.Lock()


def enable(store, folder: str | os.PathLike | None = None) -> SearchIndex:
    """Attach the DB's search index to `store` (one per DB path per process) and make sure it is being built;
    until it is complete, searches use the exact LIKE scan."""
    idx = store.search_index
    if idx is None:
        key = os.path.realpath(store.path)
        with _REGISTRY_LOCK:
            idx = _REGISTRY.get(key)
            if idx is None or idx.conn is None and idx._stop.is_set():
                idx = _REGISTRY[key] = SearchIndex(store.path, folder)
        store.search_index = idx
    idx.ensure_building(store)
    return idx


__all__ = ["SearchIndex", "side_path_for", "cache_dir", "enable"]
