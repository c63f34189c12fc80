"""Enums and typed rows, as the crate names them.

Enum members are `str` subclasses, so `Status.OPEN == "open"`. A value the enum does not know
(priority `critical`, a NULL type, status `blocked`) is kept as the raw text (or None) so it can be
shown as it is; the `*_rank`/`kind` helpers say how the store treats it (compat.md decision 5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .errors import ValidationError


class _TextEnum(str, Enum):
    def __str__(self) -> str:  # "urgent", not "Priority.URGENT"
        return self.value

    @classmethod
    def parse(cls, value: "str | _TextEnum", field_name: str | None = None):
        """Strict parse for new input: exact value, case-insensitive; anything else is an error."""
        if isinstance(value, cls):
            return value
        text = str(value).strip().lower()
        for member in cls:
            if member.value == text:
                return member
        aliases = getattr(cls, "_aliases", {})
        if text in aliases:
            return cls(aliases[text])
        choices = ", ".join(m.value for m in cls)
        raise ValidationError(field_name or cls.__name__.lower(), f"unknown value {value!r} (choose one of: {choices})")

    @classmethod
    def lenient(cls, raw):
        """Read side: the member if known, else the raw text (or None) unchanged (compat.md decision 5).

        A plain dict lookup: it runs for every row read, and `cls(raw)` would raise for every unknown value."""
        if raw is None:
            return None
        try:
            return cls._value2member_map_.get(raw, raw)
        except TypeError:  # an unhashable/odd value from a hand-edited file
            return raw


class Status(_TextEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


Status._aliases = {"inprogress": "in_progress", "in-progress": "in_progress"}  # type: ignore[attr-defined]


class Priority(_TextEnum):
    URGENT = "urgent"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"

    @property
    def rank(self) -> int:
        return _PRIORITY_RANK[self.value]


_PRIORITY_RANK = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
PRIORITY_ORDER = [Priority.URGENT, Priority.HIGH, Priority.MEDIUM, Priority.LOW]


class IssueType(_TextEnum):
    TASK = "task"
    BUG = "bug"
    FEATURE = "feature"


class SessionStatus(_TextEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"


def priority_rank(value) -> int:
    """Rank used by the ready queue: unknown or NULL priority ranks as medium."""
    return _PRIORITY_RANK.get(str(value) if value is not None else "", 2)


@dataclass(slots=True)
class Issue:
    id: str
    number: int
    title: str
    description: str | None
    status: Status | str
    priority: Priority | str | None
    issue_type: IssueType | str | None
    agent: str
    is_blocked: bool
    blocked_reason: str | None
    claimed_by: str | None
    claimed_at: str | None
    created_at: str
    updated_at: str
    completed_at: str | None
    extra: dict = field(default_factory=dict)  # columns of newer schemas (project_id, directive_id, ...)
    # Nullable text columns that hold '' in the file (the crate's import writes '' for null): shown and
    # handled as None, but exported as "" like the crate's own export (compat.md decision 6).
    stored_empty: frozenset = frozenset()

    @property
    def priority_rank(self) -> int:
        return priority_rank(self.priority)

    @property
    def status_text(self) -> str:
        return str(self.status)

    @property
    def project_id(self) -> str | None:
        """The project (v7+ files); None where the file has no such column or the row none ('' reads as None)."""
        return self.extra.get("project_id") or None

    @property
    def directive_id(self) -> str | None:
        """The directive it belongs to, e.g. `d-001` (v6+ files)."""
        return self.extra.get("directive_id") or None

    @property
    def auto_created(self) -> bool:
        """Filed by an agent's anomaly detection by itself (v11+ files; NULL and odd text read as not)."""
        value = self.extra.get("auto_created")
        if value is None or value == "":
            return False
        try:
            return int(value) != 0
        except (TypeError, ValueError):
            return False


@dataclass(slots=True)
class Project:
    id: str
    name: str
    path: str
    description: str | None
    default_model: str | None
    default_budget: float | None
    created_at: str
    updated_at: str


@dataclass(slots=True)
class Session:
    id: str
    project_id: str
    status: SessionStatus | str
    prompt: str
    model: str
    pid: int | None
    trajectory_path: str | None
    started_at: str
    ended_at: str | None
    budget_spent: float
    issues_completed: int


@dataclass(slots=True)
class Event:
    id: str
    issue_id: str
    actor: str | None
    event_type: str
    old_value: str | None
    new_value: str | None
    created_at: str


@dataclass(slots=True)
class Counts:
    """Issue counts for the status line."""

    open: int = 0  # open and not blocked (includes ready and claimed-open)
    ready: int = 0
    in_progress: int = 0
    blocked: int = 0
    done: int = 0
    stale: int = 0
    other: int = 0  # unknown status text
    total: int = 0
    claimed: int = 0  # holding a claim: in progress, or open with a live claim
    auto: int | None = None  # auto-created issues (None: the file has no auto_created column, before v11)


    @classmethod
    def from_groups(cls, groups, open_claimed: int, stale: int) -> "Counts":
        """From (status, blocked, n) groups, the open issues holding a live claim, and the stale claims."""
        c = cls(stale=stale)
        for status, blocked, n in groups:
            c.total += n
            if status == "open":
                if blocked:
                    c.blocked += n
                else:
                    c.open += n
            elif status == "in_progress":
                c.in_progress += n
            elif status == "done":
                c.done += n
            else:
                c.other += n
        c.ready = max(c.open - open_claimed, 0)
        c.claimed = c.in_progress + open_claimed
        return c


@dataclass(frozen=True, slots=True)
class DirectiveCounts:
    """A directive's linked issues by state (the crate's DirectiveProgress)."""

    total: int = 0
    done: int = 0
    in_progress: int = 0
    blocked: int = 0

    @property
    def percent(self) -> int:
        """Share done, rounded down as the crate does; 0 with no issues."""
        return (self.done * 100) // self.total if self.total else 0
