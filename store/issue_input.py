"""What the issue operations accept: the limits and defaults of new input, the view names, and the
validators every write (and the CLI and forms) runs new values through."""

from __future__ import annotations

from .errors import ValidationError

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
REASON_MAX = 10_000
AGENT_MAX = 100
DEFAULT_AGENT = "codex"
CLAIM_MINUTES = 15
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

VIEWS = ("ready", "in_progress", "blocked", "done", "stale", "all")


# -- validation of new input ---------------------------------------------------------------------
def validate_title(title) -> str:
    if title is None or not str(title).strip():
        raise ValidationError("title", "must not be empty")
    text = str(title).strip()
    if len(text) > TITLE_MAX:
        raise ValidationError("title", f"is {len(text)} characters; at most {TITLE_MAX} allowed")
    return text


def validate_description(description) -> str | None:
    if description is None:
        return None
    text = str(description)
    if len(text) > DESCRIPTION_MAX:
        raise ValidationError("description", f"is {len(text)} characters; at most {DESCRIPTION_MAX} allowed")
    return text if text.strip() else None


def validate_agent(agent) -> str:
    if agent is None:
        return DEFAULT_AGENT
    text = str(agent).strip()
    if not text:
        raise ValidationError("agent", "must not be empty")
    if len(text) > AGENT_MAX:
        raise ValidationError("agent", f"is {len(text)} characters; at most {AGENT_MAX} allowed")
    return text


def validate_reason(reason) -> str:
    if reason is None or not str(reason).strip():
        raise ValidationError("reason", "a block needs a reason")
    text = str(reason).strip()
    if len(text) > REASON_MAX:
        raise ValidationError("reason", f"is {len(text)} characters; at most {REASON_MAX} allowed")
    return text


DIRECTIVE_ID_MAX = 100


def validate_directive_id(value) -> str | None:
    """A directive id as the autopilot names them (`d-001`); '' or None means no directive."""
    if value is None:
        return None
    text = str(value).strip()
    if not text:
        return None
    if len(text) > DIRECTIVE_ID_MAX:
        raise ValidationError("directive_id", f"is {len(text)} characters; at most {DIRECTIVE_ID_MAX} allowed")
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
