"""The search language of `/` and of saved views, parsed into SQL (pure: no connection here).

    claim expiry agent:codex pri:urgent type:bug is:blocked is:stale is:mine #123 -flaky "exact phrase"

Every term must hold (AND). A bare word matches the title, the description or the blocked reason
(case-insensitive, anywhere in the text); `-word` excludes; `"two words"` is one phrase; `key:value`
is a filter from `FILTERS`, `is:value` a state from `IS_STATES`; `#123` is the issue number. A negated
filter (`-agent:codex`, `-is:blocked`) excludes. An unknown `key:` is searched as a word (and reported).

Adding a filter is one line per backend: `FILTERS["key"] = Filter(help, build)` here (SQLite) and the same key in
`store/postgres/views.py`'s `PG_FILTERS`, where `build(value, ctx)` returns `(sql, params)` over the `issues` row
(raise `ValueError` for a bad value). Filters that the store cannot
decide in SQL (e.g. `repo:` across several files) may return `None` from `build` and be read by the caller
from `ParsedQuery.filters`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

from .store_objects import PRIORITY_RANK_SQL, READY_BASE_SQL


@dataclass(frozen=True, slots=True)
class SearchContext:
    """What a filter may need to build its SQL (none of it from the query text)."""

    cutoff: str = ""  # claims older than this instant are stale (crate timestamp form)
    my_runs: tuple[str, ...] = ()  # `is:mine`: run ids (or globs) named in the config
    columns: frozenset[str] = frozenset()  # the file's `issues` columns (v6+ extras)
    extra: dict = field(default_factory=dict)  # anything a caller-registered filter needs


SqlPart = tuple[str, list] | None
Build = Callable[[str, SearchContext], SqlPart]


@dataclass(frozen=True, slots=True)
class Filter:
    help: str
    build: Build


def _need(col: str, ctx: SearchContext, what: str) -> None:
    if ctx.columns and col not in ctx.columns:
        raise ValueError(f"{what}: this file has no {col} column (schema before v6/v7/v11)")


def _enum_match(col: str, known: tuple[str, ...], aliases: dict[str, str] | None = None) -> Build:
    def build(value: str, ctx: SearchContext) -> SqlPart:
        text = value.strip().lower()
        text = (aliases or {}).get(text, text)
        if text in known:
            if col == "priority":  # the rank expression, textually the ready index's: a range seek there
                return (f"{PRIORITY_RANK_SQL} = {known.index(text)}", [])  # unknown/NULL rank as medium
            return (f"{col} = ?", [text])
        return (f"{col} = ?", [value])  # a raw value another writer stored (`critical`) is findable too
    return build


def _runs_sql(runs: tuple[str, ...]) -> SqlPart:
    if not runs:
        return ("0", [])
    parts, params = [], []
    for run in runs:
        if any(ch in run for ch in "*?["):
            parts.append("claimed_by GLOB ?")
        else:
            parts.append("claimed_by = ?")
        params.append(run)
    return ("status = 'in_progress' AND (" + " OR ".join(parts) + ")", params)


_STALE = "status = 'in_progress' AND (julianday(claimed_at) IS NULL OR julianday(claimed_at) < julianday(?))"
_LIVE = ("(claimed_by IS NULL OR claimed_by = '' OR julianday(claimed_at) IS NULL "
         "OR julianday(claimed_at) < julianday(?))")

IS_STATES: dict[str, Filter] = {
    "blocked": Filter("blocked (open, with a reason)", lambda v, c: ("status = 'open' AND ifnull(is_blocked, 0) != 0", [])),
    "stale": Filter("claimed over 15 minutes ago", lambda v, c: (_STALE, [c.cutoff])),
    "mine": Filter("claimed by a run named in the config (my_runs)", lambda v, c: _runs_sql(c.my_runs)),
    "open": Filter("status open", lambda v, c: ("status = 'open'", [])),
    "done": Filter("status done", lambda v, c: ("status = 'done'", [])),
    "ready": Filter("in the ready queue", lambda v, c: (f"{READY_BASE_SQL} AND {_LIVE}", [c.cutoff])),
    "claimed": Filter("in progress", lambda v, c: ("status = 'in_progress'", [])),
    "auto": Filter("filed by an agent itself (v11)", lambda v, c: (_need("auto_created", c, "is:auto")
                                                                  or ("ifnull(auto_created, 0) != 0", []))),
}


def state_filter(states: dict[str, Filter]) -> Build:
    """The `is:` filter over a backend's table of states."""
    def build(value: str, ctx: SearchContext) -> SqlPart:
        state = states.get(value.strip().lower())
        if state is None:
            raise ValueError(f"is:{value}: unknown state (choose one of: {', '.join(states)})")
        return state.build(value, ctx)
    return build


_is = state_filter(IS_STATES)


FILTERS: dict[str, Filter] = {
    "agent": Filter("the agent the issue is for", lambda v, c: ("agent = ?", [v])),
    "pri": Filter("priority: urgent, high, medium, low", _enum_match("priority", ("urgent", "high", "medium", "low"))),
    "type": Filter("type: task, bug, feature", _enum_match("issue_type", ("task", "bug", "feature"))),
    "status": Filter("status: open, in_progress, done", _enum_match(
        "status", ("open", "in_progress", "done"), {"inprogress": "in_progress", "in-progress": "in_progress"})),
    "by": Filter("claimed by this run (glob with *)", lambda v, c: _runs_sql((v,))),
    "is": Filter("state: " + ", ".join(IS_STATES), _is),
    "directive": Filter("directive id (v6)", lambda v, c: _need("directive_id", c, "directive:")
                        or ("directive_id = ?", [v])),
    "project": Filter("project name (v7)", lambda v, c: _need("project_id", c, "project:")
                      or ("project_id IN (SELECT id FROM projects WHERE name = ?)", [v])),
}
ALIASES = {"priority": "pri", "claimed_by": "by", "kind": "type", "state": "is"}

_TOKEN = re.compile(r'(-?)(?:([A-Za-z_]+):(?:"([^"]*)"?|(\S*))|"([^"]*)"?|(\S+))')


@dataclass(frozen=True, slots=True)
class ParsedQuery:
    text: str = ""
    words: tuple[str, ...] = ()  # must each appear (title, description or blocked reason)
    excluded: tuple[str, ...] = ()  # must not appear
    filters: tuple[tuple[str, str, bool], ...] = ()  # (key, value, negated), keys canonical
    numbers: tuple[int, ...] = ()  # `#123`
    problems: tuple[str, ...] = ()  # what the user should be told (unknown key, bad value)

    @property
    def empty(self) -> bool:
        return not (self.words or self.excluded or self.filters or self.numbers)

    def highlights(self) -> tuple[str, ...]:
        """The words to highlight in the list (what the user searched for, not what they excluded)."""
        return self.words


def parse(text: str) -> ParsedQuery:
    words: list[str] = []
    excluded: list[str] = []
    filters: list[tuple[str, str, bool]] = []
    numbers: list[int] = []
    problems: list[str] = []
    for m in _TOKEN.finditer(text or ""):
        neg, key, kquoted, kvalue, quoted, bare = m.groups()
        negated = bool(neg)
        if key is not None:
            value = kquoted if kquoted is not None else (kvalue or "")
            canon = ALIASES.get(key.lower(), key.lower())
            if canon in FILTERS:
                if value:
                    filters.append((canon, value, negated))
                continue  # `agent:` while still typing: nothing yet
            problems.append(f"{key}: is not a filter (known: {', '.join(FILTERS)}); searched as a word")
            word = f"{key}:{value}"
        elif quoted is not None:
            word = quoted
        else:
            word = bare
            if word.startswith("#") and word[1:].isdigit():
                if negated:
                    filters.append(("number", word[1:], True))
                else:
                    numbers.append(int(word[1:]))
                continue
        word = word.strip()
        if not word or word == "-":
            continue
        (excluded if negated else words).append(word)
    return ParsedQuery(text or "", tuple(words), tuple(excluded), tuple(filters), tuple(numbers), tuple(problems))


def like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


TEXT_COLUMNS = ("title", "description", "blocked_reason")


def word_like_sql(word: str) -> tuple[str, list]:
    """The exact test for one word: a case-insensitive substring of any of the text columns."""
    if not word.isascii():  # LIKE folds ASCII case only; the store registers tui_contains on its connections
        sql = " OR ".join(f"tui_contains({col}, ?)" for col in TEXT_COLUMNS)
        return f"({sql})", [word] * len(TEXT_COLUMNS)
    pattern = like_pattern(word)
    sql = " OR ".join(f"{col} LIKE ? ESCAPE '\\'" for col in TEXT_COLUMNS)
    return f"({sql})", [pattern] * len(TEXT_COLUMNS)


def take_agent(q: ParsedQuery) -> tuple[str | None, ParsedQuery]:
    """A single positive `agent:X` as the view's agent (so the agent-led indexes serve it), and the rest."""
    agents = [f for f in q.filters if f[0] == "agent"]
    if len(agents) != 1 or agents[0][2]:
        return None, q
    rest = tuple(f for f in q.filters if f[0] != "agent")
    return agents[0][1], ParsedQuery(q.text, q.words, q.excluded, rest, q.numbers, q.problems)


def filters_sql(q: ParsedQuery, ctx: SearchContext, registry: dict[str, Filter] | None = None,
                word_sql: Callable[[str], tuple[str, list]] | None = None, ph: str = "?",
                negate: Callable[[str], str] = lambda sql: f"NOT ifnull({sql}, 0)") -> tuple[list[str], list, list[str]]:
    """SQL for every non-word term: (where parts, params, problems). Words are the caller's (FTS or LIKE).

    `registry`, `word_sql`, the placeholder `ph` and `negate` (NULL-safe NOT) are a backend's own (SQLite's by default; the PostgreSQL
    backend passes its builders for the same keys)."""
    registry = FILTERS if registry is None else registry
    word_sql = word_sql or word_like_sql
    where: list[str] = []
    params: list = []
    problems: list[str] = []
    if q.numbers:
        where.append(f"number IN ({', '.join([ph] * len(q.numbers))})")
        params.extend(q.numbers)
    for key, value, negated in q.filters:
        if key == "number":
            where.append(f"number != {ph}")
            params.append(int(value))
            continue
        try:
            part = registry[key].build(value, ctx)
        except (ValueError, KeyError) as exc:
            problems.append(str(exc) if isinstance(exc, ValueError) else f"{key}: not available on this backend")
            where.append("1 = 0")  # a filter that cannot hold matches nothing (never silently everything)
            continue
        if part is None:
            continue
        sql, p = part
        where.append(negate(f"({sql})") if negated else f"({sql})")
        params.extend(p)
    for word in q.excluded:
        sql, p = word_sql(word)
        where.append(negate(sql))
        params.extend(p)
    return where, params, problems


def fts_query(words: tuple[str, ...]) -> str:
    """An FTS5 MATCH expression: every word as a quoted prefix phrase, ANDed (no FTS syntax from the user)."""
    parts = []
    for word in words:
        tokens = re.findall(r"\w+", word)
        if not tokens:
            continue
        parts.append('"' + " ".join(tokens) + '"*')
    return " AND ".join(parts)


__all__ = ["state_filter", "parse", "ParsedQuery", "SearchContext", "Filter", "FILTERS", "IS_STATES", "ALIASES", "filters_sql",
           "word_like_sql", "fts_query", "like_pattern", "TEXT_COLUMNS"]
