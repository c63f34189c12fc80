"""Triage keys: the actions that write (block, priority, complete, delete, undo, new, edit, ...).

`TriageActions` is a mixin of `IssuesApp`: each `action_*` gathers its targets (the marked rows or the
current one), asks what it must (a reason, a confirmation), and queues a job for the one writer thread.
The writes themselves are plain functions in `triage.py` (no Textual), run on that thread through the
source's store, in the order the keys were pressed; each posts a `WriteDone` the app turns into a toast.
"""

from __future__ import annotations

import functools
import queue
import time
from typing import TYPE_CHECKING, Callable

from textual import work

from store import Issue, IssueType, Priority, Store, StoreError, ValidationError
from store.issues import validate_agent, validate_reason

from .lazy import lazy
from .format import plural
from .messages import WriteDone
from .text import visible
from .widgets.ready_queue import IssueList

triage = lazy("tui.triage")  # the writes: imported on the first one

if TYPE_CHECKING:
    from .app import IssuesApp
    from .screens.forms import IssueFormResult

WRITE_ACTIONS = {"new_issue", "block", "unblock", "bump", "priority", "cycle_type", "set_agent", "complete",
                 "reopen", "release", "edit", "edit_external", "delete", "undo"}
SAVING_AFTER_S = 0.25  # a write still running after this long shows "saving…"
_PALETTE_SKIP = {"issue.new", "issue.mark", "issue.clear_marks", "issue.undo"}  # offered separately / keys only


def parse_or(enum, value, default, config=None, key: str = ""):
    """`value` as a member of `enum`; else `default` (and, for a config value, a problem naming its key)."""
    try:
        return enum.parse(value) if value is not None else default
    except ValidationError as exc:
        if config is not None:
            config.problem(f"[new_issue] {key!r}", f"{exc.message}; using {default.value}")
        return default


class TriageActions:
    """Mixin for IssuesApp (uses its query_one/notify/push_screen and `store`)."""

    undo_stack: list[triage.UndoEntry]
    writes_done: int

    def init_triage(self: "IssuesApp") -> None:
        self.undo_stack = []
        self._writes: queue.Queue = queue.Queue()
        self.writes_done = 0  # tests and benchmarks read it
        self._pending = 0  # writes queued or running (UI thread's count)
        self._job_started: float | None = None  # when the running write began (writer thread sets it)
        self.saving = False  # the status line says "saving…" (a write waits, e.g. for another process's lock)
        self._saving_timer = None
        self._writer_started = False
        self._own_writes: dict[tuple[str, str | None], Issue] = {}  # (id, updated_at we replaced) -> row after

    # -- the writer thread ---------------------------------------------------------------------------
    def submit(self: "IssuesApp", job: Callable[[Store], WriteDone | None]) -> None:
        """Queue a write for the writer thread (FIFO: writes land in the order keys were pressed)."""
        self._pending += 1
        self._writes.put(job)
        if self._saving_timer is None:
            self._saving_timer = self.set_timer(SAVING_AFTER_S, self._check_saving)

    def _check_saving(self: "IssuesApp") -> None:
        """While a write takes longer than a blink (a lock held elsewhere), the status line says so."""
        self._saving_timer = None
        started = self._job_started
        busy = self._pending > 0 and (started is None or time.monotonic() - started >= SAVING_AFTER_S)
        if busy != self.saving:
            self.saving = busy
            self._render_status()
        if self._pending > 0:
            self._saving_timer = self.set_timer(SAVING_AFTER_S, self._check_saving)

    def write_finished(self: "IssuesApp") -> None:
        """Called (UI thread) for each write the writer thread finished."""
        self._pending = max(0, self._pending - 1)
        if self._pending == 0 and self.saving:
            self.saving = False
            self._render_status()

    def start_writer(self: "IssuesApp") -> None:
        """Start the one writer thread (once: a second SourceOpened, from a retried open or another source,
        must not start a second thread that would block forever on the queue at exit)."""
        if not self._writer_started:
            self._writer_started = True
            self.writer_worker()

    def stop_writer(self) -> None:
        self._writes.put(None)

    @work(thread=True, exclusive=True, group="writer")
    def writer_worker(self: "IssuesApp") -> None:
        """Runs writes one at a time, in the order the keys were pressed, off the UI thread."""
        while True:
            job = self._writes.get()
            if job is None:
                return
            store = self.store
            self._job_started = time.monotonic()
            try:
                message = job(store)
            except StoreError as exc:
                message = WriteDone(str(exc), "error")
            except Exception as exc:  # never let a bug kill the writer: report it
                message = WriteDone(f"{type(exc).__name__}: {exc}", "error")
            self._job_started = None
            self.writes_done += 1
            message = message if message is not None else WriteDone("", reload=False)
            message.finished_write = True
            self.post_message(message)

    # -- helpers ---------------------------------------------------------------------------------------
    def _targets(self: "IssuesApp") -> list[Issue]:
        targets = self.query_one(IssueList).targets()
        if not targets:
            self.notify("No issue selected", severity="warning", markup=False)
        return targets

    def _current(self: "IssuesApp") -> Issue | None:
        issue = self.query_one(IssueList).current
        if issue is None:
            self.notify("No issue selected", severity="warning", markup=False)
        return issue

    @staticmethod
    def _describe(targets: list[Issue]) -> str:
        return triage.describe(targets)

    def _applicable(self: "IssuesApp", op: triage.Op, targets: list[Issue]) -> list[Issue]:
        """The targets `op` can apply to, judged on the rows as shown; the others are named at once
        (before any question is asked or anything is queued behind other writes)."""
        now = self.clock()
        ok, refused = [], []
        for issue in targets:
            why = op.why_not(issue, now)
            if why:
                refused.append((issue, why))
            else:
                ok.append(issue)
        if refused:
            self.notify(visible(triage.refusals_text(refused)), severity="warning", markup=False)
        return ok

    def write_refusal(self: "IssuesApp") -> str | None:
        """Why no write can be made now (read-only file, not open yet), or None."""
        store = self.store
        if store is None:
            return f"not open yet: {self.problem}" if self.problem else "still opening the database; try again"
        if store.read_only:
            return f"read-only: {store.info.read_only_reason or 'opened read-only'}"
        return None

    def _confirm(self: "IssuesApp", question: str, detail: str, yes: str, then: Callable[[], None]) -> None:
        def done(answer: bool | None) -> None:
            if answer:
                then()
        from .screens.confirm import ConfirmScreen  # imported on first use: not on the start-up path
        self.push_screen(ConfirmScreen(question, detail, yes), done)

    def run_op(self: "IssuesApp", op: triage.Op, label: str, targets: list[Issue] | None = None) -> None:
        targets = targets if targets is not None else self._targets()
        if not targets:
            return
        if len(targets) > 1 or self.query_one(IssueList).marked:
            self.query_one(IssueList).clear_marks()

        def job(store: Store) -> WriteDone:
            seen = [self._with_own_writes(issue) for issue in targets]
            result = triage.apply_op(store, op, seen, label)
            own = self._own_writes
            if len(own) > 4096:
                own.clear()
            for step, fresh in zip(result.undo.steps if result.undo else (), result.done):
                if fresh.updated_at != step.seen_updated_at:
                    own[(fresh.id, step.seen_updated_at)] = fresh
            if result.undo:
                self.undo_stack.append(result.undo)
            text, severity = result.message(op.verb)
            return WriteDone(text, severity)

        self.submit(job)

    def _with_own_writes(self: "IssuesApp", issue: Issue) -> Issue:
        """The row the key was pressed on, plus what our own earlier writes did to it (writer thread).

        A burst (`+ + 2 t`) is pressed on one snapshot of the row; every key after the first would then be
        guarded on a row our own first write already changed and be refused as "changed underneath you" —
        the burst did one key out of five, and the user pressed again. Our own writes are not someone else's:
        when the row seen is the one our previous write replaced, the guard moves to our result. A change by
        anyone else in between still breaks the chain (the guard refuses, nothing is overwritten)."""
        own = self._own_writes
        for _ in range(256):
            fresh = own.get((issue.id, issue.updated_at))
            if fresh is None:
                return issue
            issue = fresh
        return issue

    # -- the keys --------------------------------------------------------------------------------------
    def action_block(self: "IssuesApp") -> None:
        targets = self._applicable(triage.block(""), self._targets())
        if not targets:
            return

        def done(reason: str | None) -> None:
            if reason:
                self.run_op(triage.block(reason), "block", targets)

        from .screens.forms import PromptScreen  # imported on first use (TextArea, Select: not at start-up)
        self.push_screen(PromptScreen(f"Block {self._describe(targets)} — why?", placeholder="reason (required)",
                                      validate=validate_reason), done)

    def action_unblock(self) -> None:
        self.run_op(triage.unblock(), "unblock")

    def action_bump(self, step: int) -> None:
        self.run_op(triage.bump_priority(step), "priority")

    def action_priority(self, value: str) -> None:
        self.run_op(triage.set_priority(Priority(value)), "priority")

    def action_cycle_type(self) -> None:
        self.run_op(triage.cycle_type(), "type")

    def action_set_agent(self: "IssuesApp") -> None:
        targets = self._targets()
        if not targets:
            return

        def done(agent: str | None) -> None:
            if agent:
                self.run_op(triage.set_agent(agent), "agent", targets)

        from .screens.forms import PromptScreen
        self.push_screen(PromptScreen(f"Agent for {self._describe(targets)}", value=targets[0].agent,
                                      validate=validate_agent), done)

    def action_complete(self: "IssuesApp") -> None:
        targets = self._applicable(triage.complete(), self._targets())
        if targets:
            self._confirm(f"Complete {self._describe(targets)}?", "", "Complete",
                          lambda: self.run_op(triage.complete(), "complete", targets))

    def action_reopen(self) -> None:
        self._run_checked(triage.reopen(), "reopen")

    def action_release(self) -> None:
        self._run_checked(triage.release(), "release")

    def _run_checked(self, op: triage.Op, label: str) -> None:
        targets = self._applicable(op, self._targets())
        if targets:
            self.run_op(op, label, targets)

    def release_all_stale(self) -> None:
        def job(store: Store) -> WriteDone:
            result = triage.release_all_stale(store)
            if result.undo:
                self.undo_stack.append(result.undo)
            if not result.done:
                return WriteDone("No stale claims to release", "warning")
            return WriteDone(*result.message("released the stale claims of"))
        self.submit(job)

    def action_delete(self: "IssuesApp") -> None:
        targets = self._targets()
        if not targets:
            return

        def job(store: Store) -> WriteDone:
            result = triage.delete(store, targets)
            if result.undo:
                self.undo_stack.append(result.undo)
            return WriteDone(*result.message("deleted"))

        def go() -> None:
            if len(targets) > 1:
                self.query_one(IssueList).clear_marks()
            self.submit(job)

        self._confirm(f"Delete {self._describe(targets)}?", "This removes the issue and its history (z undoes it).",
                      "Delete", go)

    def action_undo(self) -> None:
        def job(store: Store) -> WriteDone:
            if not self.undo_stack:
                return WriteDone("Nothing to undo", "warning", reload=False)
            entry = self.undo_stack.pop()
            result = triage.undo(store, entry, self.undo_stack)
            text, severity = result.message(f"undid {entry.label} on")
            return WriteDone(text, severity, select_id=entry.steps[0].issue_id if result.done else None)
        self.submit(job)

    def action_new_issue(self: "IssuesApp") -> None:
        d = self.new_defaults

        def done(result: IssueFormResult | None) -> None:
            if result is None:
                return
            self.new_defaults = {"priority": result.priority, "issue_type": result.issue_type, "agent": result.agent}

            def job(store: Store) -> WriteDone:
                issue = store.create_issue(result.title, result.description or None, result.priority,
                                           result.issue_type, result.agent)
                self.undo_stack.append(triage.UndoEntry("create", [triage.UndoStep(
                    issue.id, issue.number, "delete", expect_updated_at=issue.updated_at)]))
                return WriteDone(f"Created #{issue.number}", select_id=issue.id)
            self.submit(job)

        from .screens.forms import IssueForm
        self.push_screen(IssueForm("New issue", priority=d["priority"], issue_type=d["issue_type"],
                                   agent=d["agent"]), done)

    def action_edit(self: "IssuesApp") -> None:
        issue = self._current()
        if issue is None:
            return

        def done(result: IssueFormResult | None) -> None:
            if result is None:
                return
            title = None if result.title == issue.title else result.title  # only what the user changed
            description = None if result.description == (issue.description or "") else result.description
            if title is None and description is None:
                self.notify("Nothing changed", markup=False)
                return
            self.run_op(triage.edit(title, description), "edit", [issue])

        from .screens.forms import IssueForm
        self.push_screen(IssueForm(f"Edit #{issue.number}", title=issue.title, description=issue.description or "",
                                   priority=parse_or(Priority, issue.priority, Priority.MEDIUM),
                                   issue_type=parse_or(IssueType, issue.issue_type, IssueType.TASK),
                                   agent=issue.agent or "codex", edit_only_text=True), done)

    # -- the palette's triage entries ------------------------------------------------------------------
    def extra_commands(self: "IssuesApp") -> list[tuple[str, Callable, str]]:
        """Palette entries that make sense now: triage on the selected/marked issues (with the key it is
        really on), release-all when there are stale claims, undo when there is something to undo."""
        out = []
        keys = {bid: f"key: {key}" for key, _desc, bid in self.binding_rows()}
        if self.store is not None and not self.store.read_only:
            out.append(("New issue…", self.action_new_issue, keys["issue.new"]))
            targets = self.query_one(IssueList).targets()
            if targets:
                who = f"#{targets[0].number}" if len(targets) == 1 else f"{len(targets)} marked issues"
                for (_key, binding) in self._bindings:
                    if (binding.id or "").startswith("issue.") and binding.id not in _PALETTE_SKIP:
                        out.append((f"{binding.tooltip or binding.description} — {who}",
                                    functools.partial(self.call_later, self.run_action, binding.action),
                                    keys.get(binding.id, "")))
            if self.snapshot is not None and self.snapshot.counts.stale:
                out.append((f"Release all {plural(self.snapshot.counts.stale, 'stale claim')}", self.release_all_stale,
                            "back to open; recorded as events; z undoes it"))
            if self.undo_stack:
                out.append((f"Undo {self.undo_stack[-1].label}", self.action_undo, keys["issue.undo"]))
        return out
