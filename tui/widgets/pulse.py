"""The pulse strip: completions per hour over the last 24 hours (sparkline), ready depth, drain estimate.

One line, redrawn only when its text changes (a new load, or the hour moving on): idle, it costs nothing."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from store.pulse import Pulse

from ..format import duration

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: tuple[int, ...]) -> Text:
    """One cell per value; an hour with no completion is a dim ▁, the busiest a full █."""
    top = max(values) if values else 0
    t = Text(end="")
    for v in values:
        if not v:
            t.append(BARS[0], "dim")
        else:
            t.append(BARS[max(1, round(v / top * (len(BARS) - 1)))], "green")
    return t


def pulse_text(p: Pulse | None) -> Text:
    t = Text(no_wrap=True, overflow="ellipsis", end="")
    if p is None:
        t.append("pulse …", "dim")
        return t
    t.append("done/h 24h ", "dim")
    t.append_text(sparkline(p.per_hour))
    t.append(f" {p.total:,}", "bold")
    t.append(f"  now {p.rate_per_hour:.1f}/h", "dim")
    t.append("  ready ", "dim")
    t.append(f"{p.ready:,}", "bold")
    t.append("  drains ", "dim")
    if p.drain_s is None:
        t.append("never at this rate", "yellow")
    elif p.drain_s == 0:
        t.append("empty", "bold red")
    else:
        t.append(f"in ~{duration(p.drain_s)}", "bold")
    return t


class PulseStrip(Static):
    def __init__(self, **kwargs) -> None:
        super().__init__(pulse_text(None), **kwargs)
        self._last: str | None = None

    def show(self, p: Pulse | None) -> None:
        text = pulse_text(p)
        if text.plain != self._last:
            self._last = text.plain
            self.update(text, layout=False)


def spend_bar(share: float, width: int = 6) -> Text:
    """`▰▰▰▱▱▱ 52%`: a session's spend as a share of its project's budget."""
    frac = max(share, 0.0)
    filled = min(width, round(frac * width))
    style = "bold red" if frac >= 0.9 else ("yellow" if frac >= 0.7 else "green")
    t = Text("▰" * filled, style)
    t.append("▱" * (width - filled), "dim")
    t.append(f" {frac * 100:.0f}%", style)
    return t
