"""Export byte-identical to `autopilot issue export`, and import of every file the crate writes.

Export: `list_issues(None)` order (by number), `done` dropped unless include_completed, the crate's
field order, status `inprogress`, timestamps re-rendered with `Z`, 2-space indent, no trailing newline.
Import (compat.md decision 11): one transaction, NULLs not `''`, the file's timestamps kept, counter
kept ahead, one `imported` event per row written; `force` updates every field but id and number.
"""

from __future__ import annotations

import json

from . import timestamps
from .errors import ImportFormatError
from .events import append_event
from .hostile import Hostile
from .issue_rows import fetch_issues
from .models import Issue, IssueType, Priority, Status

_EXPORT_STATUS = {"open": "open", "in_progress": "inprogress", "done": "done"}
_IMPORT_STATUS = {"open": "open", "inprogress": "in_progress", "in_progress": "in_progress", "done": "done"}
_REQUIRED = ("id", "number", "title", "status", "priority", "issue_type", "agent", "is_blocked",
             "created_at", "updated_at")
_OPTIONAL_TEXT = ("description", "blocked_reason", "claimed_by")
_OPTIONAL_TIME = ("claimed_at", "completed_at")
I32_MAX = 2**31 - 1


def _stored(value):
    """A field as JSON holds it: a Hostile (wrong-typed stored value) as what was stored, where JSON can."""
    return value.json_value() if isinstance(value, Hostile) else value


def _text_field(issue: Issue, name: str):
    """What is stored: '' exports as "" (as the crate's serde does), NULL as null."""
    return "" if name in issue.stored_empty else _stored(getattr(issue, name))


def issue_to_export(issue: Issue, now: str, newer: tuple[str, ...] = ()) -> dict:
    """One element of the crate's export. `newer`: the later-schema columns the file has (`directive_id`,
    `project_id`, `auto_created`); each is written in the crate's v11 struct order (directive_id and
    project_id after agent, auto_created last), so a v5 file's export stays byte-identical to v5's."""
    status = _EXPORT_STATUS.get(str(issue.status), "open")  # the crate reads unknown status as Open
    priority = str(issue.priority) if isinstance(issue.priority, Priority) else Priority.MEDIUM.value
    issue_type = str(issue.issue_type) if isinstance(issue.issue_type, IssueType) else IssueType.TASK.value
    out = {
        "id": issue.id,
        "number": _stored(issue.number),
        "title": _stored(issue.title),
        "description": _text_field(issue, "description"),
        "status": status,
        "priority": priority,
        "issue_type": issue_type,
        "agent": _stored(issue.agent),
        **({"directive_id": _stored_text(issue, "directive_id")} if "directive_id" in newer else {}),
        **({"project_id": _stored_text(issue, "project_id")} if "project_id" in newer else {}),
        "is_blocked": bool(issue.is_blocked),
        "blocked_reason": _text_field(issue, "blocked_reason"),
        "claimed_by": _text_field(issue, "claimed_by"),
        "claimed_at": timestamps.to_export(issue.claimed_at),
        # The crate reads an unparseable created/updated time as "now".
        "created_at": timestamps.to_export(issue.created_at) or timestamps.to_export(now),
        "updated_at": timestamps.to_export(issue.updated_at) or timestamps.to_export(now),
        "completed_at": timestamps.to_export(issue.completed_at),
    }
    if "auto_created" in newer:
        out["auto_created"] = issue.auto_created
    return out


def _stored_text(issue: Issue, col: str):
    """What is stored ('' exports as "", as the crate's serde writes it: compat.md decision 6)."""
    value = issue.extra.get(col)
    return value if value is None or isinstance(value, str) else str(value)


NEWER_COLUMNS = ("directive_id", "project_id", "auto_created")


def dumps(rows: list[dict]) -> str:
    return json.dumps(rows, indent=2, ensure_ascii=False) if rows else "[]"


def _fail(index: int, message: str) -> ImportFormatError:
    return ImportFormatError(f"issue {index + 1} in the file: {message}; nothing was imported")


def parse_import(text: str) -> list[dict]:
    """Parse and check a whole file first (serde's rules), so a bad file changes nothing."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise ImportFormatError(f"not valid JSON ({exc}); nothing was imported") from None
    if not isinstance(data, list):
        raise ImportFormatError("expected a JSON array of issues; nothing was imported")
    rows = []
    for i, item in enumerate(data):
        if not isinstance(item, dict):
            raise _fail(i, "is not a JSON object")
        for key, value in item.items():
            if isinstance(value, str) and not _utf8_ok(value):
                raise _fail(i, f"field {key[:40]!r} holds invalid Unicode (a lone surrogate)")
        for key in _REQUIRED:
            if key not in item:
                raise _fail(i, f"missing field `{key}`")
        row: dict = {}
        for key in ("id", "title", "agent"):
            if not isinstance(item[key], str):
                raise _fail(i, f"`{key}` must be a string")
            row[key] = item[key]
        if not row["id"]:
            raise _fail(i, "`id` must not be empty")
        number = item["number"]
        if isinstance(number, bool) or not isinstance(number, int) or not (-(2**31) <= number <= I32_MAX):
            raise _fail(i, f"`number` must be a 32-bit integer, not {json.dumps(number)[:40]}")
        row["number"] = number
        status = item["status"]
        if not isinstance(status, str) or status not in _IMPORT_STATUS:
            raise _fail(i, f"unknown status {json.dumps(status)[:40]} (open, inprogress, done)")
        row["status"] = _IMPORT_STATUS[status]
        for key, enum in (("priority", Priority), ("issue_type", IssueType)):
            value = item[key]
            if not isinstance(value, str) or value not in {m.value for m in enum}:
                raise _fail(i, f"unknown {key} {json.dumps(value)[:40]}")
            row[key] = value
        if not isinstance(item["is_blocked"], bool):
            raise _fail(i, "`is_blocked` must be true or false")
        row["is_blocked"] = 1 if item["is_blocked"] else 0
        for key in _OPTIONAL_TEXT:
            value = item.get(key)
            if value is not None and not isinstance(value, str):
                raise _fail(i, f"`{key}` must be a string or null")
            row[key] = value if value != "" else None
        for key in ("created_at", "updated_at") + _OPTIONAL_TIME:
            value = item.get(key)
            if value is None and key in _OPTIONAL_TIME:
                row[key] = None
                continue
            if not isinstance(value, str):
                raise _fail(i, f"`{key}` must be a timestamp string")
            ns = timestamps.parse_rfc3339_ns(value)
            if ns is None:
                raise _fail(i, f"`{key}` {value[:40]!r} is not an RFC 3339 timestamp with an offset, or not one "
                               "that can be stored (UTC years 0001-9999)")
            row[key] = timestamps.format_ns(ns)
        # Later-schema fields (v6/v7/v11 exports): kept when present, written only where the DB has the column.
        for key in ("directive_id", "project_id"):
            if key in item:
                value = item[key]
                if value is not None and not isinstance(value, str):
                    raise _fail(i, f"`{key}` must be a string or null")
                row[key] = value if value != "" else None
        if "auto_created" in item:
            if not isinstance(item["auto_created"], bool):
                raise _fail(i, "`auto_created` must be true or false")
            row["auto_created"] = 1 if item["auto_created"] else 0
        rows.append(row)
    return rows


def _utf8_ok(value: str) -> bool:
    """serde_json rejects lone surrogates (`\\ud800`); SQLite cannot store them as UTF-8 either."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


_INSERT_COLS = ("id", "number", "title", "description", "status", "priority", "issue_type", "agent", "is_blocked",
                "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at")


class ExportOps:
    def export_json(self, include_completed: bool = False) -> str:
        now = self._now()
        with self._read() as conn:
            issues = fetch_issues(conn.execute("SELECT * FROM issues ORDER BY number"))
        newer = tuple(c for c in NEWER_COLUMNS if self.has_column(c))
        rows = [issue_to_export(i, now, newer) for i in issues if include_completed or i.status != Status.DONE]
        return dumps(rows)

    def import_json(self, text: str, force: bool = False, *, actor: str | None = None) -> dict:
        """Import a crate export. Returns {"imported": n, "updated": n, "skipped": n}."""
        rows = parse_import(text)
        result = {"imported": 0, "updated": 0, "skipped": 0}
        now = self._now()
        who = actor or self.actor
        with self._write() as conn:
            for index, row in enumerate(rows):
                newer = [c for c in NEWER_COLUMNS if c in row and self.has_column(c)]
                exists = conn.execute("SELECT 1 FROM issues WHERE id = ?", (row["id"],)).fetchone()
                if exists:
                    if not force:
                        result["skipped"] += 1
                        continue
                    clash = conn.execute("SELECT 1 FROM issues WHERE number = ? AND id != ?",
                                         (row["number"], row["id"])).fetchone()
                    if clash:
                        raise _fail(index, f"number {row['number']} belongs to another issue in the database")
                    cols = [c for c in _INSERT_COLS if c not in ("id", "number")] + newer
                    conn.execute(f"UPDATE issues SET {', '.join(c + ' = ?' for c in cols)} WHERE id = ?",
                                 (*(row[c] for c in cols), row["id"]))
                    result["updated"] += 1
                else:
                    clash = conn.execute("SELECT 1 FROM issues WHERE number = ?", (row["number"],)).fetchone()
                    if clash:
                        raise _fail(index, f"number {row['number']} is already used by another issue")
                    cols = list(_INSERT_COLS) + newer
                    conn.execute(f"INSERT INTO issues ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                                 tuple(row[c] for c in cols))
                    result["imported"] += 1
                append_event(conn, row["id"], who, "imported", None, row["title"], now)
            conn.execute("UPDATE issue_counter SET next_number = MAX(next_number, "
                         "COALESCE((SELECT MAX(number) + 1 FROM issues), 1)) WHERE id = 1")
        return result
