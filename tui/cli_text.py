"""What every `issues-tui` subcommand shares: terminal-safe text and JSON, one-line errors, the write open.

Shared by tui/cli.py and tui/cli_agent.py (so neither imports the other).
"""

from __future__ import annotations

import re
import sys

PROG = "issues-tui"
EXIT_ERROR = 2


# -- terminal safety -------------------------------------------------------------------------------
# The characters escaped are store.hostile's UNSAFE set, the very set the dashboard makes visible
# (C0, DEL, C1, bidi controls, zero-width and invisible format characters, tags, lone surrogates).
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape_code(code: int) -> str:
    ch = chr(code)
    if ch in _NAMED:
        return _NAMED[ch]
    return f"\\x{code:02x}" if code < 0x100 else (f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")


def _escapes():
    from store.hostile import UNSAFE
    return {code: _escape_code(code) for code in UNSAFE}


_ESCAPES: dict[int, str] = {}


def safe_terminal_text(value: object) -> str:
    """`value` as text with every control character shown as a visible escape (`\\x1b`, `\\n`, `\\u202e`).

    Covers store.hostile's UNSAFE set: C0 (ESC, BEL, CR, LF, ...), DEL, C1 (CSI 0x9b, OSC 0x9d, ...), bidi
    controls, U+2028/9, invisible format characters (U+00AD, U+2060-2064, tags ...) and lone surrogates
    (undecodable argv bytes, which could not even be printed), so data from the DB can neither send escape
    sequences to the terminal nor break a table row nor hide text. A stored value of the wrong type (a
    `Hostile`: text in `issues.number`) is `⚠` + its stored value, escaped the same way.
    """
    if value is None:
        return ""
    from store.hostile import Hostile, as_text
    if not _ESCAPES:
        _ESCAPES.update(_escapes())
    if isinstance(value, Hostile):
        return "⚠" + as_text(value.raw).translate(_ESCAPES)
    return (value if type(value) is str else as_text(value)).translate(_ESCAPES)


def _char_class(codes) -> str:
    """A regex character class for a set of code points (merged into ranges)."""
    codes, parts, start = sorted(codes), [], None
    for n, code in enumerate(codes):
        if start is None:
            start = code
        if n + 1 == len(codes) or codes[n + 1] != code + 1:
            parts.append(re.escape(chr(start)) + ("-" + re.escape(chr(code)) if code != start else ""))
            start = None
    return "[" + "".join(parts) + "]"


_JSON_UNSAFE_RE: re.Pattern | None = None


def safe_terminal_json(text: str) -> str:
    """JSON text with DEL, C1, bidi and invisible format characters written as `\\uXXXX`: the same JSON
    value, terminal-safe. (`json.dumps` already escapes C0, including ESC, inside strings; only those can
    appear raw.)"""
    global _JSON_UNSAFE_RE
    if _JSON_UNSAFE_RE is None:
        from store.hostile import UNSAFE
        _JSON_UNSAFE_RE = re.compile(_char_class(c for c in UNSAFE if c >= 0x7F))
    return _JSON_UNSAFE_RE.sub(lambda m: _json_escape(m.group(0)), text)


def _json_escape(ch: str) -> str:
    code = ord(ch)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON writes astral code points as a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# -- errors ------------------------------------------------------------------------------------------
class CliError(Exception):
    """A one-line user error: printed as `issues-tui: error: <message>`, exit 2."""


def _one_line(message: object) -> str:
    text = " ".join(str(message).split("\n"))
    return safe_terminal_text(text).strip() or "unknown error"


def _print_error(message: object) -> int:
    print(f"{PROG}: error: {_one_line(message)}", file=sys.stderr)
    return EXIT_ERROR


def open_for_writing(db: str, create: bool):
    """A writing command's store: read-write (on SQLite: WAL, the store's objects), creating the DB if missing."""
    from store import default_actor, open_store
    return open_store(db, create=create, actor=default_actor("cli"))
