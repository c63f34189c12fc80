"""`?` help is complete (issue 9 item 9): every key (ours, remapped, and Textual's own ctrl+p / tab), and a legend
for every symbol and marker the widgets draw — found by reading the widgets' string literals, so a new symbol
cannot ship without its line. The README's key table says the same."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import pytest

from tui.app import IssuesApp
from tui.legend import LEGEND, TEXTUAL_KEYS
from tui.screens.help import HelpScreen
from tuitest_helpers import SIZE, started, static_text, wait_for

ROOT = Path(__file__).resolve().parent.parent.parent
DRAWING = sorted((ROOT / "tui" / "widgets").glob("*.py")) + [ROOT / "tui" / "text.py"]
NOT_SYMBOLS = {"·", "▏"}  # separators (between fields; before the footer's palette key), not signs with a meaning
MARKER = re.compile(r"\b[A-Z]{4,}(?:-[A-Z]+)?\b")


def drawn_literals(path: Path) -> list[str]:
    """The string literals of a module that can reach the screen (docstrings and comments left out)."""
    out, previous = [], tokenize.NEWLINE
    for tok in tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline):
        if tok.type == tokenize.STRING and previous not in (tokenize.NEWLINE, tokenize.INDENT, tokenize.NL,
                                                             tokenize.DEDENT):
            out.append(tok.string)
        if tok.type not in (tokenize.COMMENT, tokenize.NL):
            previous = tok.type
    return out


def drawn_symbols() -> dict[str, str]:
    found = {}
    for path in DRAWING:
        for literal in drawn_literals(path):
            for ch in literal:
                if ord(ch) > 0x7F and ch not in NOT_SYMBOLS:
                    found.setdefault(ch, path.name)
            for word in MARKER.findall(literal):
                found.setdefault(word, path.name)
    return found


def test_every_symbol_the_widgets_draw_has_a_legend_line():
    legend = " ".join(symbol for symbol, _where, _meaning in LEGEND)
    found = drawn_symbols()
    assert {"●", "✓", "⊘", "STALE", "DEAD", "✗", "∅", "→"} <= set(found)  # the grep sees what is drawn
    missing = {s: where for s, where in found.items() if s not in legend}
    assert not missing, f"symbols drawn without a legend line in tui/legend.py: {missing}"


def help_text(app) -> str:
    screen = app.screen
    assert isinstance(screen, HelpScreen)
    return "\n".join(static_text(w, 110) for w in screen.query("Static"))


async def test_help_lists_every_key_and_symbol(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        text = help_text(app)
        for key in ("^p", "^t", "tab, shift+tab", "?", "app.palette", "app.theme"):
            assert key in text, key
        for symbol, _where, meaning in LEGEND:
            assert symbol in text and meaning.split()[0] in text, symbol
        for key, _desc in TEXTUAL_KEYS:
            assert key in text


async def test_palette_key_is_a_binding_with_an_id_and_remappable(small_db):
    from tui.config import Config
    app = IssuesApp(small_db, watch=False, config=Config(keymap={"app.palette": "ctrl+o"}))
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        assert ("^o", "app.palette") in [(k, bid) for k, _d, bid in app.binding_rows()]
        await pilot.press("ctrl+o")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandPalette", what="the palette")


def test_readme_key_table_lists_the_same():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    keys = readme.split("## Keys", 1)[1].split("\n## ", 1)[0]
    for key in ("`ctrl+p`", "`tab`", "`shift+tab`", "`ctrl+t`", "`?`", "`q`"):
        assert key in keys, key
    for symbol, _where, _meaning in LEGEND:
        assert f"`{symbol}`" in keys, symbol
