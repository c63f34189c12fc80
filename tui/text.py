"""Rendering database text literally.

Agent-written text is hostile: Rich markup must stay text (never parsed), and control characters
(ESC, C1, NUL, DEL, ...) must never reach the terminal. Everything the UI shows from the DB goes
through `visible()` and is wrapped in `rich.text.Text` / `textual.content.Content`, never markup.
"""

from __future__ import annotations

from rich.text import Text

# C0 controls -> the Unicode "control pictures" block (U+2400..U+241F); DEL -> U+2421.
_MAP = {i: chr(0x2400 + i) for i in range(0x20)}
_MAP[0x7F] = "\u2421"
# C1 controls (0x80-0x9F) have no pictures: show them as <U+0085>-style tokens.
for _c in range(0x80, 0xA0):
    _MAP[_c] = f"<U+{_c:04X}>"
# Bidi overrides/isolates and zero-width characters: visible markers so text cannot hide or reorder.
for _c in (0x200B, 0x200C, 0x200D, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C, 0x202D, 0x202E,
           0x2066, 0x2067, 0x2068, 0x2069, 0xFEFF, 0x2028, 0x2029):
    _MAP[_c] = f"<U+{_c:04X}>"
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


def visible(value: object, *, multiline: bool = False, limit: int | None = None) -> str:
    """`value` as a string safe for the terminal: controls shown as symbols, nothing interpreted.

    With `multiline`, newlines and tabs are kept (for descriptions); otherwise every control char,
    newline included, becomes a visible symbol so one field stays one line.
    """
    if value is None:
        return ""
    text = _fix_surrogates(str(value))
    if limit is not None and len(text) > limit:
        text = text[:limit] + "…"
    return text.translate(_KEEP_TABS_NEWLINES if multiline else _MAP)


def lit(value: object, style: str = "", *, multiline: bool = False, limit: int | None = None) -> Text:
    """A `Text` holding `value` literally (no markup parsing), controls made visible."""
    return Text(visible(value, multiline=multiline, limit=limit), style=style, no_wrap=not multiline, end="")
