"""Typed messages from the app's own thread workers to the UI (the sources' messages are in tui/live)."""

from __future__ import annotations

from textual.message import Message

from store import Event, Issue


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
        self.finished_write = False  # set by the writer thread: one queued write is done
