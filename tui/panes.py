"""The Directives and Repos panes and what a snapshot tells the widgets beyond one file's rows.

`ExtraPanes` is a mixin of `IssuesApp`. `apply_extras(snapshot)` runs after every applied snapshot: the
Directives pane (shown when a `directives/` folder is beside the DB), and with several files the Repos
pane, the list's repo column, the detail's repo and the project/directive names. Selecting a directive
filters the list by it (and, with several repos, to its repo) and shows it in the detail pane; selecting
a repo shows only its rows. Handlers follow Textual's naming, which dispatches along the MRO from a mixin.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ScreenStackError
from textual.widgets import OptionList

from store import DirectiveCounts

from .columns import COLUMNS
from .errors import while_running
from .loader import Snapshot
from .repo_ids import split_id
from .widgets.detail import DetailPane
from .widgets.directives import ALL as ALL_DIRECTIVES, DirectiveRow, DirectivesPane, ProblemRow
from .widgets.ready_queue import IssueList
from .widgets.repos import ALL as ALL_REPOS, ReposPane
from .widgets.status_bar import status_text, update_if_changed

if TYPE_CHECKING:
    from .app import IssuesApp

REPO_WIDTH_MAX = 14


class ExtraPanes:
    """Mixin for IssuesApp."""

    @property
    def multi(self: "IssuesApp"):
        """The MultiSource when several files are shown, else None."""
        return self.source if getattr(self.source, "children", None) is not None else None

    def directive_rows(self: "IssuesApp", snap: Snapshot) -> tuple[list[DirectiveRow], list[ProblemRow], bool]:
        """(directives, broken files, any folder at all) over every file shown."""
        multi = self.multi
        parts = [(multi.names[i], s) for i, s in sorted(multi.parts.items())] if multi else [("", snap)]
        rows, problems, present = [], [], False
        for repo, part in parts:
            if part.directives is None:
                continue
            present = True
            for d in part.directives.directives:
                rows.append(DirectiveRow(d, part.directive_progress.get(d.id, DirectiveCounts()), repo))
            problems.extend(ProblemRow(p, repo) for p in part.directives.problems)
        return rows, problems, present

    def apply_names(self: "IssuesApp", snap: Snapshot) -> None:
        """Project and directive names for the detail (before it draws the selected issue)."""
        rows, _, _ = self.directive_rows(snap)
        multi = self.multi
        parts = list(multi.parts.values()) if multi else [snap]  # each file's own project ids and names
        self.query_one(DetailPane).set_names({r.project.id: r.project.name for s in parts for r in s.projects},
                                             {r.directive.id: r.directive.title for r in rows})

    def apply_extras(self: "IssuesApp", snap: Snapshot) -> None:
        detail = self.query_one(DetailPane)
        rows, problems, present = self.directive_rows(snap)
        self.screen.set_class(present, "-directives")
        pane = self.query_one(DirectivesPane)
        if present:
            pane.set_directives(rows, problems)
        if detail.directive is not None:  # the directive shown: fresh progress
            fresh = pane.row_for(detail.directive.key)
            if fresh is not None:
                detail.show_directive(fresh)
        multi = self.multi
        issues = self.query_one(IssueList)
        if multi is None or multi.merged is None:
            return
        self.refresh_repos()
        current = issues.current
        detail.repo = multi.merged.repo_of.get(current.id, "") if current is not None else ""

    def current_layout(self: "IssuesApp"):
        """The view's columns; with several files a `repo` column after `#` (unless the config placed it)."""
        layout = super().current_layout()
        multi = self.multi
        if multi is None or any(c.id == "repo" for c, _ in layout.columns):
            return layout
        width = min(max([4] + [len(n) for n in multi.names]), REPO_WIDTH_MAX)
        cols = list(layout.columns)
        at = next((n + 1 for n, (c, _) in enumerate(cols) if c.id == "number"), 0)
        cols.insert(at, (COLUMNS["repo"], width))
        return type(layout)(tuple(cols))

    def refresh_repos(self: "IssuesApp") -> None:
        """The Repos pane from each source's state now (after a load, and when a file goes bad)."""
        multi = self.multi
        if multi is None:
            return
        self.screen.set_class(True, "-repos")
        self.query_one(ReposPane).set_repos(multi.repos())

    # -- selection ---------------------------------------------------------------------------------------
    def on_option_list_option_selected(self: "IssuesApp", event: OptionList.OptionSelected) -> None:
        list_id = event.option_list.id
        if list_id == "directives":
            pane = self.query_one(DirectivesPane)
            row = pane.row_at(event.option_index)
            detail = self.query_one(DetailPane)
            if event.option.id == ALL_DIRECTIVES:
                detail.unpin_directive()
                self.request_load(directive_id=None, repo=None if self.multi else self.query_state.repo, offset=0)
                return
            if not isinstance(row, DirectiveRow):
                return  # a broken file: its line already says what is wrong
            detail.show_directive(row)
            self.request_load(directive_id=row.directive.id, repo=row.repo or None, offset=0, selected_id=None)
            self.query_one(IssueList).selected_id = None
        elif list_id == "repos":
            repo = None if event.option.id == ALL_REPOS else event.option.id
            self.request_load(repo=repo, offset=0, selected_id=None)
            self.query_one(IssueList).selected_id = None

    @while_running
    def on_issue_list_highlighted(self: "IssuesApp", msg: IssueList.Highlighted) -> None:
        """Moving in the list (while it has the focus) shows issues again, not the directive; the row's repo
        becomes the one new issues and `#N` go to."""
        try:
            in_list = self.focused is self.query_one(IssueList)
        except ScreenStackError:  # shutting down
            return
        if in_list:
            self.query_one(DetailPane).unpin_directive()
        multi = self.multi
        if multi is not None and msg.issue is not None:
            index, _ = split_id(msg.issue.id)
            multi.routed.prefer = index
            if multi.merged is not None:
                self.query_one(DetailPane).repo = multi.merged.repo_of.get(msg.issue.id, "")

    @while_running
    def on_descendant_focus(self: "IssuesApp", event) -> None:
        """Back to the list from the Directives pane: the detail shows the selected issue again."""
        issues = self.query_one(IssueList)
        detail = self.query_one(DetailPane)
        if event.widget is issues and detail.directive is not None:
            detail.unpin_directive()
            if issues.current is not None:
                self.load_detail_worker(issues.current.id)

    def _render_multi_status(self: "IssuesApp") -> None:
        """Summed counts; the repos with a problem named; versions as a range (`3 repos v5-v11`)."""
        snap, repos = self.snapshot, self.multi.repos()
        versions = sorted({r.version for r in repos if r.version is not None})
        version = (f"{versions[0]}" if len(versions) == 1 else f"{versions[0]}-v{versions[-1]}") if versions else "?"
        problems = "; ".join(f"{r.name}: {r.problem}" for r in repos if r.problem) or None
        ro = [r.name for r in repos if r.read_only]
        update_if_changed(self.query_one("#status"), status_text(
            f"{len(repos)} repos", version, "", ", ".join(ro) if ro else None, snap.counts if snap else None,
            snap.loaded_at if snap else None, not self.paused, problems, saving=self.saving))
