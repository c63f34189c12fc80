"""compat.md's corrected behaviours of the issue operations: claim expiry in every stored form, transitions
that never happen, lenient reads of odd values, validation, events and the expect_updated_at guard, export."""

from __future__ import annotations

import pytest

from store import ConflictError, Priority, Status, Store, StoreError, ValidationError, open_store
from issuetest_helpers import MIN, TS_RE, counter, events, make, row, set_columns


# -- corrected behaviours (compat.md decisions) ----------------------------------------------------
@pytest.mark.parametrize("form", ["+00:00", "Z", "z", "+02:00", "-05:30", "space", "noffset", "frac0", "frac3"])
def test_claim_expiry_every_form(store, clock, form):
    """A claim 20 minutes old has expired, a 5-minute-old one has not, whatever form claimed_at takes."""
    from datetime import datetime, timedelta, timezone

    def render(ns):
        dt = datetime.fromtimestamp(ns / 1e9, timezone.utc).replace(microsecond=(ns // 1000) % 10**6)
        base = dt.strftime("%Y-%m-%dT%H:%M:%S")
        return {
            "+00:00": f"{base}.{ns % 10**9:09d}+00:00",
            "Z": f"{base}.{ns % 10**9:09d}Z",
            "z": f"{base}.{ns % 10**9:09d}z",
            "+02:00": (dt + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S") + ".5+02:00",
            "-05:30": (dt - timedelta(hours=5, minutes=30)).strftime("%Y-%m-%dT%H:%M:%S") + "-05:30",
            "space": base.replace("T", " "),
            "noffset": base,
            "frac0": f"{base}+00:00",
            "frac3": f"{base}.123+00:00",
        }[form]

    old = make(store, clock, "old")
    young = make(store, clock, "young")
    stale_ip = make(store, clock, "stale in progress")
    live_ip = make(store, clock, "live in progress")
    now = clock()
    # open rows carrying a claim (as older crate files can), and in_progress rows
    set_columns(store.path, old.number, claimed_by="run-a", claimed_at=render(now - 20 * MIN))
    set_columns(store.path, young.number, claimed_by="run-b", claimed_at=render(now - 5 * MIN))
    set_columns(store.path, stale_ip.number, status="in_progress", claimed_by="run-c", claimed_at=render(now - 20 * MIN))
    set_columns(store.path, live_ip.number, status="in_progress", claimed_by="run-d", claimed_at=render(now - 5 * MIN))

    assert [i.id for i in store.ready_queue()] == [old.id]
    assert [i.id for i in store.stale_claims()] == [stale_ip.id]
    assert store.counts().ready == 1 and store.counts().stale == 1
    assert not store.claim_issue(young.id, "run-x")
    assert not store.release_claim(live_ip.id)
    assert store.claim_issue(old.id, "run-x")
    assert store.get_issue_by_id(old.id).claimed_by == "run-x"
    assert store.release_claim(stale_ip.id)
    assert store.get_issue_by_id(stale_ip.id).status == Status.OPEN
    # time passes: the young claims expire too
    clock.advance(minutes=11)
    assert [i.id for i in store.ready_queue()] == [young.id, stale_ip.id]
    assert [i.id for i in store.stale_claims()] == [live_ip.id]
    assert store.release_stale_claims() == 1


def test_claim_expiry_with_clock(store, clock):
    """Claims made through the store: 5 minutes later still live, 20 minutes later stale."""
    a = make(store, clock, "a")
    store.claim_issue(a.id, "run-1")
    clock.advance(minutes=5)
    assert store.stale_claims() == [] and not store.release_claim(a.id)
    assert store.release_stale_claims() == 0
    clock.advance(minutes=15)
    assert [i.id for i in store.stale_claims()] == [a.id]
    assert store.release_claim(a.id)
    assert store.claim_issue(a.id, "run-2")
    assert store.get_issue_by_id(a.id).claimed_by == "run-2"


@pytest.mark.parametrize("claimed_at", ["2026-11-26t11:55:00+00:00", " 2026-11-26T11:55:00+00:00",
                                        "2026-11-26T11:55:00+0000", "2026-11-26T11:55Z", "26/11/2026 11:55",
                                        "2026-11-26T11:55:00.123456789123+00:00"])
def test_queue_and_claim_agree_on_odd_forms(store, clock, claimed_at):
    """Whatever a claimed_at form means, the ready queue and claim_issue agree (and stale list and
    release_claim), so an agent loop of get_next_ready_issue + claim_issue never spins on one row."""
    a = make(store, clock, "open claimed")
    b = make(store, clock, "in progress")
    set_columns(store.path, a.number, claimed_by="run-a", claimed_at=claimed_at)
    set_columns(store.path, b.number, status="in_progress", claimed_by="run-b", claimed_at=claimed_at)
    in_queue = a.id in [i.id for i in store.ready_queue()]
    is_stale = b.id in [i.id for i in store.stale_claims()]
    assert store.counts().ready == int(in_queue) and store.counts().stale == int(is_stale)
    assert store.claim_issue(a.id, "run-x") == in_queue
    assert store.release_claim(b.id) == is_stale


def test_unparseable_or_missing_claimed_at_counts_as_expired(store, clock):
    a = make(store, clock, "a")
    b = make(store, clock, "b")
    set_columns(store.path, a.number, claimed_by="run-a", claimed_at="garbage")
    set_columns(store.path, b.number, status="in_progress", claimed_by="run-b", claimed_at=None)
    assert [i.id for i in store.ready_queue()] == [a.id]
    assert store.claim_issue(a.id, "run-x")
    assert [i.id for i in store.stale_claims()] == [b.id]


def test_block_never_reopens_done(store, clock):
    a = make(store, clock, "a")
    store.complete_issue(a.id)
    before = row(store.path, a.number)
    assert not store.block_issue(a.id, "nope")
    assert row(store.path, a.number) == before


def test_complete_clears_block(store, clock):
    a = make(store, clock, "a")
    store.block_issue(a.id, "why")
    assert store.complete_issue(a.id)
    r = row(store.path, a.number)
    assert (r["status"], r["is_blocked"], r["blocked_reason"]) == ("done", 0, None)
    assert not store.complete_issue(a.id)  # done -> done refused


def test_unclaim_only_from_in_progress(store, clock):
    a = make(store, clock, "a")
    before = row(store.path, a.number)
    assert not store.unclaim_issue(a.id)
    store.complete_issue(a.id)
    done = row(store.path, a.number)
    assert not store.unclaim_issue(a.id)
    assert row(store.path, a.number) == done and before["status"] == "open"


def test_unblock_only_when_blocked(store, clock):
    a = make(store, clock, "a")
    before = row(store.path, a.number)
    n_events = len(events(store.path))
    assert not store.unblock_issue(a.id)
    assert row(store.path, a.number) == before and len(events(store.path)) == n_events


def test_unknown_priority_ranks_medium_shown_raw(store, clock):
    low = make(store, clock, "low", priority="low")
    med1 = make(store, clock, "med1")
    crit = make(store, clock, "crit")
    med2 = make(store, clock, "med2")
    high = make(store, clock, "high", priority="high")
    nul = make(store, clock, "null prio")
    set_columns(store.path, crit.number, priority="critical")
    set_columns(store.path, nul.number, priority=None)
    assert [i.id for i in store.ready_queue()] == [high.id, med1.id, crit.id, med2.id, nul.id, low.id]
    got = store.get_issue_by_id(crit.id)
    assert got.priority == "critical" and not isinstance(got.priority, Priority) and got.priority_rank == 2
    assert store.get_issue_by_id(nul.id).priority is None
    import json
    exported = {r["number"]: r for r in json.loads(store.export_json())}
    assert exported[crit.number]["priority"] == "medium" and exported[nul.number]["priority"] == "medium"


def test_unknown_status_never_ready_counted_as_other(store, clock):
    a = make(store, clock, "a")
    make(store, clock, "b")
    set_columns(store.path, a.number, status="blocked")
    assert store.get_issue_by_id(a.id).status == "blocked"
    assert a.id not in [i.id for i in store.ready_queue()]
    c = store.counts()
    assert c.other == 1 and c.open == 1 and c.total == 2


def test_null_is_blocked_and_type_read_leniently(store, clock):
    a = make(store, clock, "a")
    set_columns(store.path, a.number, is_blocked=None, issue_type=None)
    got = store.get_issue_by_id(a.id)
    assert got.is_blocked is False and got.issue_type is None
    assert [i.id for i in store.ready_queue()] == [a.id]
    assert store.counts().ready == 1
    assert store.claim_issue(a.id, "r")


def test_empty_strings_read_as_none(store, clock):
    a = make(store, clock, "a")
    set_columns(store.path, a.number, description="", blocked_reason="", claimed_by="", claimed_at="", completed_at="")
    got = store.get_issue_by_id(a.id)
    assert (got.description, got.blocked_reason, got.claimed_by, got.claimed_at, got.completed_at) == (None,) * 5
    # '' claim (crate import) is no claim: ready and claimable
    assert [i.id for i in store.ready_queue()] == [a.id]
    assert store.claim_issue(a.id, "r")


@pytest.mark.parametrize("kwargs", [
    {"title": ""}, {"title": "   \t "}, {"title": "x" * 201}, {"title": "ok", "description": "d" * 10_001},
    {"title": "ok", "priority": "urgnet"}, {"title": "ok", "issue_type": "epic"},
])
def test_validation_on_create_writes_nothing(store, clock, kwargs):
    make(store, clock, "existing")
    before_rows, before_counter, before_events = len(store.list_issues()), counter(store.path), len(events(store.path))
    with pytest.raises(ValidationError) as exc:
        store.create_issue(**kwargs)
    assert isinstance(exc.value, StoreError) and "\n" not in str(exc.value)
    assert len(store.list_issues()) == before_rows
    assert counter(store.path) == before_counter
    assert len(events(store.path)) == before_events


def test_validation_limits_are_inclusive(store):
    assert len(store.create_issue("x" * 200, "d" * 10_000).title) == 200


@pytest.mark.parametrize("kwargs", [{"title": ""}, {"title": " "}, {"title": "x" * 201},
                                    {"description": "d" * 10_001}, {"priority": "urgnet"}])
def test_validation_on_update_writes_nothing(store, clock, kwargs):
    a = make(store, clock, "a")
    before, n_events = row(store.path, a.number), len(events(store.path))
    with pytest.raises(ValidationError):
        store.update_issue(a.id, **kwargs)
    assert row(store.path, a.number) == before and len(events(store.path)) == n_events


def test_every_write_appends_an_event(new_target, clock):
    s = open_store(new_target, clock=clock, actor="alice")
    a = s.create_issue("a", priority="low")
    expected = [(a.id, "alice", "created", None, "a")]
    clock.tick(); s.update_issue(a.id, title="a2", priority="high")
    expected += [(a.id, "alice", "title", "a", "a2"), (a.id, "alice", "priority", "low", "high")]
    clock.tick(); s.claim_issue(a.id, "run-1")
    expected += [(a.id, "run-1", "claimed", None, "run-1")]
    clock.tick(); s.unclaim_issue(a.id, actor="bob")
    expected += [(a.id, "bob", "unclaimed", "run-1", None)]
    clock.tick(); s.block_issue(a.id, "because")
    expected += [(a.id, "alice", "blocked", None, "because")]
    clock.tick(); s.unblock_issue(a.id)
    expected += [(a.id, "alice", "unblocked", "because", None)]
    clock.tick(); s.complete_issue(a.id)
    expected += [(a.id, "alice", "completed", "open", "done")]
    clock.tick(); s.reopen_issue(a.id)
    expected += [(a.id, "alice", "reopened", "done", "open")]
    got = events(s.path, a.id)
    assert [g[:5] for g in got] == expected
    assert all(TS_RE.match(g[5]) for g in got)
    assert [(e.event_type, e.actor) for e in s.issue_events(a.id)] == [(e[2], e[1]) for e in expected]
    # refused transitions write no event
    n = len(got)
    assert not s.unblock_issue(a.id) and not s.unclaim_issue(a.id)
    assert len(events(s.path, a.id)) == n
    s.close()


def test_expect_updated_at_guard(store, clock):
    a = make(store, clock, "a")
    clock.tick()
    store.update_issue(a.id, title="changed elsewhere")
    fresh = row(store.path, a.number)
    n_events = len(events(store.path))
    for call in (lambda: store.claim_issue(a.id, "r", expect_updated_at=a.updated_at),
                 lambda: store.update_issue(a.id, title="mine", expect_updated_at=a.updated_at),
                 lambda: store.complete_issue(a.id, expect_updated_at=a.updated_at),
                 lambda: store.block_issue(a.id, "x", expect_updated_at=a.updated_at),
                 lambda: store.delete_issue(a.id, expect_updated_at=a.updated_at)):
        with pytest.raises(ConflictError) as exc:
            call()
        assert exc.value.issue is not None and exc.value.issue.title == "changed elsewhere"
        assert exc.value.issue.updated_at == fresh["updated_at"]
    assert row(store.path, a.number) == fresh and len(events(store.path)) == n_events
    # the right token works
    assert store.claim_issue(a.id, "r", expect_updated_at=fresh["updated_at"])
    # deleted meanwhile
    b = make(store, clock, "b")
    store.delete_issue(b.id)
    with pytest.raises(ConflictError) as exc:
        store.update_issue(b.id, title="x", expect_updated_at=b.updated_at)
    assert exc.value.issue is None


def test_export_writes_crate_defaults_for_unknown_values(store, clock, tmp_path):
    import json
    a = make(store, clock, "a")
    b = make(store, clock, "b")
    c = make(store, clock, "c")
    set_columns(store.path, a.number, status="blocked", priority="critical", issue_type=None)
    set_columns(store.path, b.number, issue_type="epic", is_blocked=None, description="", claimed_by="")
    set_columns(store.path, c.number, status="in_progress", claimed_by="r", claimed_at="2025-12-20 16:59:41")
    out = {r["number"]: r for r in json.loads(store.export_json())}
    assert (out[a.number]["status"], out[a.number]["priority"], out[a.number]["issue_type"]) == ("open", "medium", "task")
    assert (out[b.number]["issue_type"], out[b.number]["is_blocked"], out[b.number]["description"],
            out[b.number]["claimed_by"]) == ("task", False, "", "")  # what is stored ('' as "", compat.md 6)
    assert out[c.number]["claimed_at"] == "2025-12-20T16:59:41Z"
    # and the export imports back into a new DB
    with Store.open(tmp_path / "back.db") as s2:
        assert s2.import_json(store.export_json())["imported"] == 3
