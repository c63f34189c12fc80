"""Help screen: every binding with the key it is really on (after the config keymap), the keys Textual itself
handles, and a legend for every symbol the dashboard draws."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ..legend import LEGEND, TEXTUAL_KEYS
from ..text import visible


def bindings_table(rows: list[tuple[str, str, str]]) -> Table:
    table = Table(box=None, expand=True, padding=(0, 2), header_style="bold")
    table.add_column("key", style="bold cyan", no_wrap=True)
    table.add_column("action")
    table.add_column("id", style="dim", no_wrap=True)
    for key, desc, binding_id in rows:
        table.add_row(Text(visible(key)), Text(visible(desc)), Text(visible(binding_id)))
    return table


def legend_table() -> Table:
    table = Table(box=None, expand=True, padding=(0, 2), header_style="bold")
    table.add_column("symbol", style="bold", no_wrap=True)
    table.add_column("where", style="dim", no_wrap=True)
    table.add_column("meaning")
    for symbol, where, meaning in LEGEND:
        table.add_row(Text(symbol), Text(where), Text(meaning))
    return table


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            box.border_subtitle = "escape closes · remap by id in config.toml [keymap]"
            yield Static(bindings_table(self.rows), id="help-keys")
            yield Static(Text("Keys Textual handles", "bold"), classes="help-heading")
            yield Static(bindings_table([(key, desc, "—") for key, desc in TEXTUAL_KEYS]), id="help-textual-keys")
            yield Static(Text("Symbols", "bold"), classes="help-heading")
            yield Static(legend_table(), id="help-legend")
