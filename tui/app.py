"""The issues-tui App: layout, bindings (each with an id, remappable), workers and message handlers.

Data flows one way:
    file --> store (thread worker) --> Loaded message --> widgets render
    key --> action --> thread worker --> store (guarded transaction + event) --> WriteDone --> reload
    folder watch / poll / focus --> DbChanged (coalesced) --> reload worker (checks change_token)
"""

from __future__ import annotations

import functools
import os
import queue
import shlex
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.events import AppFocus
from textual.widgets import Footer, Input, OptionList, Static
from textual.worker import Worker, WorkerState, get_current_worker

from store import Issue, IssueType, NotAnIssuesDb, Priority, Store, StoreError, ValidationError, default_actor
from store.issues import validate_agent, validate_description, validate_reason

from .commands import IssuesCommands
from .config import Config, load_config
from .loader import PAGE, Query, Snapshot, load_detail, load_snapshot
from .messages import DbChanged, DetailLoaded, Loaded, StoreOpened, StoreProblem, WriteDone
from . import triage
from .screens.confirm import ConfirmScreen
from .screens.forms import IssueForm, IssueFormResult, PromptScreen
from .screens.help import HelpScreen
from .text import visible
from .watch import watch_db
from .widgets.detail import DetailPane
from .widgets.projects import ALL, ProjectsPane
from .widgets.ready_queue import IssueList, header_text
from .widgets.sessions import SessionsPane
from .widgets.status_bar import VIEW_LABELS, status_text, views_text

VIEW_KEYS = list(VIEW_LABELS)
_PALETTE_SKIP = {"issue.new", "issue.mark", "issue.clear_marks", "issue.undo"}  # offered separately / keys only
MIN_RELOAD_S = 0.08  # file-change reloads are coalesced to at most one per this interval
NARROW = 110


def _while_running(handler):
    """Late messages and timers can arrive while the app is shutting down (widgets already gone):
    they have nothing left to update, so they are dropped instead of raising NoMatches."""
    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except NoMatches:
            if self.is_running and not self._exit:
                raise
    return wrapper


class IssuesApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "issues-tui"
    COMMANDS = App.COMMANDS | {IssuesCommands}
    ENABLE_COMMAND_PALETTE = True

    BINDINGS = [
        Binding("question_mark", "help", "Help", id="app.help", tooltip="Show every key"),
        Binding("q", "quit", "Quit", id="app.quit", tooltip="Quit issues-tui"),
        Binding("r", "refresh", "Refresh", id="app.refresh", tooltip="Reload from the file now"),
        Binding("p", "toggle_pause", "Pause", id="app.pause", tooltip="Pause/resume live refresh"),
        Binding("slash", "filter", "Filter", id="app.filter", tooltip="Filter the view by title as you type"),
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
        Binding("f", "toggle_detail", "Full detail", show=False, id="app.detail_full",
                tooltip="Show the issue detail full screen (escape or f to go back)"),
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

    WRITE_ACTIONS = {"new_issue", "block", "unblock", "bump", "priority", "cycle_type", "set_agent", "complete",
                     "reopen", "release", "edit", "edit_external", "delete", "undo"}

    def __init__(self, db_path: str | os.PathLike, *, create: bool = False, read_only: bool = False,
                 clock: Callable[[], int] | None = None, config: Config | None = None, watch: bool = True,
                 actor: str | None = None, pid_alive: Callable[[int | None], bool | None] | None = None,
                 cursor_blink: bool = True) -> None:
        super().__init__()
        self.cursor_blink = cursor_blink
        self.pid_alive = pid_alive
        self.db_path = Path(db_path)
        self.create = create
        self.read_only = read_only
        self.clock = clock or time.time_ns
        self.config = config or Config()
        self.watch_enabled = watch
        self.actor = actor or default_actor("tui")
        self.store: Store | None = None
        self.query_state = Query()
        self.snapshot: Snapshot | None = None
        self.paused = False
        self.problem: str | None = None
        self._generation = 0
        self._applied_generation = -1
        self._last_token: tuple | None = None
        self._stop_watch = threading.Event()
        self._filter_timer = None
        self._reload_timer = None
        self._last_change_load = 0.0
        self._agents: set[str] = set()
        self.load_count = 0  # how many snapshots were applied (tests and benchmarks read it)
        self.undo_stack: list[triage.UndoEntry] = []
        self._writes: queue.Queue = queue.Queue()
        self.writes_done = 0  # tests and benchmarks read it
        defaults = self.config.new_issue
        self.new_defaults = {
            "priority": _parse_or(Priority, defaults.get("priority"), Priority.MEDIUM, self.config.problems),
            "issue_type": _parse_or(IssueType, defaults.get("type"), IssueType.TASK, self.config.problems),
            "agent": defaults.get("agent") or "codex",
        }
        self.theme = self.config.theme if self.config.theme in self.available_themes else "textual-dark"

    # -- layout --------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text("issues-tui  opening " + visible(self.db_path) + " …"), id="status")
        yield Static("", id="views")
        yield Input(placeholder="filter titles (enter keeps it, escape clears)", id="filter")
        with Horizontal(id="main"):
            with Vertical(id="list-box"):
                yield Static(header_text(200), id="list-header")
                yield IssueList(id="issues", clock=self.clock)
            yield DetailPane(id="detail", clock=self.clock)
        with Horizontal(id="bottom"):
            yield ProjectsPane(id="projects")
            yield SessionsPane(id="sessions", clock=self.clock, alive=self.pid_alive)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#list-box").border_title = "Ready"
        self.query_one("#detail").border_title = "Issue"
        self.query_one("#projects").border_title = "Projects"
        self.query_one("#projects").border_subtitle = "running/total"
        self.query_one("#sessions").border_title = "Sessions"
        if self.config.keymap:
            self.set_keymap(self.config.keymap)
        for problem in self.config.problems:
            self.notify(problem, severity="warning", markup=False)
        self.query_one(IssueList).focus()
        self.watch(self.screen, "maximized", self._maximized_changed, init=False)
        self.query_one("#filter", Input).cursor_blink = self.cursor_blink
        self._apply_width(self.size.width)
        self.open_store()
        self.set_interval(1.0, self._tick)
        self.set_interval(max(self.config.poll_seconds, 0.5), self._poll)

    def on_resize(self, event) -> None:
        self._apply_width(event.size.width)

    def _apply_width(self, width: int) -> None:
        self.screen.set_class(width < NARROW, "-narrow")

    # -- opening and loading -------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="open")
    def open_store(self) -> None:
        try:
            store = Store.open(self.db_path, read_only=self.read_only, create=self.create, clock=self.clock,
                               actor=self.actor)
        except StoreError as exc:
            self.post_message(StoreProblem(str(exc)))
            return
        self.store = store
        self.post_message(StoreOpened())

    def on_store_opened(self, _msg: StoreOpened) -> None:
        if self.watch_enabled:
            self.watch_worker()
        self.writer_worker()
        self.refresh_bindings()
        self.request_load()

    @work(thread=True, exclusive=True, group="writer")
    def writer_worker(self) -> None:
        """Runs writes one at a time, in the order the keys were pressed, off the UI thread."""
        while True:
            job = self._writes.get()
            if job is None:
                return
            store = self.store
            try:
                message = job(store)
            except StoreError as exc:
                message = WriteDone(str(exc), "error")
            except Exception as exc:  # never let a bug kill the writer: report it
                message = WriteDone(f"{type(exc).__name__}: {exc}", "error")
            self.writes_done += 1
            if message is not None:
                self.post_message(message)

    @work(thread=True, exclusive=True, group="watch")
    def watch_worker(self) -> None:
        watch_db(self.db_path.resolve(), lambda: self.post_message(DbChanged("watch")), self._stop_watch)

    def on_unmount(self) -> None:
        self._stop_watch.set()
        self._writes.put(None)

    def request_load(self, *, only_if_changed: bool = False, **changes) -> None:
        """Reload in a thread worker. `only_if_changed` (file events, polls) first compares the
        store's change token, so our own commits and checkpoint-only wake-ups cost one PRAGMA."""
        if changes:
            self.query_state = self.query_state.with_(**changes)
        self._generation += 1
        self.load_worker(self.query_state, self._generation, only_if_changed)

    @work(thread=True, exclusive=True, group="load")
    def load_worker(self, query: Query, generation: int, only_if_changed: bool = False) -> None:
        store = self.store
        if store is None:
            return
        if (only_if_changed and self.problem is None and not store.file_replaced()
                and store.change_token() == self._last_token):
            self.post_message(Loaded(None, generation))
            return
        if not store.file_exists():
            self.post_message(StoreProblem(f"{store.path} was deleted — showing the last data; waiting for it to come back"))
            return
        problem = store.path_problem()  # e.g. its folder made unreadable: say so, keep the last data
        if problem:
            self.post_message(StoreProblem(problem))
            return
        if store.file_replaced():
            try:
                fresh = store.reopen()  # closes the old connection first (its WAL is named after the path)
            except StoreError as exc:
                self.post_message(StoreProblem(str(exc)))
                return
            self.store = store = fresh
        try:
            snapshot = load_snapshot(store, query)
        except StoreError as exc:
            self.post_message(StoreProblem(str(exc)))
            return
        if not get_current_worker().is_cancelled:
            self.post_message(Loaded(snapshot, generation))

    @_while_running
    def on_loaded(self, msg: Loaded) -> None:
        if msg.generation < self._applied_generation:
            return
        self._applied_generation = msg.generation
        snap = msg.snapshot
        if snap is None:  # nothing changed since the last snapshot
            return
        snap.loaded_at = self.clock() / 1e9
        self.snapshot = snap
        self.problem = None
        self._last_token = snap.token
        issues = self.query_one(IssueList)
        if snap.query.selected_id is None and issues.selected_id is None and snap.selected is not None:
            issues.selected_id = snap.selected.id
        q = snap.query
        view_key = (q.view, q.search, q.agent, q.project_id)
        cutoff = self.clock() - 15 * 60 * 1_000_000_000
        issues.set_rows(view_key, snap.total, snap.offset, snap.rows, cutoff)
        self._agents.update(snap.agents)
        self._agents.update(i.agent for i in snap.rows)
        current = issues.current
        if current is not None and snap.selected is not None and current.id == snap.selected.id:
            self.query_one(DetailPane).show(snap.selected, snap.events)
        elif current is not None:
            self.load_detail_worker(current.id)
        else:
            self.query_one(DetailPane).show(None, [])
        self.query_one(ProjectsPane).set_projects(snap.projects)
        self.query_one(SessionsPane).set_sessions(snap.sessions, {r.project.id: r.project for r in snap.projects})
        self.query_one("#list-box").border_title = VIEW_LABELS[q.view]
        self._render_status()
        self.load_count += 1

    @_while_running
    def on_store_problem(self, msg: StoreProblem) -> None:
        self.problem = msg.problem
        self._render_status()
        if self.snapshot is None:
            self.query_one(DetailPane).show_literal(msg.problem)

    def _render_status(self) -> None:
        snap = self.snapshot
        store = self.store
        info = snap.info if snap else (store.info if store else None)
        _update_if_changed(self.query_one("#status", Static), status_text(
            str(self.db_path), info.schema_version if info else 0, info.journal_mode if info else "?",
            info.read_only_reason if info and info.read_only else None, snap.counts if snap else None,
            snap.loaded_at if snap else None, not self.paused, self.problem))
        q = self.query_state
        project_name = None
        if q.project_id and snap:
            project_name = next((r.project.name for r in snap.projects if r.project.id == q.project_id), q.project_id)
        _update_if_changed(self.query_one("#views", Static), views_text(
            q.view, snap.counts if snap else None, q.search, q.agent, project_name,
            len(self.query_one(IssueList).marked), snap.total if snap else 0))

    # -- live refresh --------------------------------------------------------------------------
    def on_db_changed(self, msg: DbChanged) -> None:
        """Reload for a file change, at most one reload in flight and one per MIN_RELOAD_S window:
        a lone commit shows at once, a storm of agent commits costs ~10 redraws a second."""
        if self.paused or self.store is None:
            return
        if self._reload_timer is not None:
            return  # a trailing reload is already scheduled
        wait = self._last_change_load + MIN_RELOAD_S - time.monotonic()
        if wait > 0 or self._applied_generation < self._generation:
            self._reload_timer = self.set_timer(max(wait, MIN_RELOAD_S / 2), self._trailing_reload)
            return
        self._change_load()

    def _trailing_reload(self) -> None:
        self._reload_timer = None
        if not self.paused and self.store is not None:
            self._change_load()

    def _change_load(self) -> None:
        self._last_change_load = time.monotonic()
        self.request_load(only_if_changed=True)

    def _poll(self) -> None:
        if self.paused:
            return
        if self.store is not None:
            self.poll_worker()
        elif self.problem is not None and not any(w.group == "open" and not w.is_finished for w in self.workers):
            self.open_store()  # the first open failed (locked, briefly missing): keep trying

    @work(thread=True, exclusive=True, group="poll")
    def poll_worker(self) -> None:
        store = self.store
        if store is None:
            return
        if store.file_replaced() or store.change_token() != self._last_token:
            self.post_message(DbChanged("poll"))

    def on_app_focus(self, _event: AppFocus) -> None:
        if not self.paused and self.store is not None:
            self.request_load()

    @_while_running
    def _tick(self) -> None:
        self.query_one(DetailPane).tick()
        self.query_one(SessionsPane).tick()
        self.query_one(IssueList).refresh()

    # -- selection -----------------------------------------------------------------------------
    @on(IssueList.Highlighted)
    def _highlighted(self, msg: IssueList.Highlighted) -> None:
        issue = msg.issue
        self.query_state = self.query_state.with_(selected_id=issue.id if issue else None)
        if issue is None:
            return
        self.query_one(DetailPane).show(issue, self._events_for(issue))
        self.load_detail_worker(issue.id)

    def _events_for(self, issue: Issue):
        detail = self.query_one(DetailPane)
        return detail.events if detail.issue is not None and detail.issue.id == issue.id else []

    @work(thread=True, exclusive=True, group="detail")
    def load_detail_worker(self, issue_id: str) -> None:
        store = self.store
        if store is None:
            return
        time.sleep(0.03)  # let a held arrow key settle before reading history
        if get_current_worker().is_cancelled:
            return
        issue, events = load_detail(store, issue_id)
        self.post_message(DetailLoaded(issue, events, issue_id))

    @_while_running
    def on_detail_loaded(self, msg: DetailLoaded) -> None:
        current = self.query_one(IssueList).current
        if current is not None and current.id == msg.issue_id:
            self.query_one(DetailPane).show(msg.issue, msg.events)

    @on(IssueList.NeedRows)
    def _need_rows(self, msg: IssueList.NeedRows) -> None:
        offset = max(0, msg.offset - PAGE // 4)
        if offset != self.query_state.offset:
            self.request_load(offset=offset)

    # -- views and filters ---------------------------------------------------------------------
    def set_view(self, view: str) -> None:
        issues = self.query_one(IssueList)
        issues.clear_marks()
        self.request_load(view=view, offset=0, selected_id=None)
        issues.selected_id = None

    def action_view(self, view: str) -> None:
        self.set_view(view)

    def action_cycle_view(self, step: int) -> None:
        i = VIEW_KEYS.index(self.query_state.view)
        self.set_view(VIEW_KEYS[(i + step) % len(VIEW_KEYS)])

    def known_agents(self) -> list[str]:
        """Agents seen with ready work or in the loaded rows (plus the crate's two), for filters."""
        return sorted(a for a in self._agents | {"claude", "codex"} if a)

    def set_agent(self, agent: str | None) -> None:
        self.request_load(agent=agent, offset=0)

    def action_cycle_agent(self) -> None:
        agents: list[str | None] = [None, *self.known_agents()]
        i = agents.index(self.query_state.agent) if self.query_state.agent in agents else 0
        self.set_agent(agents[(i + 1) % len(agents)])

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        self.screen.add_class("-filtering")
        box.value = self.query_state.search
        box.focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.screen.remove_class("-filtering")
        self.request_load(search="", offset=0)
        self.query_one(IssueList).focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(0.12, lambda: self.request_load(search=value, offset=0))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        if not event.value:
            self.screen.remove_class("-filtering")
        self.query_one(IssueList).focus()

    def on_key(self, event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            self.action_clear_filter()

    @on(OptionList.OptionSelected, "#projects")
    def _project_selected(self, event: OptionList.OptionSelected) -> None:
        project_id = None if event.option.id == ALL else event.option.id
        self.request_load(project_id=project_id, offset=0)

    # -- app actions ---------------------------------------------------------------------------
    def action_refresh(self) -> None:
        if self.store is None:
            self.open_store()
        else:
            self.request_load()

    def action_toggle_pause(self) -> None:
        self.paused = not self.paused
        self._render_status()
        if not self.paused:
            self.request_load()

    def action_toggle_detail(self) -> None:
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        else:
            screen.maximize(self.query_one(DetailPane), container=False)

    def _maximized_changed(self, widget) -> None:
        # Full-screen detail takes the focus (arrows scroll it); back from it, the list has it again.
        (self.query_one(DetailPane) if widget is not None else self.query_one(IssueList)).focus()

    def action_toggle_theme(self) -> None:
        self.theme = "textual-light" if self.theme.endswith("dark") else "textual-dark"

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.binding_rows()))

    def binding_rows(self) -> list[tuple[str, str, str]]:
        """(key as the user must press it, description, binding id) for every binding with an id."""
        rows = []
        seen = set()
        sources = [self, self.query_one(IssueList)]
        for source in sources:
            bindings = source._bindings.copy()
            if self._keymap:  # show the keys the user remapped in the config file, as Textual applies them
                bindings.apply_keymap(self._keymap)
            for (key, binding) in bindings:
                if not binding.id or binding.id in seen:
                    continue
                seen.add(binding.id)
                keys = [self.get_key_display(b) for k, b in bindings if b.id == binding.id]
                rows.append((", ".join(dict.fromkeys(keys)), binding.tooltip or binding.description, binding.id))
        return rows

    def extra_commands(self) -> list[tuple[str, Callable, str]]:
        """Palette entries that make sense now: triage on the selected/marked issues (with the key it is
        really on), release-all when there are stale claims, undo when there is something to undo."""
        out = []
        keys = {bid: f"key: {key}" for key, _desc, bid in self.binding_rows()}
        if self.store is not None and not self.store.read_only:
            out.append(("New issue…", self.action_new_issue, keys["issue.new"]))
            targets = self.query_one(IssueList).targets()
            if targets:
                who = f"#{targets[0].number}" if len(targets) == 1 else f"{len(targets)} marked issues"
                for (_key, binding) in self._bindings:
                    if (binding.id or "").startswith("issue.") and binding.id not in _PALETTE_SKIP:
                        out.append((f"{binding.tooltip or binding.description} — {who}",
                                    functools.partial(self.call_later, self.run_action, binding.action),
                                    keys.get(binding.id, "")))
            if self.snapshot is not None and self.snapshot.counts.stale:
                out.append((f"Release all {self.snapshot.counts.stale} stale claims", self.release_all_stale,
                            "back to open; recorded as events"))
            if self.undo_stack:
                out.append((f"Undo {self.undo_stack[-1].label}", self.action_undo, keys["issue.undo"]))
        return out

    def release_all_stale(self) -> None:
        self.submit(lambda store: WriteDone(f"Released {store.release_stale_claims()} stale claims"))

    def goto_number(self, number: int) -> None:
        self.goto_worker(number, None)

    def select_issue(self, issue_id: str) -> None:
        """Select an issue: in the current view if it is there, else in the "all" view."""
        self.goto_worker(None, issue_id)

    @work(thread=True, exclusive=True, group="goto")
    def goto_worker(self, number: int | None, issue_id: str | None) -> None:
        store = self.store
        if store is None:
            return
        issue = store.get_issue_by_number(number) if number is not None else store.get_issue_by_id(issue_id)
        if issue is None:
            what = f"#{number}" if number is not None else "that issue"
            self.post_message(WriteDone(f"There is no issue {what}", "warning", reload=False))
            return
        q = self.query_state
        position = store.view_position(q.view, issue.id, agent=q.agent, search=q.search or None,
                                      project_id=q.project_id)
        if position is not None:
            self.call_from_thread(self._goto_apply, issue, position, {})
        else:
            position = store.view_position("all", issue.id)
            self.call_from_thread(self._goto_apply, issue, position,
                                  dict(view="all", search="", agent=None, project_id=None))

    def _goto_apply(self, issue: Issue, position: int | None, changes: dict) -> None:
        issues = self.query_one(IssueList)
        if changes:
            issues.clear_marks()
            self.query_one("#filter", Input).value = ""
            self.screen.remove_class("-filtering")
        issues.selected_id = issue.id
        issues.cursor = position or 0
        self.request_load(offset=max(0, (position or 0) - PAGE // 4), selected_id=issue.id, **changes)

    # -- triage ----------------------------------------------------------------------------------
    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.WRITE_ACTIONS:
            if self.store is None or self.store.read_only:
                return None  # shown disabled; the status line says why
        if action == "clear_marks" and not self.query_one(IssueList).marked:
            return False
        return True

    def _targets(self) -> list[Issue]:
        targets = self.query_one(IssueList).targets()
        if not targets:
            self.notify("No issue selected", severity="warning", markup=False)
        return targets

    def _describe(self, targets: list[Issue]) -> str:
        if len(targets) == 1:
            return f"#{targets[0].number} {visible(targets[0].title, limit=60)}"
        return f"{len(targets)} marked issues"

    def submit(self, job: Callable[[Store], WriteDone | None]) -> None:
        """Queue a write for the writer thread (FIFO: writes land in the order keys were pressed)."""
        self._writes.put(job)

    def run_op(self, op: triage.Op, label: str, targets: list[Issue] | None = None) -> None:
        targets = targets if targets is not None else self._targets()
        if not targets:
            return
        if len(targets) > 1:
            self.query_one(IssueList).clear_marks()

        def job(store: Store) -> WriteDone:
            result = triage.apply_op(store, op, targets, label)
            if result.undo:
                self.undo_stack.append(result.undo)
            text, severity = result.message(op.verb)
            return WriteDone(text, severity)

        self.submit(job)

    def action_block(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def done(reason: str | None) -> None:
            if reason:
                self.run_op(triage.block(reason), "block", targets)

        self.push_screen(PromptScreen(f"Block {self._describe(targets)} — why?", placeholder="reason (required)",
                                      validate=validate_reason), done)

    def action_unblock(self) -> None:
        self.run_op(triage.unblock(), "unblock")

    def action_bump(self, step: int) -> None:
        self.run_op(triage.bump_priority(step), "priority")

    def action_priority(self, value: str) -> None:
        self.run_op(triage.set_priority(Priority(value)), "priority")

    def action_cycle_type(self) -> None:
        self.run_op(triage.cycle_type(), "type")

    def action_set_agent(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def done(agent: str | None) -> None:
            if agent:
                self.run_op(triage.set_agent(agent), "agent", targets)

        self.push_screen(PromptScreen(f"Agent for {self._describe(targets)}", value=targets[0].agent,
                                      validate=validate_agent), done)

    def action_complete(self) -> None:
        targets = self._targets()
        if targets:
            self._confirm(f"Complete {self._describe(targets)}?", "", "Complete",
                          lambda: self.run_op(triage.complete(), "complete", targets))

    def action_reopen(self) -> None:
        self.run_op(triage.reopen(), "reopen")

    def action_release(self) -> None:
        self.run_op(triage.release(), "release")

    def action_delete(self) -> None:
        targets = self._targets()
        if not targets:
            return

        def job(store: Store) -> WriteDone:
            result = triage.delete(store, targets)
            if result.undo:
                self.undo_stack.append(result.undo)
            return WriteDone(*result.message("deleted"))

        def go() -> None:
            if len(targets) > 1:
                self.query_one(IssueList).clear_marks()
            self.submit(job)

        self._confirm(f"Delete {self._describe(targets)}?", "This removes the issue and its history (z undoes it).",
                      "Delete", go)

    def _confirm(self, question: str, detail: str, yes: str, then: Callable[[], None]) -> None:
        def done(answer: bool | None) -> None:
            if answer:
                then()
        self.push_screen(ConfirmScreen(question, detail, yes), done)

    def action_mark(self) -> None:
        issues = self.query_one(IssueList)
        issues.toggle_mark()
        issues.action_cursor(1)
        self._render_status()

    def action_clear_marks(self) -> None:
        self.query_one(IssueList).clear_marks()
        self._render_status()

    def action_undo(self) -> None:
        def job(store: Store) -> WriteDone:
            if not self.undo_stack:
                return WriteDone("Nothing to undo", "warning", reload=False)
            entry = self.undo_stack.pop()
            result = triage.undo(store, entry, self.undo_stack)
            text, severity = result.message(f"undid {entry.label} on")
            return WriteDone(text, severity, select_id=entry.steps[0].issue_id if result.done else None)
        self.submit(job)

    def action_new_issue(self) -> None:
        d = self.new_defaults

        def done(result: IssueFormResult | None) -> None:
            if result is None:
                return
            self.new_defaults = {"priority": result.priority, "issue_type": result.issue_type, "agent": result.agent}

            def job(store: Store) -> WriteDone:
                issue = store.create_issue(result.title, result.description or None, result.priority,
                                           result.issue_type, result.agent)
                self.undo_stack.append(triage.UndoEntry("create", [triage.UndoStep(
                    issue.id, issue.number, "delete", expect_updated_at=issue.updated_at)]))
                return WriteDone(f"Created #{issue.number}", select_id=issue.id)
            self.submit(job)

        self.push_screen(IssueForm("New issue", priority=d["priority"], issue_type=d["issue_type"],
                                   agent=d["agent"]), done)

    def _current(self) -> Issue | None:
        issue = self.query_one(IssueList).current
        if issue is None:
            self.notify("No issue selected", severity="warning", markup=False)
        return issue

    def action_edit(self) -> None:
        issue = self._current()
        if issue is None:
            return

        def done(result: IssueFormResult | None) -> None:
            if result is None:
                return
            title = None if result.title == issue.title else result.title  # only what the user changed
            description = None if result.description == (issue.description or "") else result.description
            if title is None and description is None:
                self.notify("Nothing changed", markup=False)
                return
            self.run_op(triage.edit(title, description), "edit", [issue])

        self.push_screen(IssueForm(f"Edit #{issue.number}", title=issue.title, description=issue.description or "",
                                   priority=_parse_or(Priority, issue.priority, Priority.MEDIUM),
                                   issue_type=_parse_or(IssueType, issue.issue_type, IssueType.TASK),
                                   agent=issue.agent or "codex", edit_only_text=True), done)

    def action_edit_external(self) -> None:
        issue = self._current()
        if issue is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        fd, path = tempfile.mkstemp(prefix=f"issue-{issue.number}-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(issue.description or "")
        command = shlex.split(editor) + [path]
        try:
            try:
                with self.suspend():
                    code = subprocess.call(command)
            except Exception as exc:
                if type(exc).__name__ != "SuspendNotSupported":
                    raise
                code = subprocess.call(command, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.notify(f"could not run {editor!r}: {exc}", severity="error", markup=False)
            os.unlink(path)
            return
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if code != 0:
            self.notify(f"{editor} exited with {code}; description not changed (your text is in {path})",
                        severity="warning", markup=False)
            return
        if text == (issue.description or ""):
            os.unlink(path)
            self.notify("Description unchanged", markup=False)
            return
        try:
            validate_description(text)
        except ValidationError as exc:
            self.notify(f"{exc}; not saved (your text is in {path})", severity="error", markup=False)
            return
        os.unlink(path)
        self.run_op(triage.edit_description(text), "edit", [issue])

    @_while_running
    def on_write_done(self, msg: WriteDone) -> None:
        if msg.message:  # may quote DB text (who holds a claim now): controls made visible
            self.notify(visible(msg.message), severity=msg.severity, markup=False)
        if msg.select_id:
            self.select_issue(msg.select_id)
        elif msg.reload:
            self.request_load()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place for worker failures: a clear message, never a traceback."""
        if event.state == WorkerState.ERROR:
            error = event.worker.error
            text = str(error) if isinstance(error, StoreError) else f"{type(error).__name__}: {error}"
            self.notify(visible(text), title="Error", severity="error", markup=False, timeout=8)


def _update_if_changed(widget: Static, text: Text) -> None:
    """Skip the update when the line is the same; a one-line Static never changes size, so no relayout."""
    key = (text.plain, tuple(text.spans))
    if getattr(widget, "_shown_key", None) != key:
        widget._shown_key = key
        widget.update(text, layout=False)


def _parse_or(enum, value, default, problems: list[str] | None = None):
    """`value` as a member of `enum`; else `default` (and, for config values, a problem to report)."""
    try:
        return enum.parse(value) if value is not None else default
    except ValidationError as exc:
        if problems is not None:
            problems.append(f"config new_issue: {exc}; using {default.value}")
        return default


def check_dashboard_path(path: Path, create: bool, read_only: bool) -> str | None:
    """Why the dashboard cannot open `path` (one line that says how to start), or None. Writes nothing."""
    from store.connection import preflight

    try:
        preflight(path, create, read_only)  # the open's own checks (a migration is tried on a copy)
    except NotAnIssuesDb as exc:
        if not path.exists() or (path.is_file() and path.stat().st_size == 0):
            hint = "; or try `issues-tui --demo`"
        else:
            hint = "; to start: `issues-tui --create NEW.db`, or `issues-tui --demo`"
        return str(exc) + hint
    except StoreError as exc:
        return str(exc)
    return None


def run_dashboard(db_path: str | None = None, create: bool = False, demo: bool = False,
                  read_only: bool = False) -> int:
    """Entry point used by `issues-tui [DB]`: check the path first (one clear line, exit 2), then run."""
    import sys

    config = load_config()
    autopilot = None
    if demo:
        from .demo import demo_setup, spawn_autopilot, stop_autopilot

        path = demo_setup()
        autopilot = spawn_autopilot(path)
    else:
        path = Path(db_path or config.db or os.environ.get("ISSUES_DB") or "autopilot.db")
        problem = check_dashboard_path(path, create, read_only)
        if problem:
            print(f"issues-tui: error: {visible(problem)}", file=sys.stderr)
            return 2
    app = IssuesApp(path, create=create or demo, read_only=read_only, config=config)
    try:
        app.run()
    finally:
        if autopilot is not None:
            stop_autopilot(autopilot)
    return 0
