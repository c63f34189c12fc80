"""What the issue operations accept: the limits and defaults of new input, the view names, and the
validators every write (and the CLI and forms) runs new values through."""

from __future__ import annotations

from .errors import ValidationError
from .models import IssueType, Priority

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
REASON_MAX = 10_000
AGENT_MAX = 100
DEFAULT_AGENT = "codex"
CLAIM_MINUTES = 15
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

VIEWS = ("ready", "in_progress", "blocked", "done", "stale", "all")


# -- validation of new input ---------------------------------------------------------------------
def _at_most(field: str, text: str, limit: int) -> str:
    if len(text) > limit:
        raise ValidationError(field, f"is {len(text)} characters; at most {limit} allowed")
    return text


def _required(value, field: str, empty: str, limit: int) -> str:
    """Stripped text that must not be empty (`empty` says why) and has at most `limit` characters."""
    if value is None or not str(value).strip():
        raise ValidationError(field, empty)
    return _at_most(field, str(value).strip(), limit)


def validate_title(title) -> str:
    return _required(title, "title", "must not be empty", TITLE_MAX)


def validate_description(description) -> str | None:
    if description is None:
        return None
    text = _at_most("description", str(description), DESCRIPTION_MAX)
    return text if text.strip() else None


def validate_agent(agent) -> str:
    if agent is None:
        return DEFAULT_AGENT
    return _required(agent, "agent", "must not be empty", AGENT_MAX)


def validate_reason(reason) -> str:
    return _required(reason, "reason", "a block needs a reason", REASON_MAX)


def validate_new_issue(title, description, priority, issue_type, agent) -> tuple:
    """create_issue's input on either backend: (title, description, priority, issue_type, agent)."""
    return (validate_title(title), validate_description(description), Priority.parse(priority, "priority"),
            IssueType.parse(issue_type, "type"), validate_agent(agent))


DIRECTIVE_ID_MAX = 100


def validate_directive_id(value) -> str | None:
    """A directive id as the autopilot names them (`d-001`); '' or None means no directive."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    _at_most("directive_id", text, DIRECTIVE_ID_MAX)
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise ValidationError("directive_id", f"{text[:40]!r} must not contain spaces or control characters")
    return text


def validate_minutes(minutes) -> float:
    """A claim age in minutes: a finite number >= 0."""
    try:
        value = float(minutes)
    except (TypeError, ValueError):
        raise ValidationError("minutes", f"{minutes!r} is not a number") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise ValidationError("minutes", f"must be a number of minutes >= 0, not {minutes!r}")
    return value
