"""What the dashboard reads in one go, off the UI thread (no Textual here: plain data in, plain data out).

`Query` is what the user asked to see; `load_snapshot` turns it into a `Snapshot` with a handful of
indexed queries (counts O(1), one page of the view in its sort, the selected issue with its history,
projects and sessions, the claims the alerts watch, the last day's completions for the pulse, the
saved views' counts).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

from store import Counts, DirectiveCounts, Event, Issue, Project, Session, Store
from store import search
from store.connection import FileInfo
from store.pulse import HOUR_NS, HOURS
from store.directives import DirectiveSet, directives_folder, folder_signature, load_directives

from .lazy import lazy

fts = lazy("store.fts")  # the side search index: on the first search with words

PAGE = 200  # rows fetched around the visible window
SESSIONS_WINDOW = 40  # sessions the pane can show (running first, newest first); the rest are counted
HISTORY_WINDOW = 200  # newest events of the selected issue shown in its history; the rest are counted


class History(list):
    """The newest events of one issue, oldest first; `total` is how many the issue has."""

    total: int = 0

    @classmethod
    def of(cls, total: int, events: list[Event]) -> "History":
        out = cls(events)
        out.total = total
        return out


@dataclass(frozen=True, slots=True)
class Query:
    view: str = "ready"
    search: str = ""
    agent: str | None = None
    project_id: str | None = None
    offset: int = 0  # first row of the window to fetch
    limit: int = PAGE
    selected_id: str | None = None
    sessions_offset: int = 0  # first session of the sessions pane's window
    sort: tuple[str, bool] | None = None  # (store sort key, descending); None: the view's default order
    base_filter: str = ""  # a saved view's filter (the user's `/` text is added to it)
    tab: str | None = None  # the saved view shown (its key), None for a built-in view
    saved: tuple[tuple[str, str, str], ...] = ()  # (key, view, filter) of each saved view, for live counts
    my_runs: tuple[str, ...] = ()  # `is:mine` (from the config)

    directive_id: str | None = None  # the directive picked in the Directives pane (a `directive:` filter)
    repo: str | None = None  # several sources: show only this repo's rows (the `repo:` filter)

    @property
    def full_search(self) -> str:
        return " ".join(p for p in (self.base_filter, self.search) if p.strip())

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
    sessions: list[Session]  # one window (SESSIONS_WINDOW) of the filtered sessions
    loaded_at: float = field(default_factory=time.time)
    token: tuple | None = None
    load_ms: float = 0.0
    agents: list[str] = field(default_factory=list)
    directives: DirectiveSet | None = None  # the directives beside the DB (None: no such folder)
    directive_progress: dict[str, DirectiveCounts] = field(default_factory=dict)
    source: str = ""  # the key of the live source it came from (tui/live)
    live_claims: list[Issue] = field(default_factory=list)  # the next claims to go stale (alerts)
    stale_claims: list[Issue] = field(default_factory=list)  # the claims that went stale most recently
    completions: list[int] = field(default_factory=list)  # completion instants of the last 24 h (pulse)
    saved_counts: dict[str, int] = field(default_factory=dict)  # saved view key -> rows
    search_problems: list[str] = field(default_factory=list)
    search_indexing: bool = False  # the search side index is being built (searches are exact but slower)
    all_sessions: list[Session] = field(default_factory=list)  # every project's (the alerts watch them all)
    sessions_total: int = 0  # sessions matching the project filter (the window holds some of them)
    sessions_running: int = 0
    sessions_offset: int = 0  # where the window starts in the pane's order


def load_detail(store: Store, issue_id: str | None) -> tuple[Issue | None, History]:
    """The issue and a window of its history (the newest HISTORY_WINDOW events, counted)."""
    if not issue_id:
        return None, History()
    issue = store.get_issue_by_id(issue_id)
    if issue is None:
        return None, History()
    return issue, History.of(*store.recent_issue_events(issue_id, HISTORY_WINDOW))


def effective_search(q: Query) -> str | None:
    """The search text the store runs: a saved view's filter and the user's, plus the Directives pane's pick as
    a `directive:` term."""
    text = q.full_search
    parts = [text.strip()] if text and text.strip() else []
    if q.directive_id:
        parts.append(f"directive:{q.directive_id}")
    return " ".join(parts) or None


# Parsed directive folders, re-read only when their files change (names, sizes, mtimes).
_DIRECTIVES: dict[str, DirectiveSet] = {}


def directives_for(store: Store) -> DirectiveSet | None:
    """The directives beside the DB (cached by the folder's signature); None when there is no folder."""
    if not getattr(store, "has_column", None):  # a database server (PostgreSQL): no folder beside it
        return None
    folder = directives_folder(store.path)
    signature = folder_signature(folder)
    if signature == ("missing",) or signature[:1] == ("error",):
        _DIRECTIVES.pop(str(folder), None)
        return None
    cached = _DIRECTIVES.get(str(folder))
    if cached is None or cached.signature != signature:
        cached = _DIRECTIVES[str(folder)] = load_directives(folder)
    return cached


def source_token(store: Store) -> tuple:
    """What changes when anything the dashboard shows from this file changes: the DB (another process's
    commit, a replaced file) or the directives beside it (a cheap folder listing)."""
    return (store.change_token(), folder_signature(directives_folder(store.path)))


def load_rows(store: Store, q: Query, counts: Counts | None = None) -> tuple[int, int, list[Issue], Counts | None]:
    """(rows in the view, offset actually used, one window of rows, the counts used).

    The rows decide, not the count: a window that contradicts the view's count (fewer rows than the count
    promises, or more than it allows) means the counts were wrong; they are recounted from the table and
    the window read again, so a lying cache can never blank or shorten the list."""
    filters = dict(agent=q.agent, search=effective_search(q), project_id=q.project_id)
    for attempt in (0, 1):
        total = store.count_view(q.view, counts=counts, **filters)
        offset = max(0, min(q.offset, max(total - 1, 0)))
        rows = store.list_view(q.view, limit=q.limit, offset=offset, total=total, sort=q.sort, **filters)
        expected = max(0, min(q.limit, total - offset))
        if len(rows) == expected or attempt:
            break
        store.distrust_counts()
        counts = store.counts()
    if len(rows) != expected:  # still contradicting (the file changed between the reads): trust the rows
        total = max(total, offset + len(rows))
    return total, offset, rows, counts


def _prepare_search(store: Store, q: Query) -> bool:
    """Words to search (now or in a saved view): use the side index, building it on first use. True while
    it is not complete yet."""
    texts = [q.full_search] + [f for _, _, f in q.saved]
    if not any(search.parse(t).words for t in texts if t):
        return False
    index = fts.enable(store)
    index.sync(store)
    return not index.complete


def load_snapshot(store: Store, q: Query) -> Snapshot:
    t0 = time.perf_counter()
    token = source_token(store)
    store.my_runs = q.my_runs
    indexing = _prepare_search(store, q)
    counts = store.counts()
    total, offset, rows, counts = load_rows(store, q, counts)
    selected_id = q.selected_id
    if selected_id is None and rows:
        selected_id = rows[0].id
    selected, events = load_detail(store, selected_id)
    projects = store.list_projects()
    per = store.session_counts()  # one GROUP BY, and one window of sessions: 100k cost what 100 do
    project_rows = [ProjectRow(p, *per.get(p.id, (0, 0))) for p in projects]
    s_offset = q.sessions_offset
    s_total, s_running, sessions = store.sessions_window(q.project_id, limit=SESSIONS_WINDOW, offset=s_offset)
    if s_offset and not sessions and s_total:  # the window fell past the end (sessions went away): the last one
        s_offset = max(s_total - SESSIONS_WINDOW, 0)
        s_total, s_running, sessions = store.sessions_window(q.project_id, limit=SESSIONS_WINDOW, offset=s_offset)
    directives = directives_for(store)
    progress = store.directive_progress() if directives is not None else {}
    # the alerts watch every project's sessions (running first, then the newest ended ones)
    watched = (sessions if q.project_id is None and s_offset == 0
               else store.sessions_window(None, limit=SESSIONS_WINDOW)[2])
    live, stale = store.watched_claims()
    completions = store.completion_times(store.now_ns() - HOURS * HOUR_NS)
    saved_counts = {key: store.count_view(view, search=filt or None, counts=counts) for key, view, filt in q.saved}
    return Snapshot(q, store.info, counts, total, offset, rows, selected, events, project_rows, sessions,
                    token=token, load_ms=(time.perf_counter() - t0) * 1000, agents=store.ready_agents(),
                    sessions_total=s_total, sessions_running=s_running, sessions_offset=s_offset,
                    live_claims=live, stale_claims=stale, completions=completions, saved_counts=saved_counts,
                    search_problems=store.search_problems(q.full_search), search_indexing=indexing,
                    all_sessions=watched, directives=directives, directive_progress=progress)
