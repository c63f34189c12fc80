"""Directives: the autopilot's markdown epics, `<folder of the DB>/directives/d-NNN.md`.

Each file starts with a YAML front matter block (crate `directive.rs`, schema v6+):

    ---
    id: "d-001"
    title: "Implement Nostr protocol"
    status: active          # active | paused | completed (default active)
    priority: high          # urgent | high | medium | low (default medium)
    created: 2025-12-20
    updated: 2025-12-21     # optional
    ---
    ## Goal ...

The front matter is read by a small strict parser (no YAML dependency): one `key: value` per line, values
plain, 'single' or "double" quoted, `#` comments. What the crate's serde_yaml would refuse (a missing id,
title or created date, an unknown status or priority, a bad date, a duplicate key) and what this parser
does not support (nested or multi-line values) is reported per file as a `DirectiveProblem` naming the
file, the line and what is wrong; a broken file never stops the others from loading. Unknown keys are
kept in `extra` and otherwise ignored, as serde does. Order: priority, then created date (the crate's
`load_directives`), then id.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

STATUSES = ("active", "paused", "completed")
PRIORITIES = ("urgent", "high", "medium", "low")
MAX_FILE_BYTES = 256 * 1024  # a directive is a page of markdown; anything bigger is not read
MAX_BODY_CHARS = 64 * 1024  # what is kept of the body for display
MAX_FILES = 500  # files read from one folder (the rest are reported as one problem)

_KEY_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NULLS = {"~", "null", "Null", "NULL"}
_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f", "r": "\r",
            "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
            "P": "\u2029"}


@dataclass(frozen=True, slots=True)
class Directive:
    id: str
    title: str
    status: str  # active | paused | completed
    priority: str  # urgent | high | medium | low
    created: str  # YYYY-MM-DD
    updated: str | None
    body: str  # markdown, at most MAX_BODY_CHARS (see truncated)
    path: Path
    truncated: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def priority_rank(self) -> int:
        return PRIORITIES.index(self.priority)


@dataclass(frozen=True, slots=True)
class DirectiveProblem:
    """A file that could not be read as a directive: which file, and what is wrong with it."""

    path: Path
    message: str
    line: int | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def __str__(self) -> str:
        where = f"{self.name}:{self.line}" if self.line else self.name
        return f"{where}: {self.message}"


class DirectiveError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


def directives_folder(db_path: str | os.PathLike) -> Path:
    """Where the autopilot keeps the directives of this DB: `<folder of the DB>/directives`."""
    return Path(db_path).parent / "directives"


# -- parsing --------------------------------------------------------------------------------------
def split_front_matter(text: str) -> tuple[list[tuple[int, str]], str, int]:
    """(front matter lines with their 1-based line numbers, body, line of the closing ---)."""
    lines = text.split("\n")
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    if start >= len(lines) or lines[start].rstrip() != "---":
        raise DirectiveError("does not start with a front matter block (a line `---`)", start + 1 if start < len(lines) else None)
    for end in range(start + 1, len(lines)):
        if lines[end].rstrip() == "---":
            matter = [(n + 1, lines[n].rstrip("\r")) for n in range(start + 1, end)]
            return matter, "\n".join(lines[end + 1:]).strip(), end + 1
    raise DirectiveError("the front matter has no closing `---` line", start + 1)


def _double_quoted(raw: str, line: int) -> tuple[str, str]:
    out, i = [], 1
    while i < len(raw):
        ch = raw[i]
        if ch == '"':
            return "".join(out), raw[i + 1:]
        if ch == "\\":
            i += 1
            if i >= len(raw):
                break
            esc = raw[i]
            if esc in _ESCAPES:
                out.append(_ESCAPES[esc])
            elif esc in "xuU":
                width = {"x": 2, "u": 4, "U": 8}[esc]
                digits = raw[i + 1:i + 1 + width]
                if len(digits) != width or not all(c in "0123456789abcdefABCDEF" for c in digits):
                    raise DirectiveError(f"bad escape \\{esc}{digits} in a double-quoted value", line)
                try:
                    out.append(chr(int(digits, 16)))
                except (ValueError, OverflowError):
                    raise DirectiveError(f"bad escape \\{esc}{digits} in a double-quoted value", line) from None
                i += width
            else:
                raise DirectiveError(f"unknown escape \\{esc} in a double-quoted value", line)
        else:
            out.append(ch)
        i += 1
    raise DirectiveError("a double-quoted value has no closing quote (multi-line values are not supported)", line)


def _single_quoted(raw: str, line: int) -> tuple[str, str]:
    out, i = [], 1
    while i < len(raw):
        if raw[i] == "'":
            if raw[i + 1:i + 2] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out), raw[i + 1:]
        out.append(raw[i])
        i += 1
    raise DirectiveError("a single-quoted value has no closing quote (multi-line values are not supported)", line)


def parse_value(raw: str | None, line: int) -> str | None:
    """One scalar: None for an empty value or null, else the text."""
    if raw is None or raw == "" or raw.startswith("#"):
        return None
    if raw[0] in "\"'":
        value, rest = (_double_quoted if raw[0] == '"' else _single_quoted)(raw, line)
        rest = rest.strip()
        if rest and not rest.startswith("#"):
            raise DirectiveError(f"unexpected text after a quoted value: {rest[:40]!r}", line)
        return value
    if raw[0] in "|>":
        raise DirectiveError("block (multi-line) values are not supported; put the value on one line", line)
    if raw[0] in "[{":
        raise DirectiveError("lists and maps are not supported here; use a plain value", line)
    if raw[0] in "&*!%@`":
        raise DirectiveError(f"a value may not start with {raw[0]!r} (quote it)", line)
    if raw[0] in "-?:" and (len(raw) == 1 or raw[1] in " \t"):
        raise DirectiveError("lists are not supported here; use a plain value", line)
    comment = re.search(r"[ \t]#", raw)
    if comment:
        raw = raw[:comment.start()].rstrip()
    if ": " in raw or raw.endswith(":"):
        raise DirectiveError("a plain value may not contain `: ` (quote it)", line)
    return None if raw in _NULLS else raw


def parse_front_matter(lines: list[tuple[int, str]]) -> tuple[dict[str, str | None], dict[str, int]]:
    """`key: value` lines -> ({key: value}, {key: line})."""
    values: dict[str, str | None] = {}
    where: dict[str, int] = {}
    for number, text in lines:
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        if text[0] in " \t":
            raise DirectiveError("indented line: nested or multi-line values are not supported", number)
        if "\t" in text.split(":", 1)[0]:
            raise DirectiveError("a key may not contain a tab", number)
        m = _KEY_RE.match(text)
        if not m:
            raise DirectiveError(f"expected `key: value`, got {text.strip()[:60]!r}", number)
        key, raw = m.group(1), m.group(2)
        if key in values:
            raise DirectiveError(f"duplicate key `{key}` (first on line {where[key]})", number)
        values[key] = parse_value(raw, number)
        where[key] = number
    return values, where


def _date(values: dict, where: dict, key: str, line: int) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if not _DATE_RE.match(value):
        raise DirectiveError(f"`{key}` {value[:40]!r} is not a date (YYYY-MM-DD)", where.get(key, line))
    try:
        _dt.date.fromisoformat(value)
    except ValueError:
        raise DirectiveError(f"`{key}` {value!r} is not a real date", where.get(key, line)) from None
    return value


def parse_directive(text: str, path: str | os.PathLike) -> Directive:
    """Parse one directive file's text. Raises DirectiveError (message, line) on anything broken."""
    if text.startswith("\ufeff"):
        text = text[1:]
    matter, body, close_line = split_front_matter(text)
    values, where = parse_front_matter(matter)
    for key in ("id", "title"):
        if values.get(key) is None:
            raise DirectiveError(f"missing `{key}`", where.get(key, close_line))
        if not values[key].strip():
            raise DirectiveError(f"`{key}` is empty", where[key])
    status = values.get("status") or "active"
    if status not in STATUSES:
        raise DirectiveError(f"status {status[:40]!r} is not one of {', '.join(STATUSES)}", where.get("status"))
    priority = values.get("priority") or "medium"
    if priority not in PRIORITIES:
        raise DirectiveError(f"priority {priority[:40]!r} is not one of {', '.join(PRIORITIES)}", where.get("priority"))
    created = _date(values, where, "created", close_line)
    if created is None:
        raise DirectiveError("missing `created` (YYYY-MM-DD)", where.get("created", close_line))
    updated = _date(values, where, "updated", close_line)
    truncated = len(body) > MAX_BODY_CHARS
    known = {"id", "title", "status", "priority", "created", "updated"}
    return Directive(id=values["id"].strip(), title=values["title"], status=status, priority=priority,
                     created=created, updated=updated, body=body[:MAX_BODY_CHARS] if truncated else body,
                     path=Path(path), truncated=truncated,
                     extra={k: v for k, v in values.items() if k not in known})


def read_directive(path: str | os.PathLike) -> Directive:
    """Read and parse one file (size-bounded, UTF-8). Raises DirectiveError."""
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DirectiveError(f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise DirectiveError(f"is larger than {MAX_FILE_BYTES // 1024} KB; not read")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise DirectiveError(f"is not UTF-8 text (byte {exc.start})", line) from None
    return parse_directive(text.replace("\r\n", "\n"), path)


# -- a folder --------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class DirectiveSet:
    folder: Path
    directives: list[Directive]
    problems: list[DirectiveProblem]
    exists: bool = True
    signature: tuple = ()

    def by_id(self, directive_id: str) -> Directive | None:
        return next((d for d in self.directives if d.id == directive_id), None)


def folder_signature(folder: Path) -> tuple:
    """Cheap fingerprint of a directives folder (names, sizes, mtimes): reload only when it changes."""
    try:
        entries = []
        with os.scandir(folder) as it:
            for entry in it:
                if entry.name.endswith(".md") and not entry.name.startswith("."):
                    try:
                        st = entry.stat()
                        entries.append((entry.name, st.st_size, st.st_mtime_ns, st.st_ino))
                    except OSError:
                        entries.append((entry.name, -1, -1, -1))
        return tuple(sorted(entries))
    except FileNotFoundError:
        return ("missing",)
    except OSError as exc:
        return ("error", str(exc))


def load_directives(folder: str | os.PathLike) -> DirectiveSet:
    """Every `*.md` in the folder (not dot-files, not sub-folders): the good ones in the crate's order and
    one problem per broken file. A missing folder is an empty set (`exists=False`), not an error."""
    folder = Path(folder)
    signature = folder_signature(folder)
    if signature == ("missing",):
        return DirectiveSet(folder, [], [], exists=False, signature=signature)
    if signature and signature[0] == "error":
        return DirectiveSet(folder, [], [DirectiveProblem(folder, f"cannot list the folder ({signature[1]})")],
                            signature=signature)
    names = [entry[0] for entry in signature]
    directives: list[Directive] = []
    problems: list[DirectiveProblem] = []
    for name in names[:MAX_FILES]:
        path = folder / name
        if path.is_dir():
            continue
        try:
            directives.append(read_directive(path))
        except DirectiveError as exc:
            problems.append(DirectiveProblem(path, exc.message, exc.line))
    if len(names) > MAX_FILES:
        problems.append(DirectiveProblem(folder, f"{len(names) - MAX_FILES} more .md files were not read "
                                                 f"(at most {MAX_FILES} per folder)"))
    directives.sort(key=lambda d: (d.priority_rank, d.created, d.id, d.path.name))
    seen: dict[str, Directive] = {}
    unique: list[Directive] = []
    for d in directives:
        if d.id in seen:
            problems.append(DirectiveProblem(d.path, f"id {d.id!r} is also used by {seen[d.id].path.name}; ignored"))
            continue
        seen[d.id] = d
        unique.append(d)
    problems.sort(key=lambda p: p.path.name)
    return DirectiveSet(folder, unique, problems, signature=signature)
