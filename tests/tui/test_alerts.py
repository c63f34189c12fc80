"""Alert detection (pure): each kind, once per key, time-driven claims, the quiet first look, config."""

from __future__ import annotations

from store import Issue, Project, Session, Store
from store.timestamps import format_ns
from tui.alerts import AlertConfig, AlertState, Observation, detect, load_alert_config, next_crossing_ns, osc_notification

T0 = 1_795_694_400 * 1_000_000_000
MIN = 60 * 1_000_000_000


def _issue(n, claimed_ns, run="run-1"):
    ts = format_ns(claimed_ns)
    return Issue(id=f"id-{n}", number=n, title=f"title {n}", description=None, status="in_progress",
                 priority="medium", issue_type="task", agent="codex", is_blocked=False, blocked_reason=None,
                 claimed_by=run, claimed_at=ts, created_at=ts, updated_at=ts, completed_at=None)


def _session(sid, status="running", pid=None, spent=0.0, project="p1"):
    return Session(id=sid, project_id=project, status=status, prompt="p", model="sonnet", pid=pid,
                   trajectory_path=None, started_at=format_ns(T0), ended_at=None, budget_spent=spent,
                   issues_completed=0)


PROJECTS = {"p1": Project("p1", "proj", "/x", None, None, 10.0, format_ns(T0), format_ns(T0))}


def test_claim_crossing_15_minutes_raises_exactly_one_alert():
    state = AlertState()
    claim = _issue(7, T0)
    obs = Observation(live_claims=[claim], ready=3)
    assert detect(state, obs, T0 + 1 * MIN) == []  # the first look
    raised = []
    for second in range(60, 20 * 60, 1):  # the 1 s tick, no write, for 20 minutes
        raised += detect(state, obs, T0 + second * 1_000_000_000)
    # then a reload lists it among the stale claims: still the same alert
    raised += detect(state, Observation(stale_claims=[claim], stale_count=1, ready=3), T0 + 21 * MIN)
    assert len(raised) == 1, raised
    alert = raised[0]
    assert alert.kind == "stale_claim" and alert.issue_id == "id-7" and "#7 title 7" in alert.message
    assert alert.at_ns == T0 + 15 * MIN  # at the tick where it crossed, not later
    # the same issue claimed again later and going stale again is a new alert
    again = _issue(7, T0 + 30 * MIN)
    assert len(detect(state, Observation(live_claims=[again]), T0 + 46 * MIN)) == 1


def test_first_look_is_quiet_with_one_summary():
    state = AlertState()
    old = [_issue(n, T0 - 60 * MIN) for n in range(1, 4)]
    first = detect(state, Observation(stale_claims=old, stale_count=40, ready=5,
                                      sessions=[_session("s-old", "failed")]), T0)
    assert [a.message for a in first] == ["40 claims already stale (view S)"] and first[0].at_open
    # nothing of that is raised later either
    assert detect(state, Observation(stale_claims=old, stale_count=40, ready=5,
                                     sessions=[_session("s-old", "failed")]), T0 + MIN) == []


def test_sessions_failed_dead_and_spend():
    state = AlertState()
    detect(state, Observation(ready=1), T0)
    sessions = [_session("s-f", "failed", pid=11), _session("s-d", pid=12), _session("s-$", spent=8.5)]
    alive = lambda pid: pid != 12
    got = detect(state, Observation(ready=1, sessions=sessions, projects=PROJECTS), T0, alive=alive)
    kinds = sorted(a.kind for a in got)
    assert kinds == ["pid_dead", "session_failed", "spend"]
    spend = next(a for a in got if a.kind == "spend")
    assert "85% of proj's budget" in spend.message
    assert detect(state, Observation(ready=1, sessions=sessions, projects=PROJECTS), T0 + MIN, alive=alive) == []
    # under the threshold: nothing
    s2 = AlertState()
    detect(s2, Observation(), T0)
    assert detect(s2, Observation(sessions=[_session("s-7", spent=7.9)], projects=PROJECTS), T0) == []


def test_ready_empty_raised_on_each_run_dry_only():
    state = AlertState()
    seq = [3, 0, 0, 0, 2, 0, 0]
    raised = [len(detect(state, Observation(ready=n), T0 + i * MIN)) for i, n in enumerate(seq)]
    assert raised == [0, 1, 0, 0, 0, 1, 0]


def test_kinds_turned_off_and_threshold_from_config():
    problems: list[str] = []
    cfg = load_alert_config({"stale_claim": False, "ready_empty": False, "spend_threshold": 50, "desktop": False,
                             "bogus": 1}, problems)
    assert cfg.enabled == frozenset({"session_failed", "pid_dead", "spend"}) and cfg.spend_threshold == 0.5
    assert not cfg.desktop and len(problems) == 1 and "bogus" in problems[0]
    state = AlertState()
    detect(state, Observation(ready=2), T0, cfg)
    obs = Observation(live_claims=[_issue(1, T0)], ready=0, sessions=[_session("s", spent=5.0)], projects=PROJECTS)
    got = detect(state, obs, T0 + 16 * MIN, cfg)
    assert [a.kind for a in got] == ["spend"]


def test_many_at_once_are_grouped():
    state = AlertState()
    detect(state, Observation(ready=1), T0)
    claims = [_issue(n, T0) for n in range(1, 30)]
    got = detect(state, Observation(live_claims=claims, ready=1), T0 + 16 * MIN)
    assert len(got) == 1 and got[0].message.startswith("29 new alerts: Claim went stale: #1")


def test_next_crossing_and_osc_is_sanitised():
    obs = Observation(live_claims=[_issue(2, T0 + 5 * MIN), _issue(1, T0)])
    assert next_crossing_ns(obs) == T0 + 15 * MIN
    seq = osc_notification("issues-tui", "#5 \x1b]52;c;evil\x07 title; more\x9b")
    assert seq.count("\x1b") == 4 and "\x07" not in seq and "\x9b" not in seq
    assert seq.startswith("\x1b]777;notify;issues-tui;#5  ]52 c evil  title  more")


def test_watched_claims_from_the_store(tmp_path):
    clock = [T0]
    s = Store.open(tmp_path / "a.db", clock=lambda: clock[0])
    ids = []
    for n in range(4):
        i = s.create_issue(f"t{n}")
        clock[0] += MIN
        s.claim_issue(i.id, f"run-{n}")
        ids.append(i.id)
    clock[0] = T0 + 17 * MIN + 30 * 1_000_000_000  # claims at +1 and +2 min are stale; +3, +4 live
    live, stale = s.watched_claims()
    assert [i.id for i in live] == ids[2:] and [i.id for i in stale] == [ids[1], ids[0]]
    s.close()
