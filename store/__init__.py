"""issues-tui's data layer: the Rust `issues` crate's SQLite file, read and written live.

Pure Python + sqlite3. Never imports textual or tui.
"""

from .errors import (BusyError, ConflictError, ImportFormatError, NotAnIssuesDb, ReadOnlyError, StoreError,
                     ValidationError)
from .issues import DESCRIPTION_MAX, TITLE_MAX, VIEWS
from .models import Counts, DirectiveCounts, Event, Issue, IssueType, Priority, PRIORITY_ORDER, Project, Session, SessionStatus, Status
from . import timestamps
from .store import Store, default_actor

__all__ = [
    "Store", "default_actor", "Issue", "DirectiveCounts", "Project", "Session", "Event", "Counts", "Status", "Priority", "IssueType",
    "SessionStatus", "PRIORITY_ORDER", "VIEWS", "TITLE_MAX", "DESCRIPTION_MAX", "StoreError", "NotAnIssuesDb",
    "ValidationError", "ReadOnlyError", "BusyError", "ConflictError", "ImportFormatError",
]
