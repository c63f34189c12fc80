"""Opening a PostgreSQL issues DB: connect, check what it is, create the schema in an empty one.

Two connections, as on SQLite: reads (autocommit) never wait behind a write transaction. Every write is one
transaction run by `_transact`, retried on serialization failures, deadlocks and a connection lost before
commit, so an agent never sees them. Every message shows the target without its password.
"""

from __future__ import annotations

import random
import threading
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterator

import psycopg
from psycopg import errors as pgerr

from .. import timestamps
from ..connection import FileInfo
from ..errors import BusyError, NotAnIssuesDb, ReadOnlyError, StoreError, UnavailableError, ValidationError
from . import schema, search_index
from .conninfo import display, scrub

CONNECT_TIMEOUT_S = 10
LOCK_TIMEOUT_MS = 5000  # like SQLite's busy timeout: a lock held longer is reported, not waited on forever
RETRIES = 8
_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


def ns_to_dt(ns: int) -> datetime:
    return _EPOCH + timedelta(microseconds=ns // 1000)


def dt_to_ns(dt: datetime) -> int:
    delta = dt - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


# starting up / shutting down / too many connections / server closed by an admin: a restart, not a mistake
_TRANSIENT_STATES = {"57P03", "57P01", "57P02", "53300", "08006", "08001"}
_TRANSIENT_TEXT = ("Connection refused", "No such file or directory", "starting up", "shutting down",
                   "server closed the connection", "too many clients")


def transient(exc: BaseException) -> bool:
    """Whether a failed connect is the server being briefly away (retry), not a wrong target or password."""
    state = getattr(exc, "sqlstate", None)
    if state in ("28P01", "28000", "3D000"):  # bad password / no such role / no such database
        return False
    return state in _TRANSIENT_STATES or any(t in str(exc) for t in _TRANSIENT_TEXT)


def one_line(text: str) -> str:
    return " ".join(str(text).split())


class PgConnection:
    """The PostgreSQL half of `Store`'s plumbing (same attributes the app and CLI use)."""

    def __init__(self, target: str, *, read_only: bool = False, create: bool = True,
                 clock: Callable[[], int] | None = None, actor: str = "store") -> None:
        self.target = target
        self.path = display(target)  # what every message shows
        self.actor = actor
        self._clock = clock  # tests freeze time; otherwise every timestamp and lease is the server's now()
        self.clock = clock or time.time_ns
        self._lock = threading.RLock()
        self._wlock = threading.RLock()
        self.last_written_at = None
        self.conn = self.wconn = None
        self._open(read_only, create)

    # -- errors --------------------------------------------------------------------------------
    def _error(self, exc: BaseException, doing: str = "") -> StoreError:
        text = one_line(scrub(str(exc), self.target)) or type(exc).__name__
        where = f"{self.path}: " if self.path else ""
        if isinstance(exc, (pgerr.LockNotAvailable, pgerr.QueryCanceled)):
            return BusyError(f"database is busy (a row stayed locked for over {LOCK_TIMEOUT_MS // 1000} s): {self.path}")
        if isinstance(exc, pgerr.ReadOnlySqlTransaction):
            return ReadOnlyError(f"{self.path} is read-only: {text}")
        if isinstance(exc, pgerr.InsufficientPrivilege):
            return ReadOnlyError(f"{where}no permission: {text}")
        if isinstance(exc, (pgerr.CharacterNotInRepertoire, pgerr.UntranslatableCharacter)):
            return ValidationError("text", "contains characters the database cannot store; nothing was written")
        if isinstance(exc, psycopg.DataError) and "0x00" in text:
            return ValidationError("text", "contains a NUL character, which PostgreSQL cannot store; nothing was written")
        if isinstance(exc, UnicodeEncodeError):
            return ValidationError("text", "contains invalid Unicode (a lone surrogate); nothing was written")
        return StoreError(f"{where}{doing}{text}")

    # -- opening -------------------------------------------------------------------------------
    def _connect(self, read_only: bool) -> psycopg.Connection:
        try:
            conn = psycopg.connect(self.target, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                   application_name="issues-tui")
        except psycopg.OperationalError as exc:
            text = f"cannot connect to {self.path}: {one_line(scrub(str(exc), self.target))}"
            raise (UnavailableError if transient(exc) else StoreError)(text) from None
        except psycopg.Error as exc:
            raise StoreError(f"cannot connect to {self.path}: {one_line(scrub(str(exc), self.target))}") from None
        except Exception as exc:  # an unparseable target (psycopg raises ProgrammingError; be safe with others)
            raise StoreError(f"cannot use {self.path}: {one_line(scrub(str(exc), self.target))}") from None
        try:
            conn.execute("SET TIME ZONE 'UTC'")
            conn.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
            if read_only:
                conn.execute("SET default_transaction_read_only = on")
        except psycopg.Error as exc:
            conn.close()
            raise self._error(exc) from None
        return conn

    def _open(self, read_only: bool, create: bool) -> None:
        conn = self._connect(read_only)
        try:
            tables = {r[0] for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")}
            created = False
            if "issues" not in tables:
                if tables:
                    raise NotAnIssuesDb(f"{self.path} is a PostgreSQL database of another kind (no `issues` table), "
                                        "not an issues DB")
                if read_only or not create:
                    raise NotAnIssuesDb(f"{self.path} is an empty database, not an issues DB yet (use --create to "
                                        "initialise it, or `issues-tui migrate FILE.db URL` to copy a file in)")
                self._create_schema(conn)
                created = True
            version = self._check_schema(conn)
            self.search_note = None
            if not read_only:
                self._ensure_store_objects(conn)
                if conn.execute("SELECT has_table_privilege('issues', 'UPDATE')").fetchone()[0]:
                    self.search_note = search_index.ensure(conn)
            ro_reason = "opened read-only" if read_only else None
            if not read_only and not conn.execute(
                    "SELECT has_table_privilege('issues', 'UPDATE') AND has_table_privilege('issue_events', 'INSERT')"
            ).fetchone()[0]:
                read_only, ro_reason = True, "this database user may not write to it"
                conn.execute("SET default_transaction_read_only = on")
        except StoreError:
            conn.close()
            raise
        except psycopg.Error as exc:
            conn.close()
            raise self._error(exc) from None
        self.conn = conn
        self._has_counts = conn.execute("SELECT to_regclass('tui_issue_counts') IS NOT NULL").fetchone()[0]
        self._read_only_conn = read_only
        self.wconn = conn if read_only else None  # the write connection is opened on the first write
        self.schema_version_value = version
        self.extra_columns = [c for c, v in schema.EXTRA_COLUMNS if version >= v]
        self.info = FileInfo(self.path, version, None, read_only, ro_reason, "postgresql", created)

    def _create_schema(self, conn: psycopg.Connection) -> None:
        with conn.transaction():
            # Two processes creating the same empty DB at once: the second waits here, then finds the tables.
            conn.execute("SELECT pg_advisory_xact_lock(7405528)")
            if conn.execute("SELECT count(*) FROM information_schema.tables "
                            "WHERE table_schema = current_schema() AND table_name = 'issues'").fetchone()[0]:
                return
            for statement in schema.ddl():
                conn.execute(statement)

    def _ensure_store_objects(self, conn: psycopg.Connection) -> None:
        """Objects later store versions added to the layout (built once, in one transaction)."""
        have = conn.execute("SELECT to_regclass('tui_issue_counts') IS NOT NULL").fetchone()[0]
        if have:
            return
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7405528)")
            if conn.execute("SELECT to_regclass('tui_issue_counts') IS NOT NULL").fetchone()[0]:
                return
            conn.execute("LOCK TABLE issues IN SHARE MODE")  # no write slips between the fill and the triggers
            for statement in schema.COUNTS:
                conn.execute(statement)
            conn.execute(schema.COUNTS_FILL)

    def _check_schema(self, conn: psycopg.Connection) -> int:
        cols = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name = 'issues'")}
        missing = sorted(schema.REQUIRED_ISSUE_COLUMNS - cols)
        if missing:
            raise NotAnIssuesDb(f"{self.path}: table `issues` lacks column(s) {', '.join(missing[:6])}; "
                                "not an issues DB made by issues-tui")
        try:
            row = conn.execute("SELECT version FROM schema_version LIMIT 1").fetchone()
        except psycopg.Error:
            raise NotAnIssuesDb(f"{self.path} has no schema_version table; not an issues DB") from None
        return int(row[0]) if row and row[0] is not None else schema.LATEST

    # -- plumbing ------------------------------------------------------------------------------
    @property
    def read_only(self) -> bool:
        return self.info.read_only

    @property
    def schema_version(self) -> int:
        return self.info.schema_version

    @property
    def backend(self) -> str:
        return "postgresql"

    def close(self) -> None:
        with self._wlock, self._lock:
            for c in {id(self.conn): self.conn, id(self.wconn): self.wconn}.values():
                if c is not None:
                    try:
                        c.close()
                    except Exception:
                        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def now_ns(self) -> int:
        """The server's clock (or a test's frozen clock)."""
        if self._clock is not None:
            return self._clock()
        with self._read() as conn:
            return dt_to_ns(conn.execute("SELECT clock_timestamp()").fetchone()[0])

    def _now(self) -> str:
        return timestamps.format_ns(self.now_ns())

    def _clock_dt(self) -> datetime | None:
        """The parameter for `coalesce(%s, now())`: None means the server's clock."""
        return ns_to_dt(self._clock()) if self._clock is not None else None

    def _tx_now(self, conn: psycopg.Connection) -> tuple[datetime, str]:
        """(native, text) of now inside a write transaction: the server's transaction time, or the test clock."""
        if self._clock is not None:
            ns = self._clock()
            return ns_to_dt(ns), timestamps.format_ns(ns)
        dt = conn.execute("SELECT now()").fetchone()[0]
        return dt, timestamps.format_ns(dt_to_ns(dt))

    def _alive(self, conn: psycopg.Connection | None, write: bool) -> psycopg.Connection:
        if conn is not None and not conn.closed and not conn.broken:
            return conn
        fresh = self._connect(self.info.read_only if write else self._read_only_conn)
        if write:
            if self.wconn is self.conn:
                self.conn = fresh
            self.wconn = fresh
        else:
            if self.wconn is self.conn:
                self.wconn = fresh
            self.conn = fresh
        return fresh

    @contextmanager
    def _read(self) -> Iterator[psycopg.Connection]:
        with self._lock:
            conn = self._alive(self.conn, write=False)
            try:
                yield conn
            except psycopg.Error as exc:
                raise self._error(exc) from None
            except UnicodeEncodeError as exc:
                raise self._error(exc) from None

    def _transact(self, body: Callable[[psycopg.Connection], object], atomic: bool = True) -> object:
        """Run `body(conn)` in one transaction; retried (from the start) on conflicts and lost connections.
        `atomic=False`: `body` is a single statement (its own transaction), saving the BEGIN/COMMIT trips."""
        if self.info.read_only:
            raise ReadOnlyError(f"{self.path} is open read-only ({self.info.read_only_reason}); nothing was written")
        delay = 0.005
        with self._wlock:
            for attempt in range(RETRIES):
                try:
                    conn = self._alive(self.wconn, write=True)
                    if not atomic:
                        return body(conn)
                    with conn.transaction():
                        return body(conn)
                except (pgerr.SerializationFailure, pgerr.DeadlockDetected) as exc:
                    last = exc
                except psycopg.OperationalError as exc:
                    w = self.wconn
                    if w is not None and not (w.broken or w.closed):
                        raise self._error(exc) from None
                    last = exc
                except psycopg.Error as exc:
                    raise self._error(exc) from None
                except UnicodeEncodeError as exc:
                    raise self._error(exc) from None
                time.sleep(delay * (1 + random.random()))
                delay = min(delay * 2, 0.5)
            raise self._error(last, "gave up after retries: ")

    # -- change detection (the app's poll; the live source uses changes.py) ----------------------
    def change_token(self) -> tuple:
        """Changes when any transaction commits a change here (sequence high-water mark + in-flight writers)."""
        try:
            with self._read() as conn:
                return tuple(conn.execute(
                    "SELECT (SELECT last_value FROM tui_change_seq), pg_current_snapshot()::text").fetchone())
        except StoreError:
            return (None, None)

    def file_replaced(self) -> bool:
        return False

    def file_exists(self) -> bool:
        return True

    def path_problem(self) -> str | None:
        return None  # a server has no path to lose (a lost connection is reported by the live source)
