"""The crate's own files: every read equals what the crate answered for the same DB."""

from __future__ import annotations

import json

import pytest

from store import Priority, Status, Store, open_store
from store.timestamps import to_export

from storetest_helpers import FIXTURES, copy_fixture, raw

_STATUS_TO_EXPORT = {"open": "open", "in_progress": "inprogress", "done": "done"}


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (FIXTURES / name).read_text().splitlines() if line.strip()]


def _export_view(issue) -> dict:
    """Map a store Issue to the crate's export JSON fields."""
    return {
        "id": issue.id,
        "number": issue.number,
        "title": issue.title,
        "description": issue.description,
        "status": _STATUS_TO_EXPORT[str(issue.status)],
        "priority": str(issue.priority),
        "issue_type": str(issue.issue_type),
        "agent": issue.agent,
        "is_blocked": issue.is_blocked,
        "blocked_reason": issue.blocked_reason,
        "claimed_by": issue.claimed_by,
        "claimed_at": to_export(issue.claimed_at),
        "created_at": to_export(issue.created_at),
        "updated_at": to_export(issue.updated_at),
        "completed_at": to_export(issue.completed_at),
    }


@pytest.fixture
def small(small_target):
    s = open_store(small_target)
    yield s
    s.close()


def test_every_issue_equals_crate_export(small):
    expected = json.loads((FIXTURES / "crate-v5-small.export-all.json").read_text())
    issues = small.list_view("all", limit=10_000)
    assert len(issues) == len(expected) == 29
    for issue, exp in zip(issues, expected):
        got = _export_view(issue)
        assert list(got) == list(exp)  # same fields, same order
        for key in exp:
            assert got[key] == exp[key], (issue.number, key)
        # also by id lookup
        assert _export_view(small.get_issue_by_id(exp["id"])) == exp
        assert _export_view(small.get_issue_by_number(exp["number"])) == exp


def test_list_issues_matches_export_order(small):
    expected = json.loads((FIXTURES / "crate-v5-small.export-all.json").read_text())
    assert [i.number for i in small.list_issues()] == [e["number"] for e in expected]
    opened = small.list_issues(Status.OPEN)
    assert [i.number for i in opened] == [e["number"] for e in expected if e["status"] == "open"]


@pytest.mark.parametrize("agent, answer", [(None, "crate-v5-small.ready.jsonl"),
                                           ("codex", "crate-v5-small.ready-codex.jsonl")])
def test_ready_queue_equals_crate(small, agent, answer):
    expected = _jsonl(answer)
    assert expected, "answer file must not be empty"
    queue = small.ready_queue(agent=agent, limit=1000)
    assert [i.id for i in queue] == [e["id"] for e in expected]
    assert [_export_view(i) for i in queue] == expected
    first = small.get_next_ready_issue(agent)
    assert first is not None and first.id == expected[0]["id"]


def test_ready_queue_paging_is_consistent(small):
    whole = [i.id for i in small.ready_queue(limit=1000)]
    paged = []
    for offset in range(0, len(whole), 4):
        paged += [i.id for i in small.ready_queue(limit=4, offset=offset)]
    assert paged == whole


@pytest.mark.parametrize("include, answer", [(True, "crate-v5-small.export-all.json"),
                                             (False, "crate-v5-small.export-open.json")])
def test_export_byte_identical(small, include, answer):
    assert small.export_json(include_completed=include).encode() == (FIXTURES / answer).read_bytes()


@pytest.mark.parametrize("answer", ["crate-v5-small.export-all.json", "crate-v5-small.export-open.json"])
def test_import_then_export_round_trips(new_target, answer):
    data = (FIXTURES / answer).read_text()
    with open_store(new_target) as s:
        result = s.import_json(data)
        n = len(json.loads(data))
        assert result == {"imported": n, "updated": 0, "skipped": 0}
        assert s.export_json(include_completed=True).encode() == data.encode()
        # importing again skips everything and changes nothing
        assert s.import_json(data) == {"imported": 0, "updated": 0, "skipped": n}
        assert s.export_json(include_completed=True).encode() == data.encode()


def test_projects_equal_crate(small):
    expected = _jsonl("crate-v5-small.projects.jsonl")
    got = [{k: getattr(p, k) for k in expected[0]} for p in small.list_projects()]
    assert got == expected
    for exp in expected:
        assert small.get_project_by_name(exp["name"]).id == exp["id"]
        assert small.get_project_by_id(exp["id"]).name == exp["name"]


def test_sessions_equal_crate(small):
    expected = _jsonl("crate-v5-small.sessions.jsonl")

    def view(s):
        return {k: (str(getattr(s, k)) if k == "status" else getattr(s, k)) for k in expected[0]}

    assert [view(s) for s in small.list_sessions()] == expected
    active = _jsonl("crate-v5-small.active.jsonl")
    assert [view(s) for s in small.get_active_sessions()] == active
    for project in small.list_projects():
        assert [view(s) for s in small.list_sessions(project.id)] == [e for e in expected if e["project_id"] == project.id]
    for exp in expected:
        assert view(small.get_session(exp["id"])) == exp


def test_read_only_open_of_fixture_reads_the_same(tmp_path):
    path = copy_fixture(tmp_path, "crate-v5-small.db")
    with Store.open(path, read_only=True) as s:
        assert s.info.read_only and s.info.schema_version == 5
        assert [i.id for i in s.ready_queue(limit=1000)] == [e["id"] for e in _jsonl("crate-v5-small.ready.jsonl")]
        assert s.export_json(include_completed=True).encode() == (FIXTURES / "crate-v5-small.export-all.json").read_bytes()


# -- the edge fixture ------------------------------------------------------------------------------
@pytest.fixture
def edge(edge_target):
    s = open_store(edge_target)
    yield s
    s.close()


def test_edge_reads_hostile_text_literally(edge, edge_target):
    conn = raw(edge_target)
    rows = {r[0]: r for r in conn.execute("SELECT number, title, description, agent FROM issues")}
    conn.close()
    issues = {i.number: i for i in edge.list_issues()}
    assert set(issues) == set(rows) == {1, 2, 3, 4, 5, 6}
    for n, (_, title, description, agent) in rows.items():
        assert issues[n].title == title
        assert issues[n].description == description
        assert issues[n].agent == agent
    assert issues[1].title == "Fix [bold red]markup[/] in titles"
    assert "日本語" in issues[2].title and "🚀" in issues[2].title
    assert "[link=https://example.com]" in issues[2].description
    assert len(issues[3].title) == 640
    assert issues[4].title == "Tab\tand trailing space "
    assert issues[4].agent == "Codex"  # case kept, not normalised


def test_edge_agent_filter_is_case_sensitive(edge):
    assert [i.number for i in edge.ready_queue(agent="Codex", limit=100)] == [4]
    assert edge.ready_queue(agent="codex", limit=100) == []
    assert [i.number for i in edge.ready_queue(limit=100)] == [1, 2, 4, 3]  # high, medium x2 by created_at, low


def test_edge_stale_claim_listed_and_released(edge, edge_target):
    stale = edge.stale_claims()
    assert [i.number for i in stale] == [5]
    assert stale[0].claimed_by == "run-stale"
    assert edge.counts().stale == 1
    assert edge.release_stale_claims() == 1
    issue = edge.get_issue_by_number(5)
    assert issue.status == Status.OPEN and issue.claimed_by is None and issue.claimed_at is None
    assert edge.stale_claims() == []
    assert edge.counts().stale == 0
    # now ready, and urgent so first
    assert edge.get_next_ready_issue().number == 5
    conn = raw(edge_target)
    ev = conn.execute("SELECT event_type, old_value, new_value FROM issue_events WHERE issue_id = ?",
                      (issue.id,)).fetchall()
    conn.close()
    assert ev == [("released", "run-stale", None)]


def test_edge_stale_claim_is_claimable_again(edge):
    issue = edge.get_issue_by_number(5)
    # in_progress with a dead claim: not claimable (needs release first), but release_claim works
    assert edge.claim_issue(issue.id, "run-new") is False
    assert edge.release_claim(issue.id) is True
    assert edge.claim_issue(issue.id, "run-new") is True
    assert edge.get_issue_by_number(5).claimed_by == "run-new"


def test_edge_export_open(edge):
    out = json.loads(edge.export_json())
    assert [r["number"] for r in out] == [1, 2, 3, 4, 5]
    assert out[4]["status"] == "inprogress" and out[4]["claimed_at"] == "2020-01-01T00:00:00.123456789Z"
    assert out[0]["priority"] == str(Priority.HIGH)
