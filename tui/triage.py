"""Keyboard triage, as plain data and functions (no Textual here; the app runs them on its writer thread).

An `Op` says what to do to each target issue through the store, guarded on the `updated_at` the user
saw, and which fields to remember so `undo` can put them back. `apply_op` runs it over every target
(the marked rows, or the current one) and returns what happened, issue by issue, plus an `UndoEntry`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from store import ConflictError, Issue, IssueType, Priority, Status, Store, StoreError, timestamps
from store.issues import CLAIM_MINUTES, DeletedIssue
from store.models import PRIORITY_ORDER

STATE_FIELDS = ("status", "claimed_by", "claimed_at", "completed_at", "is_blocked", "blocked_reason")
TYPE_CYCLE = [IssueType.TASK, IssueType.BUG, IssueType.FEATURE]


@dataclass
class Op:
    verb: str  # past tense for messages: "blocked", "raised priority of", ...
    run: Callable[[Store, Issue], bool]  # the guarded store call; False = transition refused
    fields: tuple[str, ...]  # what undo restores
    refused: str = "not applicable"  # why a False result happened, for the message
    applies: Callable[[Issue], bool] = lambda issue: True  # cheap pre-check on the row the user saw
    reason: Callable[[Issue, int | None], str | None] | None = None  # a sharper "why not" than `refused`

    def why_not(self, issue: Issue, now_ns: int | None = None) -> str | None:
        """Why this cannot apply to `issue` as the user saw it (None: as far as the row shows, it can).
        With `now_ns`, time-dependent rules (a claim not stale yet) are checked too."""
        if self.reason is not None:
            return self.reason(issue, now_ns)
        return None if self.applies(issue) else self.refused


@dataclass
class UndoStep:
    issue_id: str
    number: int
    kind: str  # "restore" | "delete" (undo a create) | "recreate" (undo a delete)
    values: dict = field(default_factory=dict)
    expect_updated_at: str | None = None
    deleted: DeletedIssue | None = None  # what a delete removed (row + history), for "recreate"
    seen_updated_at: str | None = None  # the row's updated_at the action started from


@dataclass
class UndoEntry:
    label: str
    steps: list[UndoStep]


@dataclass
class OpResult:
    done: list[Issue] = field(default_factory=list)
    refused: list[tuple[Issue, str]] = field(default_factory=list)
    conflicts: list[tuple[Issue, ConflictError]] = field(default_factory=list)
    errors: list[tuple[Issue, StoreError]] = field(default_factory=list)
    undo: UndoEntry | None = None

    def message(self, verb: str) -> tuple[str, str]:
        """(text, severity) summarising the result for a notification."""
        parts = []
        if self.done:
            parts.append(f"{verb} {_numbers(self.done)}")
        if self.refused:
            parts.append(refusals_text(self.refused))
        for issue, exc in self.conflicts:
            fresh = exc.issue
            detail = f" (now {fresh.status_text}{', claimed by ' + fresh.claimed_by if fresh and fresh.claimed_by else ''})" if fresh else " (deleted)"
            parts.append(f"#{issue.number} changed underneath you{detail}; nothing overwritten")
        for issue, exc in self.errors:
            parts.append(f"#{issue.number}: {exc}")
        severity = "information"
        if self.conflicts or self.refused:
            severity = "warning"
        if self.errors:
            severity = "error"
        return "; ".join(parts) or "nothing to do", severity


def _numbers(issues: list[Issue], first: int = 8) -> str:
    nums = [f"#{i.number}" for i in issues]
    return ", ".join(nums[:first]) + (f" and {len(nums) - first} more" if len(nums) > first else "")


def refusals_text(refused: list[tuple[Issue, str]]) -> str:
    """`#3, #5: not claimed; #7: already done` — the issues grouped by why."""
    by_reason: dict[str, list[Issue]] = {}
    for issue, why in refused:
        by_reason.setdefault(why, []).append(issue)
    return "; ".join(f"{_numbers(issues)}: {why}" for why, issues in by_reason.items())


def describe(targets: list[Issue], title_limit: int = 60) -> str:
    """What a question names: `#3 Fix the build`, or `5 marked issues (#3, #5, #8, #9 and 1 more)`."""
    from .text import visible

    if len(targets) == 1:
        return f"#{targets[0].number} {visible(targets[0].title, limit=title_limit)}"
    return f"{len(targets)} marked issues ({_numbers(targets, first=4)})"


def snapshot_fields(issue: Issue, fields: tuple[str, ...]) -> dict:
    out = {}
    for name in fields:
        value = getattr(issue, name)
        if name == "is_blocked":
            value = int(bool(value))
        elif hasattr(value, "value"):
            value = value.value
        out[name] = value
    return out


def apply_op(store: Store, op: Op, targets: list[Issue], label: str) -> OpResult:
    result = OpResult()
    steps = []
    for seen in targets:
        why = op.why_not(seen)
        if why:
            result.refused.append((seen, why))
            continue
        try:
            ok = op.run(store, seen)
        except ConflictError as exc:
            result.conflicts.append((seen, exc))
            continue
        except StoreError as exc:
            result.errors.append((seen, exc))
            continue
        if not ok:
            result.refused.append((seen, op.refused))
            continue
        fresh = store.get_issue_by_id(seen.id)
        result.done.append(fresh or seen)
        steps.append(UndoStep(seen.id, seen.number, "restore", snapshot_fields(seen, op.fields),
                              fresh.updated_at if fresh else None, seen_updated_at=seen.updated_at))
    if steps:
        result.undo = UndoEntry(label, steps)
    return result


# -- the operations -------------------------------------------------------------------------------
def block(reason: str) -> Op:
    return Op("blocked", lambda s, i: s.block_issue(i.id, reason, expect_updated_at=i.updated_at),
              STATE_FIELDS, "done issues cannot be blocked",
              lambda i: i.status in (Status.OPEN, Status.IN_PROGRESS))


def unblock() -> Op:
    return Op("unblocked", lambda s, i: s.unblock_issue(i.id, expect_updated_at=i.updated_at),
              ("is_blocked", "blocked_reason"), "not blocked", lambda i: i.is_blocked)


def set_priority(priority: Priority) -> Op:
    return Op(f"set priority {priority.value} on", lambda s, i: s.update_issue(
        i.id, priority=priority, expect_updated_at=i.updated_at), ("priority",), f"already {priority.value}",
        lambda i: i.priority != priority)


def step_priority(issue: Issue, step: int) -> Priority:
    """One step up (-1) or down (+1) the urgent..low ladder; unknown text counts as medium."""
    rank = issue.priority_rank
    return PRIORITY_ORDER[max(0, min(len(PRIORITY_ORDER) - 1, rank + step))]


def bump_priority(step: int) -> Op:
    word = "raised priority of" if step < 0 else "lowered priority of"
    return Op(word, lambda s, i: s.update_issue(i.id, priority=step_priority(i, step), expect_updated_at=i.updated_at),
              ("priority",), "already urgent" if step < 0 else "already low",
              lambda i: step_priority(i, step) != i.priority)


def cycle_type() -> Op:
    def next_type(i: Issue) -> IssueType:
        current = i.issue_type if isinstance(i.issue_type, IssueType) else IssueType.TASK
        return TYPE_CYCLE[(TYPE_CYCLE.index(current) + 1) % len(TYPE_CYCLE)]
    return Op("changed type of", lambda s, i: s.update_issue(i.id, issue_type=next_type(i), expect_updated_at=i.updated_at),
              ("issue_type",))


def set_agent(agent: str) -> Op:
    return Op(f"set agent on", lambda s, i: s.update_issue(i.id, agent=agent, expect_updated_at=i.updated_at),
              ("agent",), "already that agent", lambda i: i.agent != agent)


def complete() -> Op:
    return Op("completed", lambda s, i: s.complete_issue(i.id, expect_updated_at=i.updated_at), STATE_FIELDS,
              "already done", lambda i: i.status in (Status.OPEN, Status.IN_PROGRESS))


def reopen() -> Op:
    """`o`: an in-progress issue is unclaimed (back to open); a done one is reopened."""
    def run(s: Store, i: Issue) -> bool:
        if i.status == Status.DONE:
            return s.reopen_issue(i.id, expect_updated_at=i.updated_at)
        return s.unclaim_issue(i.id, expect_updated_at=i.updated_at)
    return Op("reopened", run, STATE_FIELDS, "only in-progress or done issues can be reopened",
              lambda i: i.status in (Status.IN_PROGRESS, Status.DONE), _reopen_reason)


def _reopen_reason(issue: Issue, _now_ns: int | None) -> str | None:
    if issue.status in (Status.IN_PROGRESS, Status.DONE):
        return None
    if issue.status == Status.OPEN:
        return "already open (o unclaims in-progress issues and reopens done ones)"
    return "only in-progress or done issues can be reopened"


def release() -> Op:
    return Op("released the stale claim of", lambda s, i: s.release_claim(i.id, expect_updated_at=i.updated_at),
              STATE_FIELDS, f"the claim is not stale (less than {CLAIM_MINUTES} minutes old)",
              lambda i: i.status == Status.IN_PROGRESS, _release_reason)


def _release_reason(issue: Issue, now_ns: int | None) -> str | None:
    """`x` applies to a stale claim: say which rule stops it (not claimed at all, or claimed too recently)."""
    if issue.status == Status.DONE:
        return "done, not claimed (nothing to release)"
    if issue.status != Status.IN_PROGRESS:
        return "not claimed (nothing to release)"
    at = timestamps.parse_ns(issue.claimed_at) if issue.claimed_by else None
    if now_ns is not None and at is not None and now_ns - at < CLAIM_MINUTES * 60 * 1_000_000_000:
        minutes = max(0, (now_ns - at) // 60_000_000_000)
        return f"the claim is not stale yet (claimed {minutes} min ago; stale after {CLAIM_MINUTES} min)"
    return None


def edit(title: str, description: str) -> Op:
    return Op("edited", lambda s, i: s.update_issue(i.id, title=title, description=description,
                                                    expect_updated_at=i.updated_at), ("title", "description"))


def edit_description(description: str) -> Op:
    return Op("edited the description of", lambda s, i: s.update_issue(
        i.id, description=description, expect_updated_at=i.updated_at), ("description",))


def delete(store: Store, targets: list[Issue]) -> OpResult:
    """Delete; undo puts each row back with its whole history, exactly as stored."""
    result = OpResult()
    steps = []
    for seen in targets:
        try:
            deleted = store.delete_issue_keeping(seen.id, expect_updated_at=seen.updated_at)
        except ConflictError as exc:
            result.conflicts.append((seen, exc))
            continue
        except StoreError as exc:
            result.errors.append((seen, exc))
            continue
        if deleted is not None:
            result.done.append(seen)
            steps.append(UndoStep(seen.id, seen.number, "recreate", deleted=deleted))
        else:
            result.refused.append((seen, "already deleted"))
    if steps:
        result.undo = UndoEntry("delete", steps)
    return result


def release_all_stale(store: Store) -> OpResult:
    """Release every stale claim in one transaction, as one undo step (undo gives each claim back)."""
    before = store.release_stale()
    written = getattr(store, "last_written_at", None)
    written_for = getattr(store, "written_at_for", None)  # several files: each wrote its own updated_at
    result = OpResult(done=list(before))
    steps = [UndoStep(i.id, i.number, "restore", snapshot_fields(i, STATE_FIELDS),
                      written_for(i) if written_for else written, seen_updated_at=i.updated_at) for i in before]
    if steps:
        result.undo = UndoEntry(f"release of {len(steps)} stale claim{'s' if len(steps) != 1 else ''}", steps)
    return result


def undo(store: Store, entry: UndoEntry, stack: list[UndoEntry] | None = None) -> OpResult:
    """Put back what `entry` changed, guarded: a row someone changed since is reported, not overwritten.

    Earlier entries in `stack` that expected the state this undo restores are moved onto the undo's own
    write, so `z z z` on one issue walks back step by step instead of tripping on its own guard."""
    result = OpResult()
    for step in entry.steps:
        issue = store.get_issue_by_id(step.issue_id)
        try:
            if step.kind == "restore":
                if issue is None:
                    raise ConflictError("deleted since", None)
                store.restore_issue(step.issue_id, step.values, expect_updated_at=step.expect_updated_at)
                _rebase(stack, step, getattr(store, "last_written_at", None))
            elif step.kind == "delete":
                if issue is None:
                    result.refused.append((_stub(step), "already deleted"))
                    continue
                store.delete_issue(step.issue_id, expect_updated_at=step.expect_updated_at)
            elif step.kind == "recreate":
                if issue is not None:
                    result.refused.append((issue, "exists again"))
                    continue
                store.undelete_issue(step.deleted)
        except ConflictError as exc:
            result.conflicts.append((issue or _stub(step), exc))
            continue
        except StoreError as exc:
            result.errors.append((issue or _stub(step), exc))
            continue
        result.done.append(store.get_issue_by_id(step.issue_id) or _stub(step))
    return result


def _rebase(stack: list[UndoEntry] | None, undone: UndoStep, written_at: str | None) -> None:
    if not stack or not undone.seen_updated_at or not written_at:
        return
    for entry in stack:
        for step in entry.steps:
            if step.issue_id == undone.issue_id and step.expect_updated_at == undone.seen_updated_at:
                step.expect_updated_at = written_at


def _stub(step: UndoStep) -> Issue:
    return Issue(step.issue_id, step.number, "", None, "", None, None, "", False, None, None, None, "", "", None)
