"""The one gate between a stored value and screen text.

Everything in the file was written by agents, and SQLite keeps any type in any column: text in
`issues.number`, a blob in `sessions.pid`, `'abc'` in `budget_spent`. Two things live here:

* `UNSAFE`: every character that must never reach a terminal as itself (C0, DEL, C1, bidi
  overrides and isolates, zero-width and invisible format characters, tags), and `visible()`, which
  maps each to a visible symbol (`␛`, `<U+202E>`). The TUI renders every stored value with it, the
  CLI escapes the same set in its own notation.
* `Hostile`: what the row mappers put in a field whose stored value has the wrong type. It is a `str`
  whose text is already safe (`⚠` + the value made visible), so any code that formats it, even
  raw (`f"#{issue.number}"`), shows visible text; `.raw` keeps the value as stored (for writes and
  JSON output). Code that computes with a field checks `is_number()` first.
"""

from __future__ import annotations

import math

WARN = "⚠"

# C0 controls -> the Unicode "control pictures" block (U+2400..U+241F); DEL -> U+2421.
_MAP: dict[int, str] = {i: chr(0x2400 + i) for i in range(0x20)}
_MAP[0x7F] = "\u2421"
# Code points with no picture: shown as <U+XXXX> tokens.
_TOKENS = [
    *range(0x80, 0xA0),                       # C1 controls (8-bit CSI, OSC, ST, DCS ...)
    0x00AD,                                   # soft hyphen (invisible unless a line breaks there)
    0x034F,                                   # combining grapheme joiner
    0x061C,                                   # Arabic letter mark
    0x115F, 0x1160, 0x3164, 0xFFA0,           # Hangul fillers (render as blank)
    0x17B4, 0x17B5, 0x180E,                   # Khmer inherent vowels, Mongolian vowel separator
    *range(0x200B, 0x2010),                   # zero-width space/non-joiner/joiner, LRM, RLM
    0x2028, 0x2029,                           # line / paragraph separators
    *range(0x202A, 0x202F),                   # bidi embeddings and overrides
    *range(0x2060, 0x2065),                   # word joiner, invisible times/separator/plus
    *range(0x2066, 0x206A),                   # bidi isolates
    *range(0x206A, 0x2070),                   # deprecated format characters
    0xFEFF,                                   # zero-width no-break space (BOM)
    *range(0xFFF9, 0xFFFC),                   # interlinear annotation anchors
    *range(0x1D173, 0x1D17B),                 # musical format characters
    *range(0xE0000, 0xE0080),                 # tag characters (invisible text)
]
for _c in _TOKENS:
    _MAP[_c] = f"<U+{_c:04X}>"
# Surrogates (from undecodable bytes) cannot be encoded: shown as U+FFFD by _fix_surrogates.
UNSAFE: frozenset[int] = frozenset(_MAP) | frozenset(range(0xD800, 0xE000))

_KEEP_NEWLINES = dict(_MAP)
del _KEEP_NEWLINES[0x0A]
_KEEP_TABS_NEWLINES = dict(_KEEP_NEWLINES)
del _KEEP_TABS_NEWLINES[0x09]


def _fix_surrogates(text: str) -> str:
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def as_text(value: object) -> str:
    """A stored value of any type as plain (not yet safe) text: blobs as SQL literals `X'00FF'`."""
    if isinstance(value, Hostile):
        value = value.raw
    if isinstance(value, (bytes, bytearray, memoryview)):
        return "X'" + bytes(value).hex().upper() + "'"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def visible(value: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """`value` as a string safe for the terminal: controls and invisible characters shown as symbols.

    With `multiline`, newlines and tabs are kept (for descriptions); otherwise every control char,
    newline included, becomes a visible symbol so one field stays one line. `limit` cuts the text
    (before mapping, so a 10 MB value costs `limit` characters) and ends it with `…`."""
    if value is None:
        return ""
    if isinstance(value, Hostile):
        text = str.__str__(value)
    else:
        text = value if type(value) is str else as_text(value)
    cut = limit is not None and len(text) > limit
    if cut:
        text = text[:limit]
    text = _fix_surrogates(text).translate(_KEEP_TABS_NEWLINES if multiline else _MAP)
    return text + "…" if cut else text


class Hostile(str):
    """A stored value of the wrong type for its column. Its text is `⚠` + the value made visible;
    `.raw` is the value exactly as stored."""

    raw: object

    def __new__(cls, raw: object) -> "Hostile":
        self = super().__new__(cls, WARN + visible(as_text(raw), limit=200))
        self.raw = raw
        return self

    def __repr__(self) -> str:
        return f"Hostile({self.raw!r})"

    def json_value(self) -> object:
        """What JSON output writes: the stored value where JSON can hold it, else its visible text."""
        raw = self.raw
        if isinstance(raw, str) or (isinstance(raw, int) and not isinstance(raw, bool)):
            return raw
        if isinstance(raw, float) and math.isfinite(raw):
            return raw
        return as_text(raw)


def stored(value: object) -> object:
    """The value as the file holds it (a Hostile's raw value), for SQL parameters and comparisons."""
    return value.raw if isinstance(value, Hostile) else value


def is_number(value: object) -> bool:
    """True for a real number (int or finite float, not bool, not a Hostile)."""
    if isinstance(value, bool) or isinstance(value, Hostile):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and math.isfinite(value)


# -- checks the row mappers apply, one per column type --------------------------------------------
def integer(value: object, nullable: bool = False):
    """An INTEGER column: int as is; NULL as None (or Hostile if the column must hold a value)."""
    if type(value) is int:
        return value
    if value is None and nullable:
        return None
    return Hostile(value)


def real(value: object, nullable: bool = False, default: float | None = None):
    """A REAL column: int or float as float (Inf kept: it formats as `inf`); NULL as `default`."""
    if type(value) is float:
        return value
    if type(value) is int:
        return float(value)
    if value is None:
        return None if nullable else default
    return Hostile(value)


def text(value: object):
    """A TEXT column: str or None as is; anything else (a blob, a number) as Hostile."""
    if value is None or type(value) is str:
        return value
    return Hostile(value)
