"""Import: the crate's rules, our decisions (compat.md 11), and a fuzz that never half-writes."""

from __future__ import annotations

import json
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from store import ImportFormatError, Status, Store, StoreError
from storetest_helpers import FIXTURES, Clock, dump_tables, is_pg, raw

EXPORT_ALL = (FIXTURES / "crate-v5-small.export-all.json").read_text()


def _issue(n, **over):
    base = {
        "id": f"00000000-0000-4000-8000-{n:012d}", "number": n, "title": f"imported {n}", "description": None,
        "status": "open", "priority": "medium", "issue_type": "task", "agent": "codex", "is_blocked": False,
        "blocked_reason": None, "claimed_by": None, "claimed_at": None,
        "created_at": "2025-12-20T16:59:41.173094342Z", "updated_at": "2025-12-20T17:00:00Z", "completed_at": None,
    }
    base.update(over)
    return base


def _counter(path):
    conn = raw(path)
    n = conn.execute("SELECT next_number FROM issue_counter").fetchone()[0]
    conn.close()
    return n


def test_missing_agent_fails_whole_file(store):
    rows = [_issue(1), _issue(2)]
    del rows[1]["agent"]
    before = dump_tables(store.path)
    with pytest.raises(ImportFormatError) as exc:
        store.import_json(json.dumps(rows))
    assert "agent" in str(exc.value) and "\n" not in str(exc.value)
    assert dump_tables(store.path) == before


@pytest.mark.parametrize("field, value", [("priority", "critical"), ("issue_type", "epic"), ("status", "blocked"),
                                          ("created_at", "2025-12-20 16:59:41"), ("is_blocked", 0), ("number", "3")])
def test_crate_rejections(store, field, value):
    before = dump_tables(store.path)
    with pytest.raises(ImportFormatError):
        store.import_json(json.dumps([_issue(1), _issue(2, **{field: value})]))
    assert dump_tables(store.path) == before


def test_in_progress_spelling_accepted(store):
    rows = [_issue(1, status="in_progress", claimed_by="run-1", claimed_at="2025-12-20T17:00:00Z"),
            _issue(2, status="inprogress", claimed_by="run-2", claimed_at="2025-12-20T17:00:00+00:00")]
    assert store.import_json(json.dumps(rows)) == {"imported": 2, "updated": 0, "skipped": 0}
    conn = raw(store.path)
    assert conn.execute("SELECT status FROM issues ORDER BY number").fetchall() == [("in_progress",), ("in_progress",)]
    conn.close()
    assert json.loads(store.export_json())[0]["status"] == "inprogress"


def test_unknown_fields_ignored_missing_options_null(store):
    row = _issue(1, directive_id="d-1", project_id="p-1", auto_created=True)
    for k in ("description", "blocked_reason", "claimed_by", "claimed_at", "completed_at"):
        del row[k]
    assert store.import_json(json.dumps([row]))["imported"] == 1
    got = store.get_issue_by_number(1)
    assert got.description is None and not any(got.extra.values())  # the file's v11 fields are not imported


def test_imported_rows_keep_values_and_get_nulls(store):
    rows = [_issue(1, description=None, completed_at=None), _issue(2, description="", blocked_reason="")]
    store.import_json(json.dumps(rows))
    conn = raw(store.path)
    got = conn.execute("SELECT description, blocked_reason, claimed_by, claimed_at, completed_at, created_at, "
                       "updated_at, typeof(number), typeof(is_blocked) FROM issues ORDER BY number").fetchall()
    conn.close()
    for r in got:
        assert r[:5] == (None,) * 5
        assert r[5] == "2025-12-20T16:59:41.173094342+00:00" and r[6] == "2025-12-20T17:00:00+00:00"
        assert r[7:] == (("integer", "boolean") if is_pg(store.path) else ("integer", "integer"))  # native types


def test_one_imported_event_per_row_written(store, clock):
    existing = store.create_issue("already here")
    rows = [_issue(5), _issue(6), {**_issue(1), "id": existing.id}]
    assert store.import_json(json.dumps(rows), actor="importer") == {"imported": 2, "updated": 0, "skipped": 1}
    conn = raw(store.path)
    ev = conn.execute("SELECT issue_id, actor, event_type, new_value FROM issue_events WHERE event_type = 'imported' "
                      "ORDER BY rowid").fetchall()
    conn.close()
    assert ev == [(rows[0]["id"], "importer", "imported", "imported 5"), (rows[1]["id"], "importer", "imported", "imported 6")]
    assert store.get_issue_by_id(existing.id).title == "already here"


def test_counter_kept_ahead(store, clock):
    store.create_issue("one")
    store.import_json(json.dumps([_issue(40), _issue(7)]))
    assert _counter(store.path) == 41
    assert store.create_issue("next").number == 41


def test_force_updates_every_field_but_id_and_number(store, clock):
    a = store.create_issue("original", "desc", "low", "bug", "claude")
    store.claim_issue(a.id, "run-1")
    new = _issue(99, id=a.id, title="from file", description="file desc", status="done", priority="urgent",
                 issue_type="feature", agent="codex", is_blocked=True, blocked_reason="r", claimed_by="run-9",
                 claimed_at="2025-01-01T00:00:00Z", created_at="2024-01-01T00:00:00Z",
                 updated_at="2024-06-01T00:00:00.5Z", completed_at="2024-06-01T00:00:00Z")
    before = dump_tables(store.path)
    assert store.import_json(json.dumps([new])) == {"imported": 0, "updated": 0, "skipped": 1}
    assert dump_tables(store.path) == before  # without force: skipped, nothing written
    assert store.import_json(json.dumps([new]), force=True) == {"imported": 0, "updated": 1, "skipped": 0}
    got = store.get_issue_by_id(a.id)
    assert got.number == a.number
    assert (got.title, got.description, got.status, got.priority, got.issue_type, got.agent) == \
        ("from file", "file desc", Status.DONE, "urgent", "feature", "codex")
    assert (got.is_blocked, got.blocked_reason, got.claimed_by) == (True, "r", "run-9")
    assert (got.claimed_at, got.created_at, got.updated_at, got.completed_at) == (
        "2025-01-01T00:00:00+00:00", "2024-01-01T00:00:00+00:00", "2024-06-01T00:00:00.500+00:00",
        "2024-06-01T00:00:00+00:00")
    # force with nulls clears
    store.import_json(json.dumps([_issue(99, id=a.id)]), force=True)
    got = store.get_issue_by_id(a.id)
    assert got.description is None and got.claimed_by is None and not got.is_blocked
    assert store.counts().total == 1


def test_round_trip_through_existing_db(small_db, tmp_path):
    """Export of the crate file imported into a DB that already holds it: everything skipped, force is a no-op."""
    with Store.open(small_db) as s:
        before = s.export_json(include_completed=True)
        assert s.import_json(EXPORT_ALL)["skipped"] == 29
        assert s.import_json(EXPORT_ALL, force=True)["updated"] == 29
        assert s.export_json(include_completed=True) == before


# -- fuzz ----------------------------------------------------------------------------------------
_json_scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                          st.floats(allow_nan=False), st.text(max_size=8),
                          st.sampled_from(["\ud800", "inprogress", "in_progress", "open", "done", "urgent", "bug",
                                           "2025-12-20T16:59:41Z", "2025-12-20 16:59:41", "9999-12-31T23:59:59-23:59",
                                           "", "x" * 300]))
_fields = list(_issue(1))


@st.composite
def issue_like(draw):
    n = draw(st.sampled_from([1, 2, 3, 4, 5, 2**31 - 1, -(2**31), 0]))
    item = _issue(n, id=draw(st.sampled_from([f"id-{n}", "id-1", "id-db-1", "id-db-2", ""])))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["drop", "set", "extra"]))
        key = draw(st.sampled_from(_fields))
        if op == "drop":
            item.pop(key, None)
        elif op == "set":
            item[key] = draw(_json_scalars)
        else:
            item[draw(st.text(max_size=5))] = draw(_json_scalars)
    return item


_payloads = st.one_of(
    st.lists(issue_like(), max_size=5).map(lambda rows: json.dumps(rows, ensure_ascii=False)),
    st.lists(issue_like(), max_size=5).map(json.dumps),
    st.lists(issue_like(), min_size=1, max_size=3).map(lambda rows: json.dumps(rows)[:-3]),  # truncated
    st.recursive(_json_scalars, lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=3), c, max_size=3),
                 max_leaves=6).map(json.dumps),
    st.text(max_size=30),
    st.just("[" * 100_000),
)


@pytest.fixture(scope="module")
def fuzz_template(tmp_path_factory):
    p = tmp_path_factory.mktemp("fuzz") / "template.db"
    with Store.open(p, clock=Clock()) as s:
        for i in (1, 2):
            s.import_json(json.dumps([_issue(i, id=f"id-db-{i}", title=f"db {i}")]))
        s.claim_issue("id-db-1", "run-1")
    return p


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(payload=_payloads, force=st.booleans())
def test_import_fuzz(tmp_path, fuzz_template, payload, force):
    p = tmp_path / "fuzz.db"
    shutil.copyfile(fuzz_template, p)
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"fuzz.db{suffix}").unlink(missing_ok=True)
    before = dump_tables(p)
    with Store.open(p, clock=Clock(), actor="fuzz") as s:
        try:
            result = s.import_json(payload, force=force)
        except StoreError as exc:  # ImportFormatError or another one-line StoreError
            assert str(exc) and "\n" not in str(exc)
            assert dump_tables(p) == before
            return
        assert set(result) == {"imported", "updated", "skipped"}
        written = result["imported"] + result["updated"]
        conn = raw(p)
        base_events = sum(1 for r in before["issue_events"] if r[3] == "imported")
        assert conn.execute("SELECT count(*) FROM issue_events WHERE event_type = 'imported'").fetchone()[0] == \
            base_events + written
        assert conn.execute("SELECT count(*) FROM issues").fetchone()[0] == 2 + result["imported"]
        nxt, top = conn.execute("SELECT next_number, (SELECT max(number) FROM issues) FROM issue_counter").fetchone()
        assert nxt > top
        for col in ("description", "blocked_reason", "claimed_by", "claimed_at", "completed_at"):
            assert conn.execute(f"SELECT count(*) FROM issues WHERE {col} = ''").fetchone()[0] == 0
        conn.close()
        # whatever went in reads back and exports
        s.list_issues()
        json.loads(s.export_json(include_completed=True))
        c = s.counts()
        assert c.total == 2 + result["imported"]


@pytest.mark.parametrize("ensure_ascii", [True, False])
@pytest.mark.parametrize("field", ["title", "description", "agent", "id"])
def test_lone_surrogate_in_file_is_a_format_error(store, field, ensure_ascii):
    """serde_json refuses `\\ud800`; we refuse the file cleanly (sqlite3 would raise UnicodeEncodeError)."""
    store.create_issue("keep me")
    before = dump_tables(store.path)
    rows = [_issue(5), _issue(6, **{field: "bad \ud800 text"})]
    with pytest.raises(ImportFormatError) as exc:
        store.import_json(json.dumps(rows, ensure_ascii=ensure_ascii))
    assert "\n" not in str(exc.value)
    assert dump_tables(store.path) == before


def test_lone_surrogate_in_new_input_writes_nothing(store):
    from store import ValidationError
    a = store.create_issue("keep me")
    before = dump_tables(store.path)
    for call in (lambda: store.create_issue("bad \udc80"), lambda: store.update_issue(a.id, description="\ud800"),
                 lambda: store.claim_issue(a.id, "run-\ud800"), lambda: store.block_issue(a.id, "\ud800"),
                 lambda: store.create_project("p\ud800", "/p")):
        with pytest.raises(StoreError):
            call()
        assert dump_tables(store.path) == before
    with pytest.raises(ValidationError):
        store.create_issue("bad \udc80")
    with pytest.raises(ValidationError):  # a read with such text fails cleanly too
        store.list_view("all", search="\ud800")
