"""Issue 11 in the app: per-view columns and sort (picker, header clicks, remembered in the state file),
saved views as tabs, the pulse strip, and alerts (toast, `!` list, desktop notification when unfocused).

`ViewsUI` is a mixin of `IssuesApp`; it only reads (the query, the snapshot) and never writes the DB.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Callable

from store import ValidationError
from store.pulse import pulse
from store.search import parse
from store.views import DEFAULT_SORT, SORT_KEYS

from .alerts import Alert, AlertConfig, AlertState, Observation, detect, next_crossing_ns, osc_notification
from .columns import Layout, default_layout
from .config import config_path
from .saved_views import SavedView, append_to_config
from .state import State
from .text import visible
from .widgets.list_header import ListHeader
from .widgets.pulse import PulseStrip
from .widgets.ready_queue import IssueList
from .widgets.sessions import pid_alive
from .widgets.status_bar import VIEW_LABELS
from .widgets.view_tabs import ViewTabs, tabs_text

if TYPE_CHECKING:
    from .app import IssuesApp

MINUTE_NS = 60 * 1_000_000_000


class ViewsUI:
    """Mixin for IssuesApp."""

    def init_views_ui(self: "IssuesApp", state: State | None = None) -> None:
        self.state = state or State()
        if self.state.problem:
            self.config.problems.append(self.state.problem)
        self.alert_cfg: AlertConfig = self.config.alerts or AlertConfig()
        self.alert_state = AlertState()
        self.saved_views: dict[str, SavedView] = {v.key: v for v in self.config.views}
        self.terminal_focused = True
        self.desktop_sent: list[str] = []  # the notification sequences written (tests read it)
        self._pulse_minute = None
        self._crossing_reload = False
        self.query_state = self.query_state.with_(sort=self.state.sort_for("ready"), saved=self._saved_spec(),
                                                  my_runs=tuple(self.config.my_runs))

    def _saved_spec(self) -> tuple[tuple[str, str, str], ...]:
        return tuple((v.key, v.view, v.filter) for v in self.saved_views.values())

    # -- tabs ------------------------------------------------------------------------------------------
    def tab_keys(self) -> list[str]:
        return list(VIEW_LABELS) + list(self.saved_views)

    def current_tab(self) -> str:
        return self.query_state.tab or self.query_state.view

    def tab_query(self: "IssuesApp", key: str) -> dict:
        """The query changes that show tab `key` (a view or a saved view), with its remembered sort."""
        saved = self.saved_views.get(key)
        if saved is not None:
            sort = self.state.sort_for(key) or saved.sort
            return dict(view=saved.view, base_filter=saved.filter, tab=key, sort=sort)
        return dict(view=key, base_filter="", tab=None, sort=self.state.sort_for(key))

    def on_view_tabs_tab_clicked(self: "IssuesApp", msg: ViewTabs.TabClicked) -> None:
        self.set_view(msg.key)

    def current_layout(self) -> Layout:
        q = self.query_state
        saved = self.saved_views.get(q.tab) if q.tab else None
        if saved is not None and saved.columns is not None:
            return saved.columns
        return self.config.columns.get(q.tab or q.view) or self.config.columns.get(q.view) or default_layout(q.view)

    def render_tabs(self: "IssuesApp") -> None:
        snap = self.snapshot
        q = self.query_state
        project_name = None
        if q.project_id and snap:
            project_name = next((r.project.name for r in snap.projects if r.project.id == q.project_id), q.project_id)
        saved = [(key, v.name, snap.saved_counts.get(key) if snap else None) for key, v in self.saved_views.items()]
        notes = list(snap.search_problems) if snap else []
        if snap and snap.search_indexing:
            notes.append("indexing descriptions for search…")
        if self.alert_state.history:
            notes.append(f"! {len(self.alert_state.history)} alert{'s' if len(self.alert_state.history) != 1 else ''}")
        text, spans = tabs_text(self.current_tab(), snap.counts if snap else None, saved, q.search, q.agent,
                                project_name, len(self.query_one(IssueList).marked), snap.total if snap else 0, notes)
        self.query_one(ViewTabs).show(text, spans)

    def apply_layout(self: "IssuesApp") -> None:
        """Columns, header and highlighted words for the query now in force."""
        q = self.query_state
        layout = self.current_layout()
        sort = q.sort or DEFAULT_SORT[q.view]
        self.query_one(ListHeader).show(layout, sort)
        self.query_one(IssueList).set_columns(layout, parse(q.full_search).highlights() if q.full_search else ())

    # -- sort ------------------------------------------------------------------------------------------
    def sort_keys_here(self) -> list[str]:
        """The current columns' sort keys first (the order they are shown), then every other key."""
        shown = [c.sort for c, _ in self.current_layout().columns if c.sort]
        if self.query_state.view == "ready" and "priority" in shown:
            shown.remove("priority")
            shown.insert(0, "priority")
        return list(dict.fromkeys(shown + list(SORT_KEYS)))

    def action_sort(self: "IssuesApp") -> None:
        q = self.query_state
        label = self.saved_views[q.tab].name if q.tab in self.saved_views else VIEW_LABELS[q.view]

        def done(key: str | None) -> None:
            if key:
                self.apply_sort(key)

        from .screens.sort_picker import SortPicker
        self.push_screen(SortPicker(self.sort_keys_here(), q.sort or DEFAULT_SORT[q.view], label), done)

    def apply_sort(self: "IssuesApp", key: str) -> None:
        """Sort the current tab by `key`; the key already sorted reverses. Remembered across restarts."""
        q = self.query_state
        current = q.sort or DEFAULT_SORT[q.view]
        new = (key, not current[1]) if key == current[0] else (key, False)
        if new == DEFAULT_SORT[q.view] and q.view == "ready":
            new = None  # the crate's order: stays the crate's order if that ever changes
        self.state.set_sort(self.current_tab(), new)
        if self.state.problem:
            self.notify(visible(self.state.problem), severity="warning", markup=False)
            self.state.problem = None
        self.query_state = self.query_state.with_(sort=new)
        self.apply_layout()
        self.request_load(offset=0)

    def on_list_header_sort_clicked(self: "IssuesApp", msg: ListHeader.SortClicked) -> None:
        self.apply_sort(msg.key)

    # -- saved views -----------------------------------------------------------------------------------
    def save_current_view(self: "IssuesApp") -> None:
        q = self.query_state

        def check(name: str) -> str:
            """The name to save under (PromptScreen shows a ValidationError and keeps asking)."""
            name = name.strip()[:40]
            if not name:
                raise ValidationError("name", "a view needs a name")
            if f"saved:{name}" in self.saved_views or name in VIEW_LABELS.values():
                raise ValidationError("name", f"a view named {name!r} exists already")
            return name

        def done(name: str | None) -> None:
            if not name:
                return
            layout = self.current_layout()
            ids = tuple(c.id if w == c.width else f"{c.id}:{w}" for c, w in layout.columns)
            view = SavedView(name, q.full_search, q.view, q.sort, layout, ids)
            path = self.config.path or config_path()
            try:
                append_to_config(path, view)
            except OSError as exc:
                self.notify(visible(f"Cannot save the view in {path}: {exc.strerror or exc}"), severity="error",
                            markup=False)
                return
            self.saved_views[view.key] = view
            self.notify(visible(f"Saved view {view.name!r} in {path}"), markup=False)
            self.query_state = self.query_state.with_(saved=self._saved_spec())
            self.set_view(view.key)

        from .screens.forms import PromptScreen  # imported on first use (TextArea, Select: not at start-up)

        self.push_screen(PromptScreen("Save the current filter and sort as a view named:", validate=check), done)

    def view_commands(self: "IssuesApp") -> list[tuple[str, Callable, str]]:
        from .screens.sort_picker import LABELS
        out = []
        for key, view in self.saved_views.items():
            if key != self.query_state.tab:
                out.append((f"View: {visible(view.name)}", functools.partial(self.set_view, key),
                            visible(f"saved view: {view.filter or 'no filter'}")))
        out.append(("Save view: current filter and sort…", self.save_current_view, "adds a tab (and [[views]] to the config)"))
        out.append(("Sort…", self.action_sort, "key: s"))
        for key in self.sort_keys_here():
            out.append((f"Sort: by {LABELS.get(key, key)}", functools.partial(self.apply_sort, key),
                        "again to reverse"))
        out.append((f"Alerts ({len(self.alert_state.history)})", self.action_alerts, "key: !"))
        return out

    # -- pulse and alerts ------------------------------------------------------------------------------
    def views_loaded(self: "IssuesApp") -> None:
        """A new snapshot: columns, tabs, pulse, and the alerts it brings."""
        self.apply_layout()
        self._crossing_reload = False
        self._pulse_minute = None
        self.views_tick()

    def views_tick(self: "IssuesApp") -> None:
        """Every second: the pulse when the minute moves, and alerts the clock raises (no DB read)."""
        snap = self.snapshot
        if snap is None:
            return
        now = self.clock()
        minute = now // MINUTE_NS
        if minute != self._pulse_minute:
            self._pulse_minute = minute
            self.query_one(PulseStrip).show(pulse(snap.completions, now, snap.counts.ready))
        obs = Observation(snap.live_claims, snap.stale_claims, snap.counts.stale, snap.counts.ready,
                          snap.all_sessions, {r.project.id: r.project for r in snap.projects})
        new = detect(self.alert_state, obs, now, self.alert_cfg, alive=self.pid_alive or pid_alive)
        for alert in new:
            if not alert.at_open:
                self.raise_alert(alert)
        if new:
            self.render_tabs()
        crossing = next_crossing_ns(obs)
        if crossing is not None and crossing <= now and not self._crossing_reload:
            self._crossing_reload = True  # a claim just went stale: show it in the lists and counts (a read only)
            self.request_load()

    def raise_alert(self: "IssuesApp", alert: Alert) -> None:
        self.notify(visible(alert.message), title="Alert", severity=alert.severity, markup=False, timeout=8)
        if self.alert_cfg.desktop and not self.terminal_focused:
            seq = osc_notification("issues-tui", alert.message)
            self.desktop_sent.append(seq)
            driver = getattr(self, "_driver", None)
            if driver is not None and not getattr(self, "is_headless", False):
                driver.write(seq)
                driver.flush()

    def action_alerts(self: "IssuesApp") -> None:
        def done(issue_id: str | None) -> None:
            if issue_id:
                self.select_issue(issue_id)

        from .screens.alerts import AlertsScreen
        self.push_screen(AlertsScreen(self.alert_state.history), done)

    def on_app_blur(self, _event) -> None:
        self.terminal_focused = False
