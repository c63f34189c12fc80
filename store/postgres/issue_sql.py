"""The SQL pieces the PostgreSQL issue operations share: the selected columns, the server-clock lease tests,
each view's order, and store values turned into this backend's columns (native timestamps beside their text)."""

from __future__ import annotations

from .. import timestamps
from .connection import ns_to_dt
from .schema import PRIORITY_RANK_SQL

BASE_SELECT = ("id, number, title, description, status, priority, issue_type, agent, is_blocked, blocked_reason, "
               "claimed_by, claimed_at_text AS claimed_at, created_at_text AS created_at, "
               "updated_at_text AS updated_at, completed_at_text AS completed_at")
TIME_COLS = ("claimed_at", "created_at", "updated_at", "completed_at")
NOW = "coalesce(%s::timestamptz, now())"
LIVE_CLAIM = "coalesce(claimed_by, '') <> '' AND claimed_at IS NOT NULL AND claimed_at >= {now} - make_interval(secs => %s)"
EXPIRED_CLAIM = "(coalesce(claimed_by, '') = '' OR claimed_at IS NULL OR claimed_at < {now} - make_interval(secs => %s))"

# (expression, direction) per view; flipped for pages read from the far end.
ORDERS = {
    "ready": [(PRIORITY_RANK_SQL, "ASC"), ("created_at_text", "ASC"), ("number", "ASC")],
    "in_progress": [("claimed_at", "ASC NULLS FIRST"), ("number", "ASC")],
    "stale": [("claimed_at", "ASC NULLS FIRST"), ("number", "ASC")],
    "blocked": [("number", "ASC")],
    "done": [("number", "DESC")],
    "all": [("number", "ASC")],
}
FLIP = {"ASC": "DESC", "DESC": "ASC", "ASC NULLS FIRST": "DESC NULLS LAST"}


def order_sql(order, flip: bool = False) -> str:
    return ", ".join(f"{expr} {FLIP[d] if flip else d}" for expr, d in order)


def db_time(text: str | None):
    """The native value stored beside a timestamp's text (None if missing or unreadable)."""
    ns = timestamps.parse_ns(text) if text else None
    return ns_to_dt(ns) if ns is not None else None


def _db_value(col: str, value):
    if hasattr(value, "value"):
        value = value.value
    if col == "is_blocked":
        return None if value is None else bool(int(value))
    return value


def set_clause(fields: dict) -> tuple[str, list]:
    """`col = %s, ...` for a dict of store-level values: timestamps as native + text, flags as booleans."""
    parts, params = [], []
    for col, value in fields.items():
        if col in TIME_COLS:
            parts += [f"{col} = %s", f"{col}_text = %s"]
            params += [db_time(value), value]
        else:
            parts.append(f"{col} = %s")
            params.append(_db_value(col, value))
    return ", ".join(parts), params

