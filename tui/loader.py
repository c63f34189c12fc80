"""What the dashboard reads in one go, off the UI thread (no Textual here: plain data in, plain data out).

`Query` is what the user asked to see; `load_snapshot` turns it into a `Snapshot` with a handful of
indexed queries (counts O(1), one page of the view, the selected issue with its history, projects
and sessions).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from store import Counts, Event, Issue, Project, Session, Store, timestamps
from store.connection import FileInfo

PAGE = 200  # rows fetched around the visible window


@dataclass(frozen=True, slots=True)
class Query:
    view: str = "ready"
    search: str = ""
    agent: str | None = None
    project_id: str | None = None
    offset: int = 0  # first row of the window to fetch
    limit: int = PAGE
    selected_id: str | None = None

    def with_(self, **changes) -> "Query":
        return replace(self, **changes)


@dataclass(slots=True)
class ProjectRow:
    project: Project
    sessions_total: int
    sessions_running: int


@dataclass(slots=True)
class Snapshot:
    query: Query
    info: FileInfo
    counts: Counts
    total: int  # rows in the view (with filters)
    offset: int
    rows: list[Issue]
    selected: Issue | None
    events: list[Event]
    projects: list[ProjectRow]
    sessions: list[Session]
    loaded_at: float = field(default_factory=time.time)
    token: tuple | None = None
    load_ms: float = 0.0
    agents: list[str] = field(default_factory=list)
    source: str = ""  # the key of the live source it came from (tui/live)


def load_detail(store: Store, issue_id: str | None) -> tuple[Issue | None, list[Event]]:
    if not issue_id:
        return None, []
    issue = store.get_issue_by_id(issue_id)
    return issue, (store.issue_events(issue_id) if issue else [])


def load_rows(store: Store, q: Query, counts: Counts | None = None) -> tuple[int, int, list[Issue]]:
    """(rows in the view, offset actually used, one window of rows)."""
    filters = dict(agent=q.agent, search=q.search or None, project_id=q.project_id)
    total = store.count_view(q.view, counts=counts, **filters)
    offset = max(0, min(q.offset, max(total - 1, 0)))
    rows = store.list_view(q.view, limit=q.limit, offset=offset, total=total, **filters)
    return total, offset, rows


def load_snapshot(store: Store, q: Query) -> Snapshot:
    t0 = time.perf_counter()
    token = store.change_token()
    counts = store.counts()
    total, offset, rows = load_rows(store, q, counts)
    selected_id = q.selected_id
    if selected_id is None and rows:
        selected_id = rows[0].id
    selected, events = load_detail(store, selected_id)
    projects = store.list_projects()
    all_sessions = store.list_sessions()
    per: dict[str, list[int]] = {}
    for s in all_sessions:
        stats = per.setdefault(s.project_id, [0, 0])
        stats[0] += 1
        stats[1] += s.status == "running"
    project_rows = [ProjectRow(p, *per.get(p.id, [0, 0])) for p in projects]
    sessions = [s for s in all_sessions if q.project_id is None or s.project_id == q.project_id]
    sessions.sort(key=lambda s: (s.status != "running", _neg_time(s.started_at)))
    return Snapshot(q, store.info, counts, total, offset, rows, selected, events, project_rows, sessions,
                    token=token, load_ms=(time.perf_counter() - t0) * 1000, agents=store.ready_agents())


def _neg_time(ts: str) -> float:
    ns = timestamps.parse_ns(ts)
    return -(ns or 0)
