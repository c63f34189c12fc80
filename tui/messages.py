"""Typed messages that carry data from thread workers (and the file watcher) to the UI."""

from __future__ import annotations

from textual.message import Message

from store import Event, Issue

from .loader import Snapshot


class DbChanged(Message):
    """The file (or its -wal/-journal) changed. A burst of these coalesces into one reload."""

    def __init__(self, reason: str = "watch") -> None:
        super().__init__()
        self.reason = reason

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, DbChanged)


class StoreOpened(Message):
    pass


class StoreProblem(Message):
    """The file cannot be read right now (deleted, damaged, locked): keep the last data, say why."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class Loaded(Message):
    """A fresh snapshot for `generation` (None: the file had not changed, nothing to redraw)."""

    def __init__(self, snapshot: Snapshot | None, generation: int) -> None:
        super().__init__()
        self.snapshot = snapshot
        self.generation = generation


class DetailLoaded(Message):
    def __init__(self, issue: Issue | None, events: list[Event], issue_id: str | None) -> None:
        super().__init__()
        self.issue = issue
        self.events = events
        self.issue_id = issue_id


class WriteDone(Message):
    """A write finished (or was refused): what to tell the user, which issue to select after reload."""

    def __init__(self, message: str, severity: str = "information", select_id: str | None = None,
                 reload: bool = True) -> None:
        super().__init__()
        self.message = message
        self.severity = severity
        self.select_id = select_id
        self.reload = reload
