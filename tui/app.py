"""The issues-tui App: layout, bindings (each with an id, remappable) and the wiring between them.

Data flows one way:
    source (tui/live: watch, poll, loads off the UI thread) --> SourceLoaded --> widgets render
    key --> action (actions.py / navigation.py / editor.py) --> writer thread --> store --> WriteDone --> reload
The concerns live in their own modules: `actions` (triage keys that write), `navigation` (views,
filters, go to, marks, selection), `editor` ($EDITOR round-trip), `app_keys` (refresh, pause, theme, help,
which keys may run now), `paths` (checks before start), `errors` (worker failures), `live` (the sources the
app subscribes to).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import AppFocus
from textual.widgets import Input, Static

from store import IssueType, Priority, Store, default_actor, is_server_target

from .actions import TriageActions, parse_or
from .app_keys import AppKeys
from .commands import IssuesCommands
from .config import Config, load_config
from .editor import EditorActions
from .errors import ErrorHandling, crash_line, while_running
from .layout import PaneLayout
from .live import Source, SourceChanged, SourceLoaded, SourceOpened, SourceProblem, make_source
from .loader import Query, Snapshot
from .messages import WriteDone
from .navigation import VIEW_KEYS, Navigation
from .panes import ExtraPanes
from .text import visible
from .widgets.detail import DetailPane
from .widgets.directives import DirectivesPane
from .widgets.footer import KeyFooter
from .widgets.inputs import OrderedInput
from .widgets.projects import ProjectsPane
from .startup import StartUp
from .views_ui import ViewsUI
from .widgets.list_header import ListHeader
from .widgets.pulse import PulseStrip
from .widgets.ready_queue import IssueList
from .widgets.sessions import SessionsPane
from .widgets.repos import ReposPane
from .widgets.status_bar import VIEW_LABELS, empty_text, status_text, update_if_changed as _update_if_changed
from .widgets.view_tabs import ViewTabs

if TYPE_CHECKING:
    from .sources import SourceSpec

__all__ = ["IssuesApp", "VIEW_KEYS", "run_dashboard"]


class IssuesApp(StartUp, TriageActions, ExtraPanes, Navigation, ViewsUI, EditorActions, PaneLayout, ErrorHandling,
                AppKeys, App):
    CSS_PATH = "app.tcss"
    TITLE = "issues-tui"
    COMMANDS = App.COMMANDS | {IssuesCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Show every key"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit issues-tui"),
        Binding("r", "refresh", "Refresh", id="app.refresh", tooltip="Reload from the file now"),
        Binding("p", "toggle_pause", "Pause", id="app.pause", tooltip="Pause/resume live refresh"),
        Binding("slash", "filter", "Search", id="app.filter",
                tooltip="Search as you type: words (title, description, reason), agent:, pri:, type:, is:blocked|stale|mine, #N, -word"),
        Binding("s", "sort", "Sort", id="view.sort", tooltip="Sort the view (the same column again reverses)"),
        Binding("exclamation_mark", "alerts", "Alerts", show=False, id="app.alerts",
                tooltip="Every alert raised since the dashboard opened"),
        Binding("R", "view('ready')", "Ready", show=False, id="view.ready", tooltip="Ready queue"),
        Binding("I", "view('in_progress')", "In progress", show=False, id="view.in_progress", tooltip="In-progress issues"),
        Binding("B", "view('blocked')", "Blocked", show=False, id="view.blocked", tooltip="Blocked issues"),
        Binding("D", "view('done')", "Done", show=False, id="view.done", tooltip="Done issues"),
        Binding("S", "view('stale')", "Stale", show=False, id="view.stale", tooltip="Stale claims"),
        Binding("A", "view('all')", "All", show=False, id="view.all", tooltip="Every issue"),
        Binding("right_square_bracket", "cycle_view(1)", "Next view", show=False, id="view.next", tooltip="Next view"),
        Binding("left_square_bracket", "cycle_view(-1)", "Prev view", show=False, id="view.prev", tooltip="Previous view"),
        Binding("at", "cycle_agent", "Agent filter", show=False, id="app.agent_filter", tooltip="Cycle the agent filter"),
        Binding("ctrl+t", "toggle_theme", "Theme", show=False, id="app.theme", tooltip="Light/dark theme"),
        Binding("ctrl+p", "command_palette", "palette", show=False, priority=True, id="app.palette",
                tooltip="Command palette: views, filters, go to #N, triage, theme, release all stale claims"),
        Binding("f", "toggle_detail", "Full detail", show=False, id="app.detail_full",
                tooltip="Show the issue detail full screen (escape or f to go back)"),
        Binding("v", "toggle_bottom", "Panes", id="app.bottom_panes",
                tooltip="Show/hide the projects and sessions panes (hidden by themselves under 30 rows)"),
        Binding("d", "toggle_detail_pane", "Detail", show=False, id="app.detail_pane",
                tooltip="Show/hide the detail pane (the list takes its room)"),
        # Triage: on the selected issue, or on every marked one.
        Binding("n", "new_issue", "New", id="issue.new", tooltip="New issue"),
        Binding("b", "block", "Block", id="issue.block", tooltip="Block (asks for the reason)"),
        Binding("u", "unblock", "Unblock", show=False, id="issue.unblock", tooltip="Unblock"),
        Binding("plus", "bump(-1)", "Priority up", show=False, id="issue.priority_up", tooltip="Raise priority one step"),
        Binding("minus", "bump(1)", "Priority down", show=False, id="issue.priority_down", tooltip="Lower priority one step"),
        Binding("1", "priority('urgent')", "Urgent", show=False, id="issue.priority_urgent", tooltip="Set priority urgent"),
        Binding("2", "priority('high')", "High", show=False, id="issue.priority_high", tooltip="Set priority high"),
        Binding("3", "priority('medium')", "Medium", show=False, id="issue.priority_medium", tooltip="Set priority medium"),
        Binding("4", "priority('low')", "Low", show=False, id="issue.priority_low", tooltip="Set priority low"),
        Binding("t", "cycle_type", "Type", show=False, id="issue.type", tooltip="Cycle type: task, bug, feature"),
        Binding("a", "set_agent", "Agent", show=False, id="issue.agent", tooltip="Set the agent"),
        Binding("c", "complete", "Complete", id="issue.complete", tooltip="Complete (asks to confirm)"),
        Binding("o", "reopen", "Reopen", show=False, id="issue.reopen", tooltip="Unclaim an in-progress issue / reopen a done one"),
        Binding("x", "release", "Release", show=False, id="issue.release", tooltip="Release a stale claim (older than 15 min)"),
        Binding("e", "edit", "Edit", show=False, id="issue.edit", tooltip="Edit title and description"),
        Binding("E", "edit_external", "$EDITOR", show=False, id="issue.edit_external", tooltip="Edit the description in $EDITOR"),
        Binding("delete", "delete", "Delete", show=False, id="issue.delete", tooltip="Delete (asks to confirm)"),
        Binding("space", "mark", "Mark", show=False, id="issue.mark", tooltip="Mark/unmark the row for bulk actions"),
        Binding("escape", "clear_marks", "Clear marks", show=False, id="issue.clear_marks", tooltip="Clear all marks"),
        Binding("z", "undo", "Undo", id="issue.undo", tooltip="Undo the last action made here"),
    ]

    def __init__(self, db_path: str | os.PathLike, *, create: bool = False, read_only: bool = False,
                 clock: Callable[[], int] | None = None, config: Config | None = None, watch: bool = True,
                 actor: str | None = None, pid_alive: Callable[[int | None], bool | None] | None = None,
                 cursor_blink: bool = True, source: Source | None = None, state=None,
                 sources: list[SourceSpec] | None = None) -> None:
        """One file (`db_path`), or several (`sources`, more than one: a multi-repo dashboard)."""
        super().__init__()
        self.cursor_blink = cursor_blink
        self.pid_alive = pid_alive
        self.db_path = db_path if isinstance(db_path, str) and is_server_target(db_path) else Path(db_path)
        self.clock = clock or time.time_ns
        self.config = config or Config()
        self.actor = actor or default_actor("tui")
        options = dict(read_only=read_only, create=create, clock=self.clock, actor=self.actor, watch=watch,
                       poll_seconds=self.config.poll_seconds)
        if source is None and sources is not None and len(sources) > 1:
            from .live.multi import MultiSource
            source = MultiSource(sources, **options)
        self.source = source or make_source(db_path, **options)
        self.source.attach(self, query=lambda: self.query_state)
        self.query_state = Query()
        self.snapshot: Snapshot | None = None
        self.problem: str | None = None
        self.load_count = 0  # how many snapshots were applied (tests and benchmarks read it)
        self.init_triage()
        self.init_navigation()
        self.init_views_ui(state)
        self.init_layout()
        defaults = self.config.new_issue
        self.new_defaults = {
            "priority": parse_or(Priority, defaults.get("priority"), Priority.MEDIUM, self.config, "priority"),
            "issue_type": parse_or(IssueType, defaults.get("type"), IssueType.TASK, self.config, "type"),
            "agent": defaults.get("agent") or "codex",
        }
        self.config.check_theme(self.available_themes)
        self.theme = self.config.theme

    # -- what the rest of the app reads from the source ----------------------------------------
    @property
    def store(self) -> Store | None:
        return self.source.store

    @property
    def paused(self) -> bool:
        return self.source.paused

    @property
    def _generation(self) -> int:  # tests wait for the applied generation to catch up
        return self.source.generation

    @property
    def _applied_generation(self) -> int:
        return self.source.applied_generation

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text("issues-tui  opening " + visible(self.source.label) + " …"), id="status")
        yield ViewTabs(id="views")
        yield PulseStrip(id="pulse")
        yield OrderedInput(placeholder="search: words  agent:NAME  pri:urgent  type:bug  is:blocked|stale|mine  #123"
                                       "  -word  (enter keeps it, escape clears)", id="filter")
        with Horizontal(id="main"):
            with Vertical(id="list-box"):
                yield ListHeader(id="list-header")
                yield IssueList(id="issues", clock=self.clock)
            yield DetailPane(id="detail", clock=self.clock)
        with Horizontal(id="bottom"):
            yield ReposPane(id="repos")
            yield DirectivesPane(id="directives")
            yield ProjectsPane(id="projects")
            yield SessionsPane(id="sessions", clock=self.clock, alive=self.pid_alive)
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#list-box").border_title = "Ready"
        self.query_one("#detail").border_title = "Issue"
        self.query_one("#projects").border_title = "Projects"
        self.query_one("#projects").border_subtitle = "running/total"
        self.query_one("#sessions").border_title = "Sessions"
        self.query_one("#directives").border_title = "Directives"
        self.query_one("#directives").border_subtitle = "status prio done"
        self.query_one("#repos").border_title = "Repos"
        if self.config.keymap:
            self.config.check_keymap(binding_ids())
            self.set_keymap(self.config.keymap)
        if self.config.problems:  # one toast, one line per problem (each names the file and the key)
            self.notify("\n".join(visible(p) for p in self.config.problems), title="Config", severity="warning",
                        markup=False, timeout=20)
        self.query_one(IssueList).focus()
        self.watch(self.screen, "maximized", self._maximized_changed, init=False)
        self.query_one("#filter", Input).cursor_blink = self.cursor_blink
        self.apply_size(self.size.width, self.size.height)
        self.apply_layout()
        self.source.start()
        self.set_interval(1.0, self._tick)
        self.call_after_refresh(self.first_frame_done)

    def on_resize(self, event) -> None:
        self.apply_size(event.size.width, event.size.height)

    def on_unmount(self) -> None:
        self.source.stop()
        self.stop_writer()
        self.save_start_caches()

    # -- the source ----------------------------------------------------------------------------
    def on_source_opened(self, _msg: SourceOpened) -> None:
        self.start_writer()
        self.refresh_bindings()
        self.request_load()

    def on_source_changed(self, msg: SourceChanged) -> None:
        msg.source.changed(msg.reason)

    def request_load(self, **changes) -> None:
        """Ask the source for a snapshot of the current query (changed by `changes`), off the UI thread."""
        if changes:
            self.query_state = self.query_state.with_(**changes)
        self.source.want(self.query_state)

    @while_running
    def on_source_loaded(self, msg: SourceLoaded) -> None:
        if not msg.source.accept(msg):
            return
        snap = msg.snapshot
        snap.loaded_at = self.clock() / 1e9
        self.snapshot = snap
        self.problem = None
        issues = self.query_one(IssueList)
        if snap.query.selected_id is None and issues.selected_id is None and snap.selected is not None:
            issues.selected_id = snap.selected.id
        q = snap.query
        view_key = (q.view, q.tab, q.full_search, q.agent, q.project_id, q.sort, q.directive_id, q.repo)
        cutoff = self.clock() - 15 * 60 * 1_000_000_000
        issues.empty_text = empty_text(q.view, q.full_search, q.agent, q.project_id)
        issues.set_rows(view_key, snap.total, snap.offset, snap.rows, cutoff)
        self.note_agents(snap.agents)
        self.note_agents(i.agent for i in snap.rows)
        current = issues.current
        self.apply_names(snap)
        if current is not None and snap.selected is not None and current.id == snap.selected.id:
            self.query_one(DetailPane).show(snap.selected, snap.events)
        elif current is not None:
            self.load_detail_worker(current.id)
        else:
            self.query_one(DetailPane).show(None, [])
        self.query_one(ProjectsPane).set_projects(snap.projects)
        self.query_one(SessionsPane).set_sessions(snap.sessions, {r.project.id: r.project for r in snap.projects},
                                                  snap.sessions_total, snap.sessions_running, snap.sessions_offset)
        # a saved view's name is the config's text: a Text, so a `[` in it is drawn, never read as markup
        self.query_one("#list-box").border_title = Text(visible(self.saved_views[q.tab].name) if q.tab in self.saved_views
                                                        else VIEW_LABELS[q.view])
        self.views_loaded()
        self.apply_extras(snap)
        self._render_status()
        self.load_count += 1

    @while_running
    def on_source_problem(self, msg: SourceProblem) -> None:
        self.problem = self.multi.problem_of(msg) if self.multi else msg.problem
        self.refresh_repos()
        self._render_status()
        if self.snapshot is None:
            self.query_one(DetailPane).show_literal(msg.problem)

    def on_app_focus(self, _event: AppFocus) -> None:
        self.terminal_focused = True
        if not self.paused and self.store is not None:
            self.request_load()

    def _render_status(self) -> None:
        snap = self.snapshot
        if self.multi is not None:
            self._render_multi_status()
        else:
            store = self.store
            info = snap.info if snap else (store.info if store else None)
            _update_if_changed(self.query_one("#status", Static), status_text(
                self.source.label, info.schema_version if info else 0, info.journal_mode if info else "?",
                info.read_only_reason if info and info.read_only else None, snap.counts if snap else None,
                snap.loaded_at if snap else None, not self.paused, self.problem, saving=self.saving))
        self.render_tabs()

    @while_running
    def _tick(self) -> None:
        self.query_one(DetailPane).tick()
        self.query_one(SessionsPane).tick()
        self.query_one(IssueList).refresh()
        self.views_tick()

    # -- results -------------------------------------------------------------------------------
    @while_running
    def on_write_done(self, msg: WriteDone) -> None:
        """A burst of keys (`+ + 2 t`) is answered once: while more of its writes are queued, the results are
        collected; after the last one, one toast per severity and one reload (each write used to get its own
        toast, mounted and laid out, and its own reload — under a busy file that is what made bursts slow)."""
        if msg.finished_write:
            self.write_finished()
        burst = self.__dict__.setdefault("_burst", [])
        burst.append(msg)
        if msg.finished_write and self._pending > 0:
            return
        self._burst = []
        by_severity: dict[str, list[str]] = {}
        for done in burst:
            if done.message:  # may quote DB text (who holds a claim now): controls made visible
                by_severity.setdefault(done.severity, []).append(visible(done.message))
        for severity, lines in by_severity.items():
            shown = lines if len(lines) <= 6 else lines[:5] + [f"… and {len(lines) - 5} more"]
            self.notify("\n".join(shown), severity=severity, markup=False)
        select = next((d.select_id for d in reversed(burst) if d.select_id), None)
        if select:
            self.select_issue(select)
        elif any(d.reload for d in burst):
            self.request_load()


def binding_ids() -> set[str]:
    """Every binding id the config's [keymap] may name (the app's, the list's and the dialogs')."""
    from .screens.confirm import ConfirmScreen
    from .screens.help import HelpScreen
    from .screens.alerts import AlertsScreen
    from .screens.forms import IssueForm, PromptScreen
    from .screens.sort_picker import SortPicker
    classes = (IssuesApp, IssueList, DetailPane, HelpScreen, ConfirmScreen, PromptScreen, IssueForm, SortPicker,
               AlertsScreen)
    return {b.id for cls in classes for b in cls.BINDINGS if isinstance(b, Binding) and b.id}


def run_dashboard(db_path: str | None = None, create: bool = False, demo: bool = False,
                  read_only: bool = False, more: list[str] | tuple = ()) -> int:
    """Entry point used by `issues-tui [DB ...]`: check the path(s) first (one clear line, exit 2), then run.
    Several DBs (arguments, or `[[sources]]` in the config when none is given) make a multi-repo dashboard."""
    import sys

    from .sources import dashboard_targets

    config = load_config()
    autopilot = None
    sources = None
    if demo:
        from .demo import demo_cleanup, demo_setup, spawn_autopilot, stop_autopilot

        path = demo_setup()
        autopilot = spawn_autopilot(path)
    else:
        path, sources, errors = dashboard_targets(db_path, more, config, create, read_only)
        if errors:
            for line in errors:
                print(f"issues-tui: error: {visible(line)}", file=sys.stderr)
            return 2
    app = IssuesApp(path, create=create or demo, read_only=read_only, config=config, sources=sources)
    crash: BaseException | None = None
    try:
        app.run()
    except Exception as exc:  # the driver itself failed (no terminal, ...): one line, not a traceback
        crash = exc
    finally:
        if autopilot is not None:
            stop_autopilot(autopilot)
            demo_cleanup(path)  # the demo's temp folder goes with it
    crash = crash or app.crash
    if crash is not None:
        print(crash_line(crash), file=sys.stderr)
        return 1
    return app.return_code or 0
