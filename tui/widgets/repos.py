"""Repos pane (several files in one dashboard): each repo's counts and state, and what is wrong with a file
that disappeared or went bad. Selecting one shows only its rows (the `repo:` filter)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from ..text import visible

if TYPE_CHECKING:
    from ..multi import RepoState

ALL = "__all_repos__"


def repo_prompt(repo: RepoState) -> Text:
    """Two lines: the repo and its state (or what is wrong with its file); then its counts."""
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(visible(repo.name), "bold magenta")
    if repo.problem:
        t.append("  ⚠ ", "bold red")
        t.append(visible(repo.problem), "red")
        return t
    c = repo.counts
    if c is None:
        t.append("  opening…", "dim")
        return t
    if repo.version is not None:
        t.append(f"  v{repo.version}", "dim")
    if repo.read_only:
        t.append("  read-only", "yellow")
    t.append("\n ")
    pieces = [("ready", c.ready, "bold green"), ("prog", c.in_progress, "bold yellow"), ("blk", c.blocked, "bold red"),
              ("done", c.done, "bold blue"), ("stale", c.stale, "bold reverse red")]
    if c.auto is not None:
        pieces += [("claimed", c.claimed, "bold yellow"), ("auto", c.auto, "bold magenta")]
    for label, value, style in pieces:
        t.append(f" {label} ", "dim")
        t.append(f"{value:,}", style if value else "dim")
    return t


class ReposPane(OptionList):
    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._key = None
        self._ids: list[str] = []

    def set_repos(self, repos: list[RepoState]) -> None:
        key = [(r.name, r.problem, r.counts, r.read_only) for r in repos]
        if key == self._key:
            return
        self._key = key
        highlighted = self._ids[self.highlighted] if self.highlighted is not None and self.highlighted < len(self._ids) else None
        bad = sum(1 for r in repos if r.problem)
        head = Text.assemble(("All repos", "bold"), (f" {len(repos)}", "bold"),
                             (f"  ⚠ {bad} with a problem" if bad else "", "bold red"))
        ids = [ALL] + [r.name for r in repos]
        self.clear_options()
        self.add_options([Option(head, id=ALL)] + [Option(repo_prompt(r), id=r.name) for r in repos])
        self._ids = ids
        self.highlighted = ids.index(highlighted) if highlighted in ids else 0
