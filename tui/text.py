"""Rendering database values literally.

Agent-written values are hostile: Rich markup must stay text (never parsed), control and invisible
characters (ESC, C1, NUL, DEL, bidi overrides, tags, ...) must never reach the terminal, and a value
of the wrong type (text in `issues.number`) shows as `⚠` + the value. Everything the UI shows from the
DB goes through `visible()` (the one gate, in `store.hostile`) and is wrapped in `rich.text.Text` /
`textual.content.Content`, never markup.
"""

from __future__ import annotations

from rich.text import Text

from store.hostile import Hostile, is_number, visible

__all__ = ["Hostile", "is_number", "lit", "visible"]


def lit(value: object, style: str = "", *, multiline: bool = False, limit: int | None = None) -> Text:
    """A `Text` holding `value` literally (no markup parsing), controls made visible."""
    return Text(visible(value, multiline=multiline, limit=limit), style=style, no_wrap=not multiline, end="")
