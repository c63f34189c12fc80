"""Command palette: views, filters, go to issue #N, pause/refresh, theme — only what makes sense now."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content
from textual.fuzzy import Matcher

from .text import visible
from .widgets.status_bar import VIEW_LABELS

if TYPE_CHECKING:
    from .app import IssuesApp


def safe_highlight(matcher: Matcher, text: str) -> Content:
    """Like Matcher.highlight, but the candidate stays literal (Matcher.highlight parses markup)."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize("bold reverse", offset, offset + 1)
    return content


class IssuesCommands(Provider):
    def _commands(self) -> list[tuple[str, object, str]]:
        app: IssuesApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, object, str]] = []
        for key, label in VIEW_LABELS.items():
            if key != app.query_state.view:
                out.append((f"View: {label}", partial(app.set_view, key), f"show the {label.lower()} view"))
        if app.query_state.search:
            out.append(("Filter: clear title filter", app.action_clear_filter, "show every issue of the view"))
        else:
            out.append(("Filter: by title…", app.action_filter, "filter as you type"))
        for agent in app.known_agents():
            if agent != app.query_state.agent:
                out.append((f"Filter: agent {visible(agent)}", partial(app.set_agent, agent), "only this agent's issues"))
        if app.query_state.agent is not None:
            out.append(("Filter: all agents", partial(app.set_agent, None), "drop the agent filter"))
        out.append(("Live refresh: resume" if app.paused else "Live refresh: pause", app.action_toggle_pause, "p"))
        out.append(("Refresh now", app.action_refresh, "reload from the file"))
        out.append(("Theme: light" if app.theme.endswith("dark") else "Theme: dark", app.action_toggle_theme, "switch theme"))
        for text, cb, help_ in app.extra_commands() + app.view_commands():
            out.append((text, cb, help_))
        return out

    async def discover(self) -> Hits:
        for text, callback, help_ in self._commands():
            yield DiscoveryHit(Content(text), callback, help=help_)

    async def search(self, query: str) -> Hits:
        app: IssuesApp = self.app  # type: ignore[assignment]
        q = query.strip().lstrip("#")
        if q.isascii() and q.isdigit() and len(q) <= 40:  # ASCII only: int('²') fails; no 5000-digit ints
            yield Hit(100.0, Content(f"Go to issue #{int(q)}"), partial(app.goto_number, int(q)), help="open it in the detail pane")
        matcher = self.matcher(query)
        for text, callback, help_ in self._commands():
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, safe_highlight(matcher, text), callback, help=help_)
