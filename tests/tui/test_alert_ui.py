"""Alerts in the dashboard (pilot, a settable clock): a claim crossing 15 minutes while nobody writes raises
exactly one alert; sessions failing / dying / overspending and the ready queue running dry raise theirs; the
`!` list; a desktop notification only when the terminal is unfocused; each kind can be turned off."""

from __future__ import annotations

from textual.events import AppBlur, AppFocus

from store import Store
from tui.alerts import AlertConfig, KINDS
from tui.app import IssuesApp
from tui.config import Config
from tui.screens.alerts import AlertsScreen
from tuitest_helpers import SIZE, settle, started, wait_for

T0 = 1_795_694_400 * 1_000_000_000
MIN = 60 * 1_000_000_000


class Clock:
    def __init__(self) -> None:
        self.ns = T0

    def __call__(self) -> int:
        return self.ns


def make_db(tmp_path, clock):
    path = tmp_path / "alerts.db"
    with Store.open(path, clock=clock) as s:
        for n in range(3):
            s.create_issue(f"task {n}")
        project = s.create_project("proj", "/tmp/proj", default_budget=10.0)
        session = s.create_session(project.id, "go", "sonnet", pid=4242)
    return path, session.id


def make_app(path, clock, **alerts) -> IssuesApp:
    app = IssuesApp(path, watch=False, clock=clock, config=Config(alerts=AlertConfig(**alerts)),
                    pid_alive=lambda pid: True)
    app.notes = []
    original = app.notify

    def notify(message, *args, **kwargs):
        app.notes.append((str(message), kwargs.get("title")))
        return original(message, *args, **kwargs)

    app.notify = notify
    return app


def alerts_of(app, kind):
    return [a for a in app.alert_state.history if a.kind == kind]


async def test_claim_crossing_15_minutes_raises_exactly_one_alert(tmp_path):
    clock = Clock()
    path, _ = make_db(tmp_path, clock)
    with Store.open(path, clock=clock) as s:
        issue = s.list_view("ready", limit=1)[0]
        s.claim_issue(issue.id, "run-7")
    app = make_app(path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        loads = app.load_count
        clock.ns += 14 * MIN
        await pilot.pause(1.3)  # ticks at 14 minutes: nothing yet
        assert alerts_of(app, "stale_claim") == []
        clock.ns += 61 * 1_000_000_000  # 15:01 — no write to the file, only time passing
        await wait_for(pilot, lambda: alerts_of(app, "stale_claim"), what="the stale-claim alert")
        for _ in range(3):  # more ticks, and the reload it asked for, and a manual refresh: still one
            clock.ns += 30 * 1_000_000_000
            await pilot.pause(1.1)
        await pilot.press("r")
        await settle(pilot)
        assert app.snapshot.counts.stale == 1 and app.load_count > loads
        raised = alerts_of(app, "stale_claim")
        assert len(raised) == 1, raised
        assert raised[0].issue_id == issue.id and f"#{issue.number} task" in raised[0].message
        assert [m for m, title in app.notes if title == "Alert"] == [raised[0].message]
        assert app.desktop_sent == []  # the terminal had the focus
        # the list, and enter on the alert goes to its issue
        await pilot.press("exclamation_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, AlertsScreen), what="the alert list")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, AlertsScreen), what="the list to close")
        await wait_for(pilot, lambda: app.query_one("#issues").current is not None
                       and app.query_one("#issues").current.id == issue.id, what="the issue selected")


async def test_sessions_ready_empty_and_desktop_notification(tmp_path):
    clock = Clock()
    path, session_id = make_db(tmp_path, clock)
    app = make_app(path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        assert app.alert_state.history == []
        app.post_message(AppBlur())
        await pilot.pause()
        with Store.open(path, clock=clock) as s:  # another process: spend crosses 80 %, then the session fails
            s.update_session_metrics(session_id, 8.5, 2)
        await pilot.press("r")
        await wait_for(pilot, lambda: alerts_of(app, "spend"), what="the spend alert")
        assert "85% of proj's budget" in alerts_of(app, "spend")[0].message
        assert len(app.desktop_sent) == 1 and app.desktop_sent[0].startswith("\x1b]777;notify;issues-tui;Session")
        app.post_message(AppFocus())
        await pilot.pause()
        with Store.open(path, clock=clock) as s:
            s.update_session_status(session_id, "failed")
            for issue in s.list_view("ready", limit=10):
                s.complete_issue(issue.id)
        await pilot.press("r")
        await wait_for(pilot, lambda: alerts_of(app, "session_failed") and alerts_of(app, "ready_empty"),
                       what="the failed-session and ready-empty alerts")
        assert session_id[:8] in alerts_of(app, "session_failed")[0].message
        assert len(app.desktop_sent) == 1  # focused again: toasts only
        await pilot.press("r")
        await settle(pilot)
        assert len(app.alert_state.history) == 3  # nothing twice


async def test_dead_pid_alert_and_kinds_turned_off(tmp_path):
    clock = Clock()
    path, session_id = make_db(tmp_path, clock)
    app = IssuesApp(path, watch=False, clock=clock, pid_alive=lambda pid: False,
                    config=Config(alerts=AlertConfig(enabled=frozenset(KINDS) - {"stale_claim", "spend"})))
    with Store.open(path, clock=clock) as s:
        issue = s.list_view("ready", limit=1)[0]
        s.claim_issue(issue.id, "run-7")
        s.update_session_metrics(session_id, 9.9, 2)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await started(pilot)
        await wait_for(pilot, lambda: alerts_of(app, "pid_dead"), what="the dead-pid alert")
        assert "pid 4242 is gone" in alerts_of(app, "pid_dead")[0].message
        assert alerts_of(app, "pid_dead")[0].at_open  # it was dead before we opened: listed under `!`, no toast
        assert not [n for n in app._notifications if "pid 4242" in str(n.message)]
        clock.ns += 16 * MIN
        await pilot.pause(1.3)
        await settle(pilot)
        assert app.snapshot.counts.stale == 1
        assert alerts_of(app, "stale_claim") == [] and alerts_of(app, "spend") == []
