"""issues-tui's data layer: the Rust `issues` crate's SQLite file, read and written live.

Two backends behind one API: SQLite (the crate's file) and PostgreSQL (store/postgres/); `open_store`
picks one from the target. Never imports textual or tui.
"""

from .errors import (BusyError, ConflictError, ImportFormatError, NotAnIssuesDb, ReadOnlyError, StoreError,
                     UnavailableError, ValidationError)
from .issue_input import DESCRIPTION_MAX, TITLE_MAX
from .views import VIEWS
from .models import Counts, DirectiveCounts, Event, Issue, IssueType, Priority, PRIORITY_ORDER, Project, Session, SessionStatus, Status
from . import timestamps
from .store import Store, default_actor
from .backend import display_target, is_server_target, open_store

__all__ = [
    "Store", "open_store", "is_server_target", "display_target", "default_actor", "Issue", "DirectiveCounts", "Project", "Session", "Event", "Counts", "Status", "Priority", "IssueType",
    "SessionStatus", "PRIORITY_ORDER", "VIEWS", "TITLE_MAX", "DESCRIPTION_MAX", "StoreError", "NotAnIssuesDb",
    "ValidationError", "ReadOnlyError", "BusyError", "UnavailableError", "ConflictError", "ImportFormatError",
]
