"""Issue operations: the crate's API (same names, same semantics where compat.md keeps them) plus
what the dashboard needs (the whole ready queue paged, views, counts, stale claims, guarded writes).

`IssueOps` composes them: reads (issue_reads.py), guarded writes (issue_writes.py) and state transitions
(issue_transitions.py); new input is checked by issue_input.py and rows are read by issue_rows.py. Every
name other code imports from here still is.
"""

from __future__ import annotations

from .issue_input import (AGENT_MAX, CLAIM_MINUTES, DEFAULT_AGENT, DESCRIPTION_MAX, DIRECTIVE_ID_MAX,  # noqa: F401
                          INT64_MAX, INT64_MIN, REASON_MAX, TITLE_MAX, VIEWS, validate_agent, validate_description,
                          validate_directive_id, validate_minutes, validate_reason, validate_title)
from .issue_rows import DeletedIssue, fetch_issues, issue_reader  # noqa: F401
from .issue_transitions import IssueTransitionOps
from .models import PRIORITY_ORDER  # noqa: F401
from .search import like_pattern  # noqa: F401 (the PostgreSQL backend's title filter uses it)


class IssueOps(IssueTransitionOps):
    """The SQLite issue operations the Store composes (the PostgreSQL ops borrow some of their methods)."""


__all__ = ["IssueOps", "PRIORITY_ORDER", "VIEWS", "TITLE_MAX", "DESCRIPTION_MAX"]
