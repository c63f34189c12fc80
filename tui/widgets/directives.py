"""Directives pane: `d-NNN [status] [prio] progress% title` per directive beside the DB (live progress from
its issues), and one line per broken file naming the file and what is wrong. Selecting a directive filters
the issue list by it; the detail pane then shows the directive (`directive_text` + its markdown body)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from store import DirectiveCounts
from store.directives import Directive, DirectiveProblem

from ..text import visible

ALL = "__all_directives__"

STATUS_STYLE = {"active": "bold green", "paused": "yellow", "completed": "blue"}
PRIORITY_STYLE = {"urgent": "bold red", "high": "yellow", "medium": "", "low": "dim"}


@dataclass(frozen=True, slots=True)
class DirectiveRow:
    """One directive as the pane shows it: which repo (multi-repo dashboards) and its live progress."""

    directive: Directive
    progress: DirectiveCounts
    repo: str = ""  # the source's name; "" with one source

    @property
    def key(self) -> str:
        return f"{self.repo}\0{self.directive.id}"


@dataclass(frozen=True, slots=True)
class ProblemRow:
    problem: DirectiveProblem
    repo: str = ""


def progress_bar(percent: int, width: int = 5) -> str:
    filled = round(percent * width / 100)
    return "█" * filled + "░" * (width - filled)


def directive_prompt(row: DirectiveRow) -> Text:
    """`d-001 [active] [high] 40% Implement the thing` (with a small bar, and the repo when there are several)."""
    d, p = row.directive, row.progress
    t = Text(no_wrap=True, overflow="ellipsis")
    if row.repo:
        t.append(visible(row.repo), "magenta")
        t.append(" ")
    t.append(visible(d.id), "bold")
    t.append(" [")
    t.append(d.status, STATUS_STYLE.get(d.status, ""))
    t.append("] [")
    t.append(d.priority, PRIORITY_STYLE.get(d.priority, ""))
    t.append("] ")
    t.append(f"{p.percent:>3}%", "bold green" if p.total and p.percent == 100 else "bold")
    t.append(f" {progress_bar(p.percent)} ", "green" if p.total else "dim")
    t.append(visible(d.title))
    return t


def problem_prompt(row: ProblemRow) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append("⚠ ", "bold red")
    if row.repo:
        t.append(visible(row.repo), "magenta")
        t.append(" ")
    t.append(visible(row.problem.name), "bold red")
    where = f":{row.problem.line}" if row.problem.line else ""
    t.append(f"{where} ", "red")
    t.append(visible(row.problem.message), "red")
    return t


def directive_text(row: DirectiveRow) -> Text:
    """The detail pane's head for a directive: id, status, priority, progress by state, dates, file."""
    d, p = row.directive, row.progress
    t = Text()
    t.append("Directive ", "dim")
    t.append(visible(d.id), "bold")
    if row.repo:
        t.append("  repo ", "dim")
        t.append(visible(row.repo), "magenta")
    t.append("\n")
    t.append(visible(d.title), "bold")
    t.append("\n")
    t.append(d.status, STATUS_STYLE.get(d.status, ""))
    t.append(" · ", "dim")
    t.append(d.priority, PRIORITY_STYLE.get(d.priority, ""))
    t.append(" · ", "dim")
    t.append(f"{p.percent}% done", "bold")
    t.append(f" {progress_bar(p.percent, 10)}", "green" if p.total else "dim")
    t.append("\n")
    if p.total:
        t.append(f"{p.total} issue{'s' if p.total != 1 else ''}: {p.done} done, {p.in_progress} in progress, "
                 f"{p.blocked} blocked, {p.total - p.done - p.in_progress} open", "dim")
    else:
        t.append("no issues linked yet (issues name it in directive_id)", "dim")
    t.append("\n")
    t.append("created ", "dim")
    t.append(d.created)
    if d.updated:
        t.append("  updated ", "dim")
        t.append(d.updated)
    t.append("\n")
    t.append("file ", "dim")
    t.append(visible(str(d.path)), "dim")
    return t


class DirectivesPane(OptionList):
    """Lists directives (and broken files). `selected` is the DirectiveRow highlighted, if any."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._rows: list[DirectiveRow | ProblemRow | None] = []
        self._key = None

    def set_directives(self, rows: list[DirectiveRow], problems: list[ProblemRow]) -> None:
        key = ([(r.directive, r.progress, r.repo) for r in rows], [(p.problem, p.repo) for p in problems])
        if key == self._key:
            return  # unchanged: keep the options, highlight and scroll as they are
        self._key = key
        highlighted = self.highlighted_key
        entries: list[DirectiveRow | ProblemRow | None] = [None, *rows, *problems]
        total = sum(r.progress.total for r in rows)
        done = sum(r.progress.done for r in rows)
        head = Text.assemble(("All directives", "bold"), (f" {len(rows)}", "bold"),
                             (f" · {done}/{total} issues done" if total else "", "dim"))
        options = [Option(head, id=ALL)]
        for n, entry in enumerate(entries[1:], 1):
            if isinstance(entry, DirectiveRow):
                options.append(Option(directive_prompt(entry), id=entry.key))
            else:
                options.append(Option(problem_prompt(entry), id=f"broken-file-{n}"))
        self.clear_options()
        self.add_options(options)
        self._rows = entries
        keys = [o.id for o in options]
        if highlighted in keys:
            self.highlighted = keys.index(highlighted)
        elif options:
            self.highlighted = 0

    @property
    def highlighted_key(self) -> str | None:
        if self.highlighted is None or self.highlighted >= self.option_count:
            return None
        return self.get_option_at_index(self.highlighted).id

    def row_at(self, index: int | None) -> DirectiveRow | ProblemRow | None:
        if index is None or not 0 <= index < len(self._rows):
            return None
        return self._rows[index]

    def row_for(self, key: str | None) -> DirectiveRow | None:
        return next((r for r in self._rows if isinstance(r, DirectiveRow) and r.key == key), None)
