"""Moving around: views, filters (title, agent, project), go to #N, marks, selection and its detail.

`Navigation` is a mixin of `IssuesApp`. Everything here only reads: it changes the app's `Query` and
asks the source for a snapshot (`request_load`), or reads one issue's history in a thread worker.
Handlers use Textual's naming convention (`on_<widget>_<message>`), which works from a mixin.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import work
from textual.widgets import Input, OptionList
from textual.worker import get_current_worker

from store import Issue

from .errors import while_running
from .loader import PAGE, SESSIONS_WINDOW, load_detail
from .messages import DetailLoaded, WriteDone
from .widgets.detail import DetailPane
from .widgets.projects import ALL
from .widgets.ready_queue import IssueList
from .widgets.sessions import SessionsPane
from .widgets.status_bar import VIEW_LABELS

if TYPE_CHECKING:
    from .app import IssuesApp

VIEW_KEYS = list(VIEW_LABELS)  # the built-in views; saved ones follow them (ViewsUI.tab_keys)
FILTER_DELAY_S = 0.12  # typing in the filter box reloads once the keys pause this long


class Navigation:
    """Mixin for IssuesApp."""

    def init_navigation(self) -> None:
        self._filter_timer = None
        self._agents: set[str] = set()

    # -- views -----------------------------------------------------------------------------------------
    def set_view(self: "IssuesApp", view: str) -> None:
        """Show a view (`ready` … `all`) or a saved view (`saved:NAME`), in the sort it had last time."""
        issues = self.query_one(IssueList)
        issues.clear_marks()
        self.query_state = self.query_state.with_(**self.tab_query(view))
        self.apply_layout()
        self.request_load(offset=0, selected_id=None)
        issues.selected_id = None

    def action_view(self, view: str) -> None:
        self.set_view(view)

    def action_cycle_view(self: "IssuesApp", step: int) -> None:
        tabs = self.tab_keys()
        current = self.current_tab()
        i = tabs.index(current) if current in tabs else 0
        self.set_view(tabs[(i + step) % len(tabs)])

    # -- filters -----------------------------------------------------------------------------------------
    def note_agents(self, agents) -> None:
        self._agents.update(agents)

    def known_agents(self) -> list[str]:
        """Agents seen with ready work or in the loaded rows (plus the crate's two), for filters."""
        return sorted(a for a in self._agents | {"claude", "codex"} if a)

    def set_agent(self: "IssuesApp", agent: str | None) -> None:
        self.request_load(agent=agent, offset=0)

    def action_cycle_agent(self: "IssuesApp") -> None:
        agents: list[str | None] = [None, *self.known_agents()]
        i = agents.index(self.query_state.agent) if self.query_state.agent in agents else 0
        self.set_agent(agents[(i + 1) % len(agents)])

    def action_filter(self: "IssuesApp") -> None:
        box = self.query_one("#filter", Input)
        self.screen.add_class("-filtering")
        box.value = self.query_state.search
        box.focus()

    def action_clear_filter(self: "IssuesApp") -> None:
        self.query_one("#filter", Input).value = ""
        self.screen.remove_class("-filtering")
        self.request_load(search="", offset=0)
        self.query_one(IssueList).focus()

    def on_input_changed(self: "IssuesApp", event: Input.Changed) -> None:
        if event.input.id != "filter":
            return
        if self._filter_timer is not None:
            self._filter_timer.stop()
        value = event.value
        self._filter_timer = self.set_timer(FILTER_DELAY_S, lambda: self.request_load(search=value, offset=0))

    def on_input_submitted(self: "IssuesApp", event: Input.Submitted) -> None:
        if event.input.id != "filter":
            return
        if not event.value:
            self.screen.remove_class("-filtering")
        self.query_one(IssueList).focus()

    def on_key(self: "IssuesApp", event) -> None:
        if event.key == "escape" and self.focused is self.query_one("#filter", Input):
            event.stop()
            self.action_clear_filter()

    def on_option_list_option_selected(self: "IssuesApp", event: OptionList.OptionSelected) -> None:
        if event.option_list.id != "projects":
            return
        project_id = None if event.option.id == ALL else event.option.id
        self.request_load(project_id=project_id, offset=0, sessions_offset=0)

    def on_sessions_pane_need_sessions(self: "IssuesApp", msg: SessionsPane.NeedSessions) -> None:
        """The sessions pane scrolled past its window: load one that covers it (a quarter before it)."""
        offset = max(0, msg.offset - SESSIONS_WINDOW // 4)
        if offset != self.query_state.sessions_offset:
            self.request_load(sessions_offset=offset)

    # -- go to an issue ------------------------------------------------------------------------------------
    def goto_number(self, number: int) -> None:
        self.goto_worker(number, None)

    def select_issue(self, issue_id: str) -> None:
        """Select an issue: in the current view if it is there, else in the "all" view."""
        self.goto_worker(None, issue_id)

    @work(thread=True, exclusive=True, group="goto")
    def goto_worker(self: "IssuesApp", number: int | None, issue_id: str | None) -> None:
        store = self.store
        if store is None:
            return
        issue = store.get_issue_by_number(number) if number is not None else store.get_issue_by_id(issue_id)
        if issue is None:
            what = f"#{number}" if number is not None else "that issue"
            self.post_message(WriteDone(f"There is no issue {what}", "warning", reload=False))
            return
        q = self.query_state
        position = store.view_position(q.view, issue.id, agent=q.agent, search=q.full_search or None,
                                      project_id=q.project_id, sort=q.sort)
        if position is not None:
            self.call_from_thread(self._goto_apply, issue, position, {})
        else:
            all_sort = self.tab_query("all")["sort"]
            position = store.view_position("all", issue.id, sort=all_sort)
            self.call_from_thread(self._goto_apply, issue, position,
                                  dict(view="all", search="", agent=None, project_id=None, tab=None, base_filter="",
                                       sort=all_sort))

    def _goto_apply(self: "IssuesApp", issue: Issue, position: int | None, changes: dict) -> None:
        issues = self.query_one(IssueList)
        if changes:
            issues.clear_marks()
            self.query_one("#filter", Input).value = ""
            self.screen.remove_class("-filtering")
        issues.selected_id = issue.id
        issues.cursor = position or 0
        self.request_load(offset=max(0, (position or 0) - PAGE // 4), selected_id=issue.id, **changes)
        if changes:
            self.apply_layout()

    # -- marks ---------------------------------------------------------------------------------------------
    def action_mark(self: "IssuesApp") -> None:
        issues = self.query_one(IssueList)
        issues.toggle_mark()
        issues.action_cursor(1)
        self._render_status()

    def action_clear_marks(self: "IssuesApp") -> None:
        self.query_one(IssueList).clear_marks()
        self._render_status()

    # -- selection and its detail ------------------------------------------------------------------------
    def on_issue_list_highlighted(self: "IssuesApp", msg: IssueList.Highlighted) -> None:
        issue = msg.issue
        self.query_state = self.query_state.with_(selected_id=issue.id if issue else None)
        if issue is None:
            return
        self.query_one(DetailPane).show(issue, self._events_for(issue))
        self.load_detail_worker(issue.id)

    def _events_for(self: "IssuesApp", issue: Issue):
        detail = self.query_one(DetailPane)
        return detail.events if detail.issue is not None and detail.issue.id == issue.id else []

    @work(thread=True, exclusive=True, group="detail")
    def load_detail_worker(self: "IssuesApp", issue_id: str) -> None:
        store = self.store
        if store is None:
            return
        time.sleep(0.03)  # let a held arrow key settle before reading history
        if get_current_worker().is_cancelled:
            return
        issue, events = load_detail(store, issue_id)
        self.post_message(DetailLoaded(issue, events, issue_id))

    @while_running
    def on_detail_loaded(self: "IssuesApp", msg: DetailLoaded) -> None:
        current = self.query_one(IssueList).current
        if current is not None and current.id == msg.issue_id:
            self.query_one(DetailPane).show(msg.issue, msg.events)

    def on_issue_list_need_rows(self: "IssuesApp", msg: IssueList.NeedRows) -> None:
        offset = max(0, msg.offset - PAGE // 4)
        if offset != self.query_state.offset:
            self.request_load(offset=offset)

    # -- full-screen detail ----------------------------------------------------------------------------
    def action_toggle_detail(self: "IssuesApp") -> None:
        screen = self.screen
        if screen.maximized is not None:
            screen.minimize()
        else:
            screen.maximize(self.query_one(DetailPane), container=False)

    def _maximized_changed(self: "IssuesApp", widget) -> None:
        # Full-screen detail takes the focus (arrows scroll it); back from it, the list has it again.
        (self.query_one(DetailPane) if widget is not None else self.query_one(IssueList)).focus()
