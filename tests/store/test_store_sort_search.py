"""Sorted and searched views: every (view, sort key, direction) against Python's sort of the same rows, the
search language against a Python model of it, the FTS side index giving exactly the LIKE path's rows, and
paging from either end agreeing."""

from __future__ import annotations

import random
import sqlite3
import uuid

import pytest

from store import Store
from store.fts import SearchIndex
from store.search import parse
from store.timestamps import format_ns
from store.views import DEFAULT_SORT, SORT_KEYS, VIEWS, sort_indexed
from storetest_helpers import T0, Clock, raw

WORDS = ["cache", "claim", "expiry", "flaky", "parser", "Ünïcode", "budget", "ready", "queue", "timeout"]
RANK = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
NS = 1_000_000_000


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    p = tmp_path_factory.mktemp("sortsearch") / "s.db"
    Store.open(p).close()
    rnd = random.Random(11)
    rows = []
    for n in range(1, 401):
        created = format_ns(T0 - (400 - n) * 60 * NS - rnd.randrange(NS))
        status = rnd.choice(["open", "open", "open", "in_progress", "done", "done"])
        blocked = int(status == "open" and rnd.random() < 0.2)
        claimed_by = claimed_at = completed = None
        if status == "in_progress":
            claimed_by = rnd.choice(["run-1", "run-2", "alice-7"])
            claimed_at = format_ns(T0 - rnd.randrange(40 * 60 * NS))
        if status == "done":
            completed = format_ns(T0 - rnd.randrange(48 * 3600 * NS))
        title = " ".join(rnd.sample(WORDS, 2)) + f" {n}"
        desc = rnd.choice([None, "", " ".join(rnd.sample(WORDS, 3)), "nothing here"])
        reason = rnd.choice(WORDS) + " upstream" if blocked else None
        prio = rnd.choice(["urgent", "high", "medium", "low", "critical", None])
        updated = format_ns(T0 - rnd.randrange(3600 * NS))
        rows.append((str(uuid.uuid4()), n, title, desc, status, prio, rnd.choice(["task", "bug", "feature"]),
                     rnd.choice(["claude", "codex"]), blocked, reason, claimed_by, claimed_at, created, updated, completed))
    conn = raw(p)
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO issues (id, number, title, description, status, priority, issue_type, agent, "
                     "is_blocked, blocked_reason, claimed_by, claimed_at, created_at, updated_at, completed_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    conn.execute("COMMIT")
    conn.close()
    return p


@pytest.fixture
def sstore(db):
    """The SQLite store (its side index, its plans)."""
    s = Store.open(db, clock=Clock(T0))
    yield s
    s.close()


@pytest.fixture
def store(db, backend, request):
    """The same rows on each backend (PostgreSQL: the file migrated into a fresh database)."""
    if backend == "sqlite":
        s = Store.open(db, clock=Clock(T0))
    else:
        from store import open_store
        from store.transfer import migrate
        server = request.getfixturevalue("pg_server")
        url = server.new_db(empty=True)
        request.addfinalizer(lambda: server.drop_db(url))
        migrate(str(db), url)
        s = open_store(url, clock=Clock(T0))
    yield s
    s.close()


def _all(store):
    return store.list_view("all", limit=10_000)


def _in_view(store, view, issue):
    cutoff = T0 - 15 * 60 * NS
    from store.timestamps import parse_ns
    claimed = parse_ns(issue.claimed_at)
    if view == "ready":
        return issue.status == "open" and not issue.is_blocked
    if view == "in_progress":
        return issue.status == "in_progress"
    if view == "stale":
        return issue.status == "in_progress" and (claimed is None or claimed < cutoff)
    if view == "blocked":
        return issue.status == "open" and issue.is_blocked
    if view == "done":
        return issue.status == "done"
    return True


class _Rev:
    """Reverses the order of a key inside a sort key."""

    def __init__(self, v):
        self.v = v

    def __lt__(self, other):
        return other.v < self.v

    def __eq__(self, other):
        return self.v == other.v


def _key(name, issue):
    from store.timestamps import parse_ns

    def nn(v):  # SQLite: NULL sorts first ascending
        return (v is not None, v if v is not None else "")
    raw_prio = issue.priority if issue.priority is None else str(issue.priority)
    return {
        "number": (),
        "priority": (RANK.get(raw_prio, 2), issue.created_at),
        "type": (nn(None if issue.issue_type is None else str(issue.issue_type)),),
        "agent": (issue.agent,),
        "title": (issue.title,),
        "status": (str(issue.status),),
        "created": (issue.created_at,),
        "updated": (issue.updated_at,),
        "claimed": (nn(parse_ns(issue.claimed_at)),),
        "claimed_by": (nn(issue.claimed_by),),
        "completed": (nn(issue.completed_at),),
        "reason": (nn(issue.blocked_reason),),
    }[name] + (issue.number,)


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("key", list(SORT_KEYS))
def test_every_sort_of_every_view_matches_python(store, view, key):
    everything = _all(store)
    # '' in description/claimed_by/... reads as None in Issue; the stored rows here use NULL or text only
    # for the sorted columns, except description (not a sort key)
    def everything_in(v):
        return [i for i in everything if _in_view(store, v, i)]
    expected = sorted(everything_in(view), key=lambda i: _key(key, i))
    assert len(expected) > 5, view
    for desc in (False, True):
        got = store.list_view(view, sort=(key, desc), limit=10_000)
        want = expected
        if desc and (sort_indexed(view, key) or key == "number"):
            want = list(reversed(expected))  # read backwards along the index: ties reversed too
        elif desc:  # read by a scan: the key reversed, ties stay in number order
            want = sorted(everything_in(view), key=lambda i: (_Rev(_key(key, i)[0]), _key(key, i)[1:]))
        assert [i.number for i in got] == [i.number for i in want], (view, key, desc)
        # paging from the far end (second half of the view) gives the same rows
        total = len(want)
        page = store.list_view(view, sort=(key, desc), limit=7, offset=total - 9, total=total)
        assert [i.number for i in page] == [i.number for i in want[total - 9:total - 2]]


def test_default_sort_is_the_views_old_order(store):
    for view in VIEWS:
        assert store.list_view(view, limit=10_000) == store.list_view(view, sort=DEFAULT_SORT[view], limit=10_000)


def _matches(issue, q, runs=("alice-*",)):
    import fnmatch
    text = " ".join(x for x in (issue.title, issue.description or "", issue.blocked_reason or "")).lower()
    for w in q.words:
        if w.lower() not in text:
            return False
    for w in q.excluded:
        if w.lower() in text:
            return False
    if q.numbers and issue.number not in q.numbers:
        return False
    for key, value, neg in q.filters:
        ok = {
            "agent": lambda: issue.agent == value,
            "pri": lambda: RANK.get(None if issue.priority is None else str(issue.priority), 2) == RANK[value],
            "type": lambda: str(issue.issue_type) == value,
            "is": lambda: {"blocked": issue.status == "open" and issue.is_blocked,
                           "mine": issue.status == "in_progress" and any(fnmatch.fnmatchcase(issue.claimed_by or "", r) for r in runs),
                           "stale": _in_view(None, "stale", issue)}[value],
            "number": lambda: issue.number == int(value),
        }[key]()
        if ok == neg:
            return False
    return True


QUERIES = ["cache", "CACHE claim", "ünïcode", "upstream", "cache -flaky", "agent:codex pri:urgent", "type:bug is:blocked",
           "is:mine", "-is:stale expiry", "#12", "#12 #13 cache", "-#5 queue", "-agent:claude timeout",
           "pri:medium", "nosuchword", "\"claim expiry\""]


def _check_search(store, query):
    q = parse(query)
    for view in ("ready", "all", "blocked", "in_progress"):
        expected = [i.number for i in store.list_view(view, limit=10_000) if _matches(i, q)]
        got = [i.number for i in store.list_view(view, search=query, limit=10_000)]
        assert got == expected, (view, query)
        assert store.count_view(view, search=query) == len(expected)


@pytest.mark.parametrize("query", QUERIES)
def test_search_language_matches_model(store, query):
    """Both backends, without a side index (SQLite: the exact LIKE scan; PostgreSQL: ILIKE)."""
    store.my_runs = ("alice-*",)
    _check_search(store, query)


@pytest.mark.parametrize("query", QUERIES)
def test_search_through_the_side_index_matches_model(sstore, db, tmp_path, query):
    sstore.my_runs = ("alice-*",)
    idx = SearchIndex(db, folder=tmp_path)
    assert idx.build(sstore)
    sstore.search_index = idx
    assert idx.usable(sstore)
    _check_search(sstore, query)


def test_search_words_reach_description_and_reason(store):
    numbers = {i.number for i in store.list_view("all", search="upstream", limit=10_000)}
    assert numbers and all(store.get_issue_by_number(n).blocked_reason.endswith("upstream") for n in numbers)


def test_fts_plan_and_side_file_only(sstore, db, tmp_path):
    idx = SearchIndex(db, folder=tmp_path)
    idx.build(sstore)
    sstore.search_index = idx
    vs = sstore._view_sql("all", None, "cache", None)
    sql, params = vs.page(200, 0)
    plan = " | ".join(r[3] for r in sstore.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "VIRTUAL TABLE INDEX" in plan, plan  # the MATCH runs in the side file's FTS5 table
    assert idx.path.parent == tmp_path
    conn = raw(db)
    names = [r[0] for r in conn.execute("SELECT sql FROM sqlite_master WHERE sql IS NOT NULL")]
    conn.close()
    assert not [s for s in names if "fts" in s.lower() or "tui_search" in s.lower()]


def test_fts_follows_writes_through_sync(sstore, db, tmp_path):
    idx = SearchIndex(db, folder=tmp_path)
    idx.build(sstore)
    sstore.search_index = idx
    sstore.clock.advance(seconds=1)
    new = sstore.create_issue("zebra crossing", description="quokka")
    old = sstore.list_view("all", search="cache", limit=1)[0]
    sstore.update_issue(old.id, title="walrus tusk")
    idx.sync(sstore)
    assert [i.number for i in sstore.list_view("all", search="quokka")] == [new.number]
    assert [i.number for i in sstore.list_view("all", search="walrus")] == [old.number]
    # an entry that lags behind its row never shows a wrong match: the row is checked too
    conn = raw(db)
    conn.execute("UPDATE issues SET title = 'plain' WHERE id = ?", (new.id,))  # raw edit, updated_at untouched
    conn.execute("UPDATE issues SET description = NULL WHERE id = ?", (new.id,))
    conn.close()
    assert sstore.list_view("all", search="zebra") == []


# The crate's exact write statements (compat.md section 4), replayed on a raw connection like the crate's.
CRATE_WRITES = [
    ("UPDATE issue_counter SET next_number = next_number + 1 WHERE id = 1 RETURNING next_number - 1", ()),
    ("INSERT INTO issues (id, number, title, description, priority, issue_type, agent, created_at, updated_at)\n"
     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ("ID", 9001, "crate row", "desc", "high", "bug", "claude", "TS", "TS")),
    ("UPDATE issues SET\n  status = 'in_progress',\n  claimed_by = ?,\n  claimed_at = ?,\n  updated_at = ?\nWHERE id = ?\n"
     "  AND status = 'open'\n  AND is_blocked = 0\n  AND (claimed_by IS NULL OR claimed_at < datetime('now', '-15 minutes'))",
     ("run-9", "TS", "TS", "ID")),
    ("UPDATE issues SET\n  status = 'open',\n  claimed_by = NULL,\n  claimed_at = NULL,\n  updated_at = ?\nWHERE id = ?", ("TS", "ID")),
    ("UPDATE issues SET\n  is_blocked = 1,\n  blocked_reason = ?,\n  status = 'open',\n  claimed_by = NULL,\n"
     "  claimed_at = NULL,\n  updated_at = ?\nWHERE id = ?", ("why", "TS", "ID")),
    ("UPDATE issues SET\n  is_blocked = 0,\n  blocked_reason = NULL,\n  updated_at = ?\nWHERE id = ?", ("TS", "ID")),
    ("UPDATE issues SET updated_at = ?, title = ?, description = ?, priority = ?, issue_type = ? WHERE id = ?",
     ("TS", "t2", "d2", "low", "task", "ID")),
    ("UPDATE issues SET\n  status = 'done',\n  claimed_by = NULL,\n  claimed_at = NULL,\n  completed_at = ?,\n"
     "  updated_at = ?\nWHERE id = ?", ("TS", "TS", "ID")),
    ("DELETE FROM issue_events WHERE issue_id = ?", ("ID",)),
    ("DELETE FROM issues WHERE id = ?", ("ID",)),
]


def test_crate_writes_succeed_on_an_indexed_file(sstore, db, tmp_path):
    idx = SearchIndex(db, folder=tmp_path)
    idx.build(sstore)
    sstore.search_index = idx
    assert sstore.list_view("all", search="cache", limit=1)  # the side file is attached and searched
    crate = sqlite3.connect(str(db), isolation_level=None)  # autocommit, like rusqlite
    crate.execute("PRAGMA foreign_keys = ON")
    now = format_ns(T0)
    issue_id = str(uuid.uuid4())
    for sql, params in CRATE_WRITES:
        params = tuple(issue_id if p == "ID" else now if p == "TS" else p for p in params)
        cur = crate.execute(sql, params)
        cur.fetchall()
        if sql.startswith(("UPDATE issues", "DELETE FROM issues", "INSERT")):
            assert cur.rowcount == 1, sql
    crate.close()
    assert sstore.get_issue_by_id(issue_id) is None
    # the shared file holds nothing that needs FTS5 (no virtual table, no trigger of ours but the counts ones)
    conn = raw(db)
    objects = conn.execute("SELECT type, name, sql FROM sqlite_master").fetchall()
    conn.close()
    assert not [o for o in objects if o[2] and ("fts" in o[2].lower() or "VIRTUAL" in o[2].upper())]
    assert {o[1] for o in objects if o[0] == "trigger"} == {"sync_issue_counter_on_insert", "tui_counts_insert",
                                                            "tui_counts_delete", "tui_counts_update"}
    assert idx.sync(sstore) >= 0


PG_INDEX_QUERIES = QUERIES + ["%", "_", "ca%he", "y 1", "\\", "ÜNÏ", "ue", "-e", "nothing here", "e upstream"]


@pytest.mark.parametrize("backend", ["postgres"])
def test_pg_trigram_indexes_give_the_scans_rows(store):
    """PostgreSQL: the same rows with the pg_trgm indexes forced (no seq scan) and with them dropped (the old
    ILIKE scan), both equal to the model, for LIKE metacharacters, short words, phrases and non-ASCII too."""
    from store.postgres import search_index
    store.my_runs = ("alice-*",)
    assert search_index.have(store.conn)
    store.conn.execute("SET enable_seqscan = off")  # the word terms go through the indexes wherever they can
    plan = "\n".join(r[0] for r in store.conn.execute(
        "EXPLAIN SELECT count(*) FROM issues WHERE title ILIKE '%cache%'"))
    assert "tui_search_title" in plan, plan
    indexed = {}
    for query in PG_INDEX_QUERIES:
        _check_search(store, query)
        indexed[query] = [i.number for i in store.list_view("all", search=query, limit=10_000)]
    store.conn.execute("RESET enable_seqscan")
    for col in ("title", "description", "blocked_reason"):
        store.conn.execute(f"DROP INDEX tui_search_{col}")
    assert not search_index.have(store.conn)
    for query in PG_INDEX_QUERIES:
        _check_search(store, query)
        assert [i.number for i in store.list_view("all", search=query, limit=10_000)] == indexed[query], query
