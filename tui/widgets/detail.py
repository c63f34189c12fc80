"""The issue detail pane: every field, the description as Markdown (made safe), the claim countdown and
the history from `issue_events`. It renders what it is given; it never queries the file."""

from __future__ import annotations

import re
import threading
import time

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from store import Event, Issue, Status, timestamps

from ..format import ago, clock, duration
from ..repo_ids import REPO_KEY, split_id
from ..text import lit, visible

CLAIM_SECONDS = 15 * 60
# What one value may cost to draw. Textual's Markdown makes one widget per block (a 2,500-item list in a
# 10,000-character description took 17-28 s): the first MARKDOWN_BLOCKS blocks (at most MARKDOWN_LIMIT
# characters) are Markdown, the rest is one plain-text widget (PLAIN_LIMIT characters shown in all, then a note).
MARKDOWN_BLOCKS = 30
MARKDOWN_LIMIT = 8_000
PLAIN_LIMIT = 30_000
TITLE_LIMIT = 500  # characters of a title the head shows (the crate validates nothing: 10 MB titles exist)
_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d{1,9}[.)])(?:\s|$)")


def markdown_cut(text: str, max_blocks: int | None = None, max_chars: int | None = None) -> int | None:
    """Where to stop the Markdown part of `text`: the offset of the first line that would start block number
    `max_blocks + 1` (paragraph, list item, heading, quote, fence, table row), or past `max_chars`; None if
    all of it is within both limits. Cuts only at line starts, never inside a fenced code block."""
    max_blocks = MARKDOWN_BLOCKS if max_blocks is None else max_blocks
    max_chars = MARKDOWN_LIMIT if max_chars is None else max_chars
    blocks, pos, prev_blank, fence = 0, 0, True, ""
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
            pos += len(line)
            continue
        if not stripped:
            prev_blank = True
            pos += len(line)
            continue
        starts = prev_blank or bool(_LIST_ITEM.match(line)) or stripped.startswith(("#", ">", "|", "```", "~~~"))
        if starts:
            blocks += 1
            if blocks > max_blocks or pos > max_chars:
                return pos
        if stripped.startswith(("```", "~~~")):
            fence = stripped[:3]
        prev_blank = False
        pos += len(line)
        if pos > max_chars * 4 and fence:  # a huge fenced block: cut inside it rather than draw it all
            return pos
    return None if pos <= max_chars else max_chars


def _local(ts: str | None) -> str:
    ns = timestamps.parse_ns(ts)
    if ns is None:
        return visible(ts) if ts else "—"
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ns / 1e9))


def claim_line(issue: Issue, now_ns: int) -> Text:
    """Who holds the claim, since when, and the live countdown to expiry (or STALE)."""
    text = Text()
    if not issue.claimed_by:
        return text
    text.append("claimed by ", "dim")
    text.append(visible(issue.claimed_by), "bold")
    at = timestamps.parse_ns(issue.claimed_at)
    if at is None:
        text.append("  at an unreadable time — ", "dim")
        text.append("STALE", "bold reverse red")
        return text
    text.append(f"  {_local(issue.claimed_at)} ({ago(issue.claimed_at, now_ns)} ago)  ", "dim")
    left = CLAIM_SECONDS - (now_ns - at) / 1e9
    if left > 0:
        text.append(f"expires in {clock(left)}", "bold yellow" if left < 120 else "bold green")
    else:
        text.append(f"STALE for {clock(-left) if -left < 3600 else duration(-left)}", "bold reverse red")
    return text


NEWER_KEYS = ("directive_id", "project_id", "auto_created", REPO_KEY)  # shown by name, not as raw columns


def head_text(issue: Issue, now_ns: int, projects: dict[str, str] | None = None,
              directives: dict[str, str] | None = None, repo: str = "") -> Text:
    """Every field. `projects` (id -> name) and `directives` (id -> title) name the v6/v7 links;
    `repo` names the source on a multi-repo dashboard."""
    t = Text()
    if repo:
        t.append(visible(repo), "bold magenta")
        t.append(" ")
    t.append(f"#{visible(issue.number, limit=40)} ", "bold")
    t.append(visible(issue.status).replace("_", " ") if issue.status != "" else "?", _status_style(issue))
    if issue.is_blocked:
        t.append(" BLOCKED", "bold red")
    t.append(" · ", "dim")
    t.append(visible(issue.priority if issue.priority is not None else "no priority"), _priority_style(issue))
    t.append(" ")
    t.append(visible(issue.issue_type if issue.issue_type is not None else "no type"))
    t.append(" · agent ", "dim")
    t.append(visible(issue.agent), "cyan")
    if issue.auto_created:
        t.append(" · ", "dim")
        t.append("auto", "bold italic magenta")
        t.append(" (filed by an agent itself)", "dim")
    t.append("\n")
    t.append(visible(issue.title, limit=TITLE_LIMIT), "bold")
    if len(issue.title) > TITLE_LIMIT:
        t.append(f"  (title is {len(issue.title):,} characters; showing the first {TITLE_LIMIT:,})", "dim italic")
    t.append("\n")
    if issue.is_blocked:
        t.append("blocked: ", "dim")
        t.append(visible(issue.blocked_reason or "(no reason given)"), "red")
        t.append("\n")
    if issue.claimed_by:
        t.append_text(claim_line(issue, now_ns))
        t.append("\n")
    stamps = [(k, ts) for k, ts in (("created", issue.created_at), ("updated", issue.updated_at),
                                    ("completed", issue.completed_at)) if ts]
    for n, (key, ts) in enumerate(stamps):
        t.append(f"{key} ", "dim")
        t.append(f"{_local(ts)} ({ago(ts, now_ns)} ago)")
        t.append("\n" if n % 2 or n == len(stamps) - 1 else "  ")
    if issue.directive_id:
        t.append("directive ", "dim")
        t.append(visible(issue.directive_id), "bold")
        title = (directives or {}).get(issue.directive_id)
        if title is not None:
            t.append(" ")
            t.append(visible(title))
        t.append("\n")
    if issue.project_id:
        t.append("project ", "dim")
        name = (projects or {}).get(issue.project_id)
        if name is not None:
            t.append(visible(name), "bold")
        else:
            t.append(visible(issue.project_id))
            t.append(" (not in projects)", "dim")
        t.append("\n")
    for key, value in issue.extra.items():
        if key in NEWER_KEYS:
            continue
        if value not in (None, ""):
            t.append(f"{visible(key)} ", "dim")
            t.append(visible(value) + "\n")
    t.append("id ", "dim")
    t.append(visible(split_id(issue.id)[1] if repo else issue.id), "dim")  # the real id, not the row's key
    return t


def _priority_style(issue: Issue) -> str:
    return {"urgent": "bold red", "high": "yellow", "low": "dim"}.get(str(issue.priority), "")


def _status_style(issue: Issue) -> str:
    return {Status.OPEN: "bold green", Status.IN_PROGRESS: "bold yellow", Status.DONE: "bold blue"}.get(
        issue.status, "bold magenta")


def history_text(events: list[Event]) -> Text:
    t = Text()
    t.append("History", "bold underline")
    t.append("\n")
    if not events:
        t.append("no events recorded (the crate does not write history; writes through issues-tui do)", "dim")
        return t
    total = getattr(events, "total", len(events))  # a loader.History window counts what it left out
    if total > len(events):
        t.append(f"{total - len(events):,} earlier events not shown (the newest {len(events):,} of {total:,})",
                 "dim italic")
        t.append("\n")
    for e in events:
        t.append(_local(e.created_at), "dim")
        t.append("  ")
        t.append(visible(e.actor or "?", limit=100), "cyan")
        t.append("  ")
        t.append(visible(e.event_type, limit=100), "bold")
        if e.old_value is not None or e.new_value is not None:
            t.append("  ")
            t.append(visible(e.old_value if e.old_value is not None else "∅", limit=120), "red")
            t.append(" → ")
            t.append(visible(e.new_value if e.new_value is not None else "∅", limit=120), "green")
        t.append("\n")
    return t


class DetailPane(VerticalScroll):
    """Shows one issue. Call `show(issue, events)`; `tick()` redraws the countdown from cached data."""

    ALLOW_MAXIMIZE = True

    def __init__(self, *, clock=time.time_ns, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.issue: Issue | None = None
        self.events: list[Event] = []
        self._description: str | None = object()  # type: ignore[assignment]
        # The Markdown widget (#detail-desc) is mounted right after the first screen with an issue: importing Textual's
        # Markdown (markdown-it, pygments) and mounting it cost ~25 ms of start-up, and it draws nothing in
        # the first frame anyway (it renders its blocks asynchronously). Until then `show` keeps its state here.
        self._md = None
        self._md_scheduled = False
        self._md_text = ""
        self._md_display = True
        self.project_names: dict[str, str] = {}  # id -> name, for the project line (v7 files)
        self.directive_titles: dict[str, str] = {}  # id -> title, for the directive line (v6 files)
        self.repo = ""  # the row's repo on a multi-repo dashboard
        self.directive = None  # the DirectiveRow shown instead of an issue, if any
        self._pending: tuple = (None, [])  # the issue to show again once the directive is unpinned

    def compose(self) -> ComposeResult:
        yield Static(Text("No issue selected", "dim"), id="detail-head")
        yield Static(Text("Description", "bold underline"), id="detail-desc-title")
        rest = Static("", id="detail-desc-rest")
        rest.display = False
        yield rest
        yield Static("", id="detail-history")

    def _import_markdown(self) -> None:
        """Import Textual's Markdown on a thread (~25 ms: markdown-it, its rules), then mount it here: the UI
        keeps answering keys and drawing the other panes meanwhile."""
        def load() -> None:
            try:
                import textual.widgets._markdown  # noqa: F401
            finally:  # (an import error is raised again, and reported, by the mount)
                self.post_message(self.MarkdownImported())  # (thread-safe; dropped if the pane has gone)

        threading.Thread(target=load, name="markdown import", daemon=True).start()

    class MarkdownImported(Message):
        pass

    async def on_detail_pane_markdown_imported(self, _msg: MarkdownImported) -> None:
        await self._mount_markdown()

    async def _mount_markdown(self) -> None:
        if not self.is_attached:
            return  # the app is closing
        if not self.is_mounted:  # the first snapshot can arrive before the pane finished mounting
            self.call_after_refresh(self._mount_markdown)
            return
        from textual.widgets import Markdown

        from textual.widget import MountError

        md = Markdown("", id="detail-desc", open_links=False)
        md.display = self._md_display
        try:
            await self.mount(md, before=self.query_one("#detail-desc-rest"))
            self._md = md
            md.display = self._md_display  # `show` may have run during the mount
            if self._md_text:
                await md.update(self._md_text)
        except MountError:
            if self.is_attached and md.is_attached:
                raise
            # the app closed while the Markdown import or mount was under way: nothing left to show it in

    def _markdown(self, text: str | None = None, display: bool | None = None) -> None:
        """Set the description Markdown's text and/or visibility (kept until it is mounted: after the first
        screen that showed an issue, so neither the import nor the mount delays that screen)."""
        if not self._md_scheduled:
            self._md_scheduled = True
            self.call_after_refresh(self._import_markdown)
        if text is not None:
            self._md_text = text
            if self._md is not None:
                self._md.update(text)
        if display is not None:
            self._md_display = display
            if self._md is not None:
                self._md.display = display

    def show(self, issue: Issue | None, events: list[Event]) -> None:
        if self.directive is not None:  # a directive is shown: remember the issue for when it is unpinned
            self._pending = (issue, events)
            return
        if self.is_mounted and issue is not None and issue == self.issue and events == self.events:
            return  # same row, same history: nothing to redraw (the countdown has its own tick)
        other_issue = issue is None or self.issue is None or issue.id != self.issue.id
        self.issue, self.events = issue, events
        if other_issue:
            self.scroll_home(animate=False, immediate=True)  # each issue opens at its top (header and title)
        head = self.query_one("#detail-head", Static)
        rest = self.query_one("#detail-desc-rest", Static)
        if issue is None:
            rest.display = False
            head.update(Text("No issue selected", "dim"))
            self.query_one("#detail-history", Static).update("")
            self.query_one("#detail-desc-title", Static).display = False
            self._markdown(display=False)
            self._description = None
            return
        head.update(self._head(issue))
        self.query_one("#detail-desc-title", Static).display = True
        self._markdown(display=True)
        desc = issue.description
        if desc != self._description:
            self._description = desc
            if not desc:
                self._markdown("*no description*")
                rest.display = False
            else:
                self._show_description(visible(desc, multiline=True, limit=PLAIN_LIMIT), len(desc), rest)
        self.query_one("#detail-history", Static).update(history_text(events))

    def set_names(self, projects: dict[str, str], directives: dict[str, str]) -> None:
        """Names for the project and directive lines; the shown issue's head is redrawn if they changed."""
        if projects == self.project_names and directives == self.directive_titles:
            return
        self.project_names, self.directive_titles = projects, directives
        if self.is_mounted and self.issue is not None and self.directive is None:
            self.query_one("#detail-head", Static).update(self._head(self.issue))

    def unpin_directive(self) -> None:
        """Back from showing a directive: the next `show` draws an issue (description, title) again."""
        if self.directive is None:
            return
        self.directive = None
        self._description = object()  # the markdown holds the directive's body: redraw it
        self.query_one("#detail-desc-title", Static).update(Text("Description", "bold underline"))
        if self.border_title == "Directive":
            self.border_title = "Issue"
        issue, events = self._pending
        self.issue = None
        self.show(issue, events)

    def show_directive(self, row) -> None:
        """Show a directive (a widgets.directives.DirectiveRow): its fields, progress and markdown body."""
        from .directives import directive_text

        if self.directive is not None and self.directive == row:
            return
        if self.directive is None:
            self._pending = (self.issue, self.events)
        self.directive = row
        self.border_title = "Directive"
        self.query_one("#detail-head", Static).update(directive_text(row))
        self.query_one("#detail-desc-title", Static).update(Text("Directive", "bold underline"))
        self.query_one("#detail-desc-title", Static).display = True
        self._markdown(display=True)
        body = row.directive.body
        self._description = None
        if not body:
            self._markdown("*no text below the front matter*")
        else:
            text = visible(body, multiline=True, limit=MARKDOWN_LIMIT)
            if len(body) > MARKDOWN_LIMIT or row.directive.truncated:
                text += f"\n\n*(the directive is longer; showing the first {min(len(body), MARKDOWN_LIMIT):,} characters)*"
            self._markdown(text)
        self.query_one("#detail-history", Static).update("")

    def _show_description(self, text: str, length: int, rest: Static) -> None:
        """Markdown for the first blocks, one plain-text widget for the rest (bounded, see MARKDOWN_BLOCKS)."""
        cut = markdown_cut(text)
        if cut is None:
            self._markdown(text)
            rest.display = False
            return
        self._markdown(text[:cut] + "\n\n*(the rest is shown as plain text)*")
        tail = Text(text[cut:], style="", no_wrap=False, end="")
        if length > PLAIN_LIMIT:
            tail.append(f"\n\n(description is {length:,} characters; showing the first {PLAIN_LIMIT:,})",
                        "dim italic")
        rest.update(tail)
        rest.display = True

    def tick(self) -> None:
        if self.issue is not None and self.issue.claimed_by and self.directive is None:
            self.query_one("#detail-head", Static).update(self._head(self.issue))

    def _head(self, issue: Issue) -> Text:
        return head_text(issue, self.clock(), self.project_names, self.directive_titles, self.repo)

    def show_literal(self, text: str) -> None:
        self.query_one("#detail-head", Static).update(lit(text))
