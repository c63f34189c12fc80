"""Errors the store raises. Every message is one line a person can read."""

from __future__ import annotations


class StoreError(Exception):
    """Base class: anything the store refuses or cannot do."""


class UnavailableError(StoreError):
    """The database server cannot take a connection right now (down, restarting, full): worth trying again."""


class NotAnIssuesDb(StoreError):
    """The path is not an issues database (missing, a directory, not SQLite, another app's DB, ...)."""


class ValidationError(StoreError, ValueError):
    """New input breaks a rule (empty title, unknown priority, ...). Nothing was written."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class ReadOnlyError(StoreError):
    """A write was asked of a store opened read-only (or a schema we must not write)."""


class BusyError(StoreError):
    """The database stayed locked by another process for the whole busy timeout."""


class ImportFormatError(StoreError, ValueError):
    """An import file that does not parse as the crate's export format. Nothing was written."""


class ConflictError(StoreError):
    """The row changed (or vanished) since the caller read it; nothing was overwritten.

    `issue` holds the fresh row (None if it was deleted).
    """

    def __init__(self, message: str, issue=None) -> None:
        super().__init__(message)
        self.issue = issue


def check_guard(issue, expect_updated_at: str | None, nothing: str) -> None:
    """The write guard both backends share: raise ConflictError if the caller saw a row (`expect_updated_at`)
    that has since vanished or changed; `nothing` ends the message ("nothing was changed")."""
    if expect_updated_at is None:
        return
    if issue is None:
        raise ConflictError(f"the issue was deleted by someone else; {nothing}", None)
    if issue.updated_at != expect_updated_at:
        raise ConflictError(f"issue #{issue.number} changed since you looked at it; {nothing}", issue)
