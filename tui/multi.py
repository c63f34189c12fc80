"""Several issues files in one dashboard: per-source windows merged into one view (no Textual here).

Each source loads its own snapshot (its own file, watched on its own); this module turns the latest one of
each into the single `Snapshot` the widgets show:

- rows are merged in the view's order (the ready queue in the crate's: priority rank, then `created_at`,
  then number; the others as the store orders them), ties broken by the sources' order;
- every merged row is a copy of the issue whose `id` is *composite* (`<source index>/<id>`), so rows of
  two files never collide (two copies of one file hold the same ids), and a composite id never names a row
  in any file: whatever uses it without `split_id` reaches nothing. Writes go through `split_id` to the
  row's own source and its real id, never another file;
- counts are summed (and kept per repo), projects and sessions are those of every file.

To show rows [offset, offset + limit) of the merged view each source needs its first offset + limit rows
(the view is merged from the top); past the middle of the merged view it needs only its last
(total - offset) rows instead (merged from the far end), so both ends cost one page per source.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field, replace
from typing import Callable

from store import Counts, Issue, timestamps

from .loader import Query, Snapshot

from .repo_ids import REPO_KEY, SEP, composite_id, split_id  # noqa: F401 (re-exported)


# -- the `repo:` filter ----------------------------------------------------------------------------------
def _register_repo_filter() -> None:
    """`repo:NAME` in the search language (store/search.py, where it exists): decided here, across files, so
    the store's SQL ignores it (its build returns None)."""
    try:
        from store import search as searchlang
    except ImportError:  # a store without the search language: the Repos pane still filters by repo
        return
    if "repo" not in searchlang.FILTERS:
        searchlang.FILTERS["repo"] = searchlang.Filter("repo name (a dashboard of several files)", lambda v, c: None)


_register_repo_filter()


def repo_filter(search: str, names: list[str]) -> set[int] | None:
    """The sources a search's `repo:` terms keep (None: no such term). `repo:api` keeps api, `-repo:api` drops it."""
    try:
        from store import search as searchlang
    except ImportError:
        return None
    terms = [(v, neg) for key, v, neg in searchlang.parse(search).filters if key == "repo"] if search else []
    if not terms:
        return None
    keep = set(range(len(names)))
    for value, negated in terms:
        match = {i for i, n in enumerate(names) if n.lower() == value.lower()}
        keep = keep - match if negated else keep & match
    return keep


# -- order ----------------------------------------------------------------------------------------------
def _ns(ts) -> float:
    ns = timestamps.parse_ns(ts) if ts else None
    return float("-inf") if ns is None else float(ns)  # julianday(NULL) sorts first, as in SQL


def _text(value) -> tuple:
    return (0, "") if value is None else (1, str(value))  # NULL first (SQL ascending), then the text


# The store's sort keys (store/views.py SORT_KEYS) as Python keys over an Issue, in the same order.
SORT_KEYS: dict[str, Callable[[Issue], tuple]] = {
    "number": lambda i: (),
    "priority": lambda i: (i.priority_rank, i.created_at),  # the crate's ready order
    "type": lambda i: (_text(i.issue_type),),
    "agent": lambda i: (_text(i.agent),),
    "title": lambda i: (_text(i.title),),
    "status": lambda i: (_text(i.status),),
    "created": lambda i: (_text(i.created_at),),
    "updated": lambda i: (_text(i.updated_at),),
    "claimed": lambda i: (_ns(i.claimed_at),),
    "claimed_by": lambda i: (_text(i.claimed_by),),
    "completed": lambda i: (_text(i.completed_at),),
    "reason": lambda i: (_text(i.blocked_reason),),
}
DEFAULT_SORT: dict[str, tuple[str, bool]] = {
    "ready": ("priority", False), "in_progress": ("claimed", False), "stale": ("claimed", False),
    "blocked": ("number", False), "done": ("number", True), "all": ("number", False),
}


def view_order(view: str, sort: tuple[str, bool] | None = None) -> tuple[Callable[[Issue], tuple], bool]:
    """(ascending key, descending?) of a view in a sort (None: the view's default), as the store orders it;
    `number` breaks ties in the same direction."""
    key, desc = sort or DEFAULT_SORT.get(view, ("number", False))
    part = SORT_KEYS.get(key, SORT_KEYS["number"])
    return (lambda i: (*part(i), i.number)), desc


def order_key(view: str, sort: tuple[str, bool] | None = None) -> Callable[[Issue], tuple]:
    """A key whose ascending order is the view's order (numbers negated for a descending sort by number)."""
    key, desc = view_order(view, sort)
    if not desc:
        return key
    if (sort or DEFAULT_SORT.get(view, ("number", False)))[0] == "number":
        return lambda i: (-i.number,)
    return _Reversed.wrap(key)


class _Reversed:
    """Inverts the order of a key (for a descending sort by text)."""

    __slots__ = ("value",)

    def __init__(self, value) -> None:
        self.value = value

    def __lt__(self, other: "_Reversed") -> bool:
        return other.value < self.value

    def __eq__(self, other) -> bool:
        return self.value == other.value

    @classmethod
    def wrap(cls, key):
        return lambda i: (cls(key(i)),)


# -- windows ---------------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Plan:
    """What each source must load for one merged window."""

    from_end: bool
    queries: list[Query]


def plan(q: Query, totals: list[int | None]) -> Plan:
    """Per-source queries for the merged window at q.offset (totals: each source's last known view size)."""
    known = all(t is not None for t in totals)
    grand = sum(t or 0 for t in totals)
    if known and grand and q.offset > grand // 2:
        tail = grand - q.offset
        queries = [for_child(q, i).with_(offset=max(0, t - tail), limit=max(min(t, tail), 1), selected_id=None)
                   for i, t in enumerate(totals)]
        return Plan(True, queries)
    need = q.offset + q.limit
    return Plan(False, [for_child(q, i).with_(offset=0, limit=need, selected_id=None) for i in range(len(totals))])


_SAME = ("view", "search", "agent", "project_id", "directive_id", "sort", "base_filter", "my_runs")


def covers(snap: Snapshot, want: Query) -> bool:
    """Does one file's snapshot answer `want` (same view and filters; the rows `want` needs are loaded)?"""
    have = snap.query
    if any(getattr(have, f, None) != getattr(want, f, None) for f in _SAME):
        return False
    end = min(want.offset + want.limit, snap.total)
    return snap.offset <= max(0, min(want.offset, max(snap.total - 1, 0))) and snap.offset + len(snap.rows) >= end


def for_child(q: Query, index: int) -> Query:
    """What one file is asked: a composite project id becomes its real id in its own file (None elsewhere)."""
    project_index, real = split_id(q.project_id)
    if project_index is None:
        return q
    return q.with_(project_id=real if project_index == index else None)


def merge_window(view: str, parts: list[tuple[int, int, int, list[Issue]]], offset: int, limit: int,
                 from_end: bool, sort: tuple[str, bool] | None = None) -> list[tuple[int, Issue]]:
    """parts: (source index, view total, offset loaded, rows). Returns the merged rows [offset, offset+limit)
    as (source index, issue)."""
    key = order_key(view, sort)
    runs = [[(key(issue), index, issue) for issue in rows] for index, _, _, rows in parts]
    merged = heapq.merge(*runs, key=lambda t: (t[0], t[1]))
    if not from_end:
        out = []
        for n, (_, index, issue) in enumerate(merged):
            if n >= offset + limit:
                break
            if n >= offset:
                out.append((index, issue))
        return out
    everything = [(index, issue) for _, index, issue in merged]
    grand = sum(total for _, total, _, _ in parts)
    start = len(everything) - (grand - offset)  # the merged tails end where the merged view ends
    start = max(start, 0)
    return everything[start:start + limit]


# -- snapshots -----------------------------------------------------------------------------------------
@dataclass(slots=True)
class RepoState:
    """One source as the dashboard shows it: name, file, its counts, and what is wrong with it (if anything)."""

    index: int
    name: str
    path: str
    counts: Counts | None = None
    total: int | None = None  # rows in the current view
    problem: str | None = None
    version: int | None = None
    journal: str = ""
    read_only: str | None = None
    loaded_at: float | None = None


def sum_counts(all_counts: list[Counts]) -> Counts:
    out = Counts()
    autos = [c.auto for c in all_counts if c.auto is not None]
    for c in all_counts:
        for name in ("open", "ready", "in_progress", "blocked", "done", "stale", "other", "total", "claimed"):
            setattr(out, name, getattr(out, name) + getattr(c, name))
    out.auto = sum(autos) if autos else None
    return out


@dataclass(slots=True)
class Merged:
    """The merged snapshot plus what only a multi-repo dashboard needs."""

    snapshot: Snapshot
    repos: list[RepoState]
    repo_of: dict[str, str] = field(default_factory=dict)  # composite row id -> repo name


def merge(q: Query, parts: dict[int, Snapshot], repos: list[RepoState], from_end: bool,
          include: set[int] | None = None) -> Merged | None:
    """One Snapshot for the widgets from the latest snapshot of each source (`include`: the sources the
    `repo:` filter keeps; None = all). None until at least one source has loaded."""
    if not parts:
        return None
    names = {r.index: r.name for r in repos}
    project_index, _ = split_id(q.project_id)
    if project_index is not None:  # a project picked in the Projects pane belongs to one repo
        include = {project_index} if include is None else include & {project_index}
    shown = {i: s for i, s in parts.items() if include is None or i in include}
    window = merge_window(q.view, [(i, s.total, s.offset, s.rows) for i, s in sorted(shown.items())],
                          q.offset, q.limit, from_end, getattr(q, "sort", None))
    rows = [replace(issue, id=composite_id(i, issue.id), extra={**issue.extra, REPO_KEY: names.get(i, "")})
            for i, issue in window]
    repo_of = {row.id: names.get(i, "") for row, (i, _) in zip(rows, window)}
    total = sum(s.total for s in shown.values())
    counts = sum_counts([s.counts for i, s in sorted(parts.items()) if include is None or i in include])
    first = parts[min(parts)]
    # Projects and sessions of every file, their ids made composite too (two copies of one file hold the
    # same ids), each project named with its repo.
    projects = [replace(p, project=replace(p.project, id=composite_id(i, p.project.id),
                                           name=f"{names.get(i, '')} · {p.project.name}"))
                for i, s in sorted(parts.items()) for p in s.projects]
    sessions = sorted((replace(x, id=composite_id(i, x.id), project_id=composite_id(i, x.project_id))
                       for i, s in sorted(parts.items()) for x in s.sessions),
                      key=lambda s: (s.status != "running", -(timestamps.parse_ns(s.started_at) or 0)))
    agents = sorted({a for s in parts.values() for a in s.agents})
    offset = max(0, min(q.offset, max(total - 1, 0)))
    ordered = sorted(parts.items())

    def tagged(i: int, issues) -> list[Issue]:
        return [replace(x, id=composite_id(i, x.id), extra={**x.extra, REPO_KEY: names.get(i, "")}) for x in issues]

    saved: dict[str, int] = {}
    for _, s in ordered:
        for key, n in s.saved_counts.items():
            saved[key] = saved.get(key, 0) + n
    snap = Snapshot(q, first.info, counts, total, offset, rows, None, [], projects, sessions,
                    token=tuple(s.token for _, s in ordered),
                    load_ms=max(s.load_ms for s in parts.values()), agents=agents,
                    live_claims=[x for i, s in ordered for x in tagged(i, s.live_claims)],
                    stale_claims=[x for i, s in ordered for x in tagged(i, s.stale_claims)],
                    completions=sorted(t for _, s in ordered for t in s.completions), saved_counts=saved,
                    search_problems=list(dict.fromkeys(p for _, s in ordered for p in s.search_problems)),
                    search_indexing=any(s.search_indexing for _, s in ordered),
                    all_sessions=[replace(x, id=composite_id(i, x.id), project_id=composite_id(i, x.project_id))
                                  for i, s in ordered for x in s.all_sessions],
                    sessions_total=sum(s.sessions_total for _, s in ordered),
                    sessions_running=sum(s.sessions_running for _, s in ordered))
    return Merged(snap, repos, repo_of)
