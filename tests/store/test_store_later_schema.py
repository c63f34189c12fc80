"""v6-v11 files, first class: they open (never migrated down, never altered beyond the store's own
objects), their columns are read, filtered, counted, written where they exist and left alone where not,
exported in the crate's field order, and release_stale works on them. Files are made with the crate's
later DDL (tests/later_schema.py) on top of the crate-written v5 fixture."""

from __future__ import annotations

import json
import sqlite3

import pytest

from later_schema import LATER_VERSIONS, columns, insert_issue, make_later, populate, project_ids
from store import Store, ValidationError
from storetest_helpers import Clock, dump_tables, raw

STORE_OBJECT_PREFIX = "tui_"


def crate_objects(path) -> list[tuple]:
    """sqlite_master without the store's documented additions (tui_* indexes, counts table and triggers)."""
    conn = sqlite3.connect(str(path))
    try:
        rows = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        conn.close()
    return [r for r in rows if not r[1].startswith(STORE_OBJECT_PREFIX)
            and not r[1].startswith("sqlite_autoindex_" + STORE_OBJECT_PREFIX)]


def table_rows(path) -> dict:
    tables = dump_tables(path)
    return {k: v for k, v in tables.items() if not k.startswith(STORE_OBJECT_PREFIX)}


@pytest.mark.parametrize("version", LATER_VERSIONS)
def test_every_later_version_opens_unaltered(tmp_path, version):
    p = make_later(tmp_path / f"v{version}.db", version)
    before_objects, before_rows = crate_objects(p), table_rows(p)
    cols = columns(p)
    with Store.open(p) as s:
        assert s.info.schema_version == version and s.info.migrated_from is None
        assert len(s.list_issues()) == 29
        c = s.counts()
        assert c.total == 29
        assert (c.auto is not None) == (version >= 11)
        assert s.has_column("directive_id") == (version >= 6)
        assert s.has_column("project_id") == (version >= 7)
        assert s.has_column("auto_created") == (version >= 11)
        s.export_json(include_completed=True)
    assert crate_objects(p) == before_objects  # nothing of the crate's schema changed
    assert table_rows(p) == before_rows  # opening and reading wrote no row
    assert columns(p) == cols
    with Store.open(p) as s:  # again: never migrated down, and the store's own objects pass its schema check
        assert s.info.schema_version == version
        assert not s.read_only, s.info.read_only_reason
        s.create_issue("still writable")
    conn = raw(p)
    assert conn.execute("SELECT version FROM schema_version").fetchall() == [(version,)]
    extra = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'tui_%'")}
    conn.close()
    assert ("tui_idx_auto" in extra) == (version >= 11)
    assert ("tui_idx_directive" in extra) == (version >= 6)
    from store import schema_check  # the column indexes are the ones the schema check trusts, by content
    conn = sqlite3.connect(str(p))
    report = schema_check.check(conn)
    conn.close()
    assert report.trusted and {n for n in report.present if n in ("tui_idx_auto", "tui_idx_directive")} == {
        n for n in extra if n in ("tui_idx_auto", "tui_idx_directive")}


@pytest.mark.parametrize("version", LATER_VERSIONS)
def test_read_only_open_of_later_version_changes_nothing(tmp_path, version):
    p = make_later(tmp_path / f"v{version}.db", version)
    populate(p, directives={1: "d-001"} if version >= 6 else {})
    before = p.read_bytes()
    with Store.open(p, read_only=True) as s:
        assert s.info.schema_version == version
        assert s.counts().total == 29
        if version >= 6:
            assert s.get_issue_by_number(1).directive_id == "d-001"
            assert s.directive_progress()["d-001"].total == 1
    assert p.read_bytes() == before


def test_v11_columns_read_filtered_and_counted(tmp_path):
    p = make_later(tmp_path / "v11.db", 11)
    pids = project_ids(p)
    populate(p, directives={1: "d-001", 2: "d-001", 3: "d-002", 4: ""},
             projects={1: pids["project-0"], 3: pids["project-1"]}, auto={2, 3, 5})
    with Store.open(p) as s:
        one = s.get_issue_by_number(1)
        assert (one.directive_id, one.project_id, one.auto_created) == ("d-001", pids["project-0"], False)
        assert s.get_issue_by_number(2).auto_created is True
        assert s.get_issue_by_number(4).directive_id is None  # '' reads as none
        assert s.counts().auto == 3
        assert [i.number for i in s.list_view("all", limit=100) if i.auto_created] == [2, 3, 5]
        assert [i.number for i in s.list_view("all", project_id=pids["project-1"])] == [3]
        got = s.directive_progress()
        assert set(got) == {"d-001", "d-002"}
        assert got["d-001"].total == 2


def test_claimed_count_is_in_progress_plus_live_open_claims(tmp_path):
    clock = Clock()
    with Store.open(tmp_path / "n.db", clock=clock) as s:
        a, b, c = (s.create_issue(t) for t in "abc")
        s.claim_issue(a.id, "run-1")
        s.claim_issue(b.id, "run-2")
        counts = s.counts()
        assert counts.claimed == 2 and counts.auto is None


def test_directive_progress_follows_the_issues(tmp_path):
    p = make_later(tmp_path / "v6.db", 6)
    with Store.open(p) as s:
        ids = [s.create_issue(f"d{i}", directive_id="d-007").id for i in range(4)]
        assert s.directive_progress()["d-007"].percent == 0
        s.complete_issue(ids[0])
        assert s.directive_progress()["d-007"].percent == 25
        s.claim_issue(ids[1], "run")
        s.block_issue(ids[2], "waiting")
        got = s.directive_progress()["d-007"]
        assert (got.total, got.done, got.in_progress, got.blocked, got.percent) == (4, 1, 1, 1, 25)
        for i in ids[1:]:
            s.complete_issue(i)
        assert s.directive_progress()["d-007"].percent == 100


def test_create_issue_writes_newer_columns_where_they_exist(tmp_path):
    p = make_later(tmp_path / "v11.db", 11)
    pid = project_ids(p)["project-2"]
    with Store.open(p) as s:
        made = s.create_issue("linked", directive_id=" d-003 ", project_id=pid, auto_created=True)
        plain = s.create_issue("plain")
    conn = raw(p)
    rows = conn.execute("SELECT title, directive_id, project_id, auto_created FROM issues WHERE id IN (?, ?) "
                        "ORDER BY number", (made.id, plain.id)).fetchall()
    conn.close()
    assert rows == [("linked", "d-003", pid, 1), ("plain", None, None, 0)]


def test_create_issue_checks_the_project_and_directive(tmp_path):
    p = make_later(tmp_path / "v11.db", 11)
    with Store.open(p) as s:
        before = table_rows(p)
        with pytest.raises(ValidationError, match="no project"):
            s.create_issue("x", project_id="nope")
        with pytest.raises(ValidationError, match="directive_id"):
            s.create_issue("x", directive_id="d 1")
        assert table_rows(p) == before


@pytest.mark.parametrize("version,missing", [(5, "directive_id"), (6, "project_id"), (10, "auto_created")])
def test_newer_columns_are_refused_where_the_file_lacks_them(tmp_path, version, missing):
    p = make_later(tmp_path / f"v{version}.db", version) if version > 5 else tmp_path / "v5.db"
    if version == 5:
        Store.open(p).close()
    cols = columns(p)
    pid = None
    with Store.open(p) as s:
        pid = s.list_projects()[0].id if s.list_projects() else None
        before = table_rows(p)
        value = {"directive_id": "d-001", "project_id": pid or "p", "auto_created": True}[missing]
        with pytest.raises(ValidationError, match=f"no {missing} column"):
            s.create_issue("x", **{missing: value})
        assert table_rows(p) == before
        made = s.create_issue("without")  # the columns it has are still written by default
        assert made.title == "without"
    assert columns(p) == cols  # never altered to add the column


def test_update_and_restore_directive_and_project(tmp_path):
    p = make_later(tmp_path / "v7.db", 7)
    pid = project_ids(p)["project-0"]
    with Store.open(p, actor="me") as s:
        issue = s.get_issue_by_number(1)
        assert s.update_issue(issue.id, directive_id="d-010", project_id=pid)
        got = s.get_issue_by_id(issue.id)
        assert (got.directive_id, got.project_id) == ("d-010", pid)
        events = [(e.event_type, e.old_value, e.new_value) for e in s.issue_events(issue.id)]
        assert ("directive_id", None, "d-010") in events and ("project_id", None, pid) in events
        assert s.update_issue(issue.id, directive_id="")  # '' clears
        assert s.get_issue_by_id(issue.id).directive_id is None
        assert s.restore_issue(issue.id, {"directive_id": "d-010"})
        assert s.get_issue_by_id(issue.id).directive_id == "d-010"
    p5 = tmp_path / "v5.db"
    with Store.open(p5) as s:
        i = s.create_issue("old file")
        with pytest.raises(ValidationError, match="no directive_id column"):
            s.update_issue(i.id, directive_id="d-1")
        with pytest.raises(ValidationError, match="cannot restore"):
            s.restore_issue(i.id, {"directive_id": "d-1"})


def test_v8_cascade_file_deletes_issue_with_its_events(tmp_path):
    p = make_later(tmp_path / "v8.db", 8)
    with Store.open(p) as s:
        i = s.create_issue("to delete")
        s.claim_issue(i.id, "run")
        assert len(s.issue_events(i.id)) == 2
        assert s.delete_issue(i.id)
    conn = raw(p)
    assert conn.execute("SELECT count(*) FROM issue_events WHERE issue_id = ?", (i.id,)).fetchone() == (0,)
    sql = conn.execute("SELECT sql FROM sqlite_master WHERE name = 'issue_events'").fetchone()[0]
    conn.close()
    assert "ON DELETE CASCADE" in sql


@pytest.mark.parametrize("version,fields", [
    (5, []), (6, ["directive_id"]), (7, ["directive_id", "project_id"]), (10, ["directive_id", "project_id"]),
    (11, ["directive_id", "project_id", "auto_created"]),
])
def test_export_gains_newer_fields_in_crate_order(tmp_path, version, fields):
    p = make_later(tmp_path / f"v{version}.db", version) if version > 5 else None
    if p is None:
        from storetest_helpers import copy_fixture
        p = copy_fixture(tmp_path, "crate-v5-small.db")
    if version >= 6:
        populate(p, directives={1: "d-001"}, auto={1} if version >= 11 else set())
    with Store.open(p) as s:
        rows = json.loads(s.export_json(include_completed=True))
    base = ["id", "number", "title", "description", "status", "priority", "issue_type", "agent"]
    tail = ["is_blocked", "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at"]
    expected = base + [f for f in ("directive_id", "project_id") if f in fields] + tail
    expected += ["auto_created"] if "auto_created" in fields else []
    assert all(list(r) == expected for r in rows)
    first = next(r for r in rows if r["number"] == 1)
    if version >= 6:
        assert first["directive_id"] == "d-001"
    if version >= 11:
        assert first["auto_created"] is True
        assert sum(r["auto_created"] for r in rows) == 1


def test_v5_export_unchanged_by_newer_code(tmp_path):
    from storetest_helpers import FIXTURES, copy_fixture
    p = copy_fixture(tmp_path, "crate-v5-small.db")
    with Store.open(p) as s:
        assert s.export_json(include_completed=True) == (FIXTURES / "crate-v5-small.export-all.json").read_text()


def test_export_import_round_trip_keeps_newer_fields(tmp_path):
    src = make_later(tmp_path / "a.db", 11)
    pid = project_ids(src)["project-1"]
    populate(src, directives={3: "d-004"}, projects={3: pid}, auto={3})
    with Store.open(src) as s:
        text = s.export_json(include_completed=True)
    dst = make_later(tmp_path / "b.db", 11, base=None)
    with Store.open(dst) as s:
        assert s.import_json(text)["imported"] == 29
        three = s.get_issue_by_number(3)
        assert (three.directive_id, three.project_id, three.auto_created) == ("d-004", pid, True)
        assert s.get_issue_by_number(4).auto_created is False
        assert s.export_json(include_completed=True) == text
    # the same export into a v5 file: the fields are ignored (the crate's serde ignores unknown fields too)
    with Store.open(tmp_path / "c.db") as s:
        assert s.import_json(text)["imported"] == 29
        assert s.get_issue_by_number(3).extra == {}


def test_import_rejects_bad_newer_field_types(tmp_path):
    from store import ImportFormatError
    p = make_later(tmp_path / "v11.db", 11, base=None)
    with Store.open(p) as s:
        good = json.loads(Store.open(make_later(tmp_path / "src.db", 11)).export_json(include_completed=True))[0]
        for bad in ({"auto_created": 1}, {"directive_id": 5}, {"project_id": []}):
            with pytest.raises(ImportFormatError):
                s.import_json(json.dumps([{**good, **bad}]))
        assert s.counts().total == 0


def test_schema_change_by_another_process_is_noticed(tmp_path):
    """A newer autopilot migrates the file v5 -> v11 while the store has it open."""
    from later_schema import upgrade
    from storetest_helpers import copy_fixture
    p = copy_fixture(tmp_path, "crate-v5-small.db")
    with Store.open(p) as s:
        assert s.counts().auto is None and not s.has_column("directive_id")
        upgrade(p, 11)
        populate(p, directives={1: "d-001"}, auto={1, 2})
        c = s.counts()
        assert c.auto == 2 and s.schema_version == 11
        assert s.has_column("directive_id") and s.directive_progress()["d-001"].total == 1


# -- release_stale (the autopilot's `issue release`, default 60 minutes) ---------------------------------
def test_release_stale_on_v11_file_one_event_each(tmp_path):
    p = make_later(tmp_path / "v11.db", 11, base=None)
    clock = Clock()
    with Store.open(p, clock=clock, actor="tester") as s:
        old = s.create_issue("old claim", directive_id="d-001", auto_created=True)
        mid = s.create_issue("30 min claim")
        fresh = s.create_issue("fresh claim")
        s.claim_issue(old.id, "run-old")
        clock.advance(minutes=50)
        s.claim_issue(mid.id, "run-mid")
        clock.advance(minutes=25)
        s.claim_issue(fresh.id, "run-fresh")
        clock.advance(minutes=5)
        # now: old claimed 80 min ago, mid 30, fresh 5
        assert len(s.release_stale(60)) == 1  # the autopilot's default minutes
        got = s.get_issue_by_id(old.id)
        assert (got.status, got.claimed_by, got.claimed_at) == ("open", None, None)
        assert (got.directive_id, got.auto_created) == ("d-001", True)  # newer columns untouched
        released = [e for e in s.issue_events(old.id) if e.event_type == "released"]
        assert [(e.old_value, e.new_value, e.actor) for e in released] == [("run-old", None, "tester")]
        assert len(s.release_stale(minutes=20)) == 1
        assert s.get_issue_by_id(mid.id).status == "open"
        assert s.get_issue_by_id(fresh.id).status == "in_progress"
        assert s.release_stale(minutes=60) == []
        assert [e.event_type for e in s.issue_events(mid.id)].count("released") == 1
        assert s.release_stale_claims(minutes=0) == 1
        for bad in (-1, "soon", float("nan")):
            with pytest.raises(ValidationError):
                s.release_stale(minutes=bad)


def test_release_stale_same_day_claim_compares_instants(tmp_path):
    """The crate compares strings, so a same-UTC-day claim never goes stale; ours does (compat.md 2)."""
    p = make_later(tmp_path / "v11.db", 11, base=None)
    clock = Clock()
    with Store.open(p, clock=clock) as s:
        insert_issue(p, 1, "agent claim", status="in_progress", claimed_by="run-1",
                     claimed_at="2026-11-26T10:00:00.123456789+00:00")  # 2 h before the clock's noon
        insert_issue(p, 2, "space form", status="in_progress", claimed_by="run-2", claimed_at="2026-11-26 11:30:00")
        insert_issue(p, 3, "unparseable", status="in_progress", claimed_by="run-3", claimed_at="yesterday")
        assert [i.number for i in s.release_stale(minutes=60)] == [1, 3]  # #1: 2 h, #3: no instant; #2: 30 min
        assert {i.number for i in s.list_view("in_progress")} == {2}
