"""`!`: every alert raised since the dashboard opened, newest first; enter on one goes to its issue."""

from __future__ import annotations

import time

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from ..alerts import Alert
from ..text import visible

KIND_LABELS = {"stale_claim": "stale claim", "session_failed": "session failed", "pid_dead": "pid gone",
               "ready_empty": "ready empty", "spend": "spend"}


def alert_line(alert: Alert) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis")
    t.append(time.strftime("%H:%M:%S ", time.localtime(alert.at_ns / 1e9)), "dim")
    t.append(f"{KIND_LABELS.get(alert.kind, alert.kind):<15}", "bold red" if alert.severity == "error" else "bold yellow")
    t.append(visible(alert.message))
    return t


class AlertsScreen(ModalScreen[str | None]):
    """Dismisses with the issue id of the chosen alert (or None)."""

    BINDINGS = [
        Binding("escape,exclamation_mark,q", "close", "Close", id="alerts.close", tooltip="Close the alert list"),
    ]

    def __init__(self, alerts: list[Alert]) -> None:
        super().__init__()
        self.alerts = list(reversed(alerts))

    def compose(self) -> ComposeResult:
        with Vertical(id="alerts-dialog"):
            n = len(self.alerts)
            yield Static(Content(f"Alerts ({n})" + (" — enter goes to the issue" if n else " — none yet")),
                         id="alerts-title")
            yield OptionList(*[Option(alert_line(a), id=str(i)) for i, a in enumerate(self.alerts)], id="alerts-list")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        alert = self.alerts[int(event.option.id)]
        self.dismiss(alert.issue_id)

    def action_close(self) -> None:
        self.dismiss(None)
