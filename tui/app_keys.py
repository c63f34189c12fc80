"""The app-wide keys (refresh, pause, theme, help and the key list it shows) and which keys may run now: a write
key on a read-only (or not yet open) file is shown disabled and, pressed anyway, answers with why."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .actions import WRITE_ACTIONS
from .text import visible
from .widgets.ready_queue import IssueList

if TYPE_CHECKING:
    from .app import IssuesApp


class AppKeys:
    def action_refresh(self: "IssuesApp") -> None:
        if self.store is None:
            self.source.start()
        else:
            self.request_load()

    def action_toggle_pause(self: "IssuesApp") -> None:
        if self.paused:
            self.source.resume()
            self.request_load()
        else:
            self.source.pause()
        self._render_status()

    def action_toggle_theme(self: "IssuesApp") -> None:
        self.theme = "textual-light" if self.theme.endswith("dark") else "textual-dark"

    def action_help(self: "IssuesApp") -> None:
        from .screens.help import HelpScreen
        self.push_screen(HelpScreen(self.binding_rows()))

    def binding_rows(self: "IssuesApp") -> list[tuple[str, str, str]]:
        """(key as the user must press it, description, binding id) for every binding with an id."""
        rows = []
        seen = set()
        sources = [self, self.query_one(IssueList)]
        for source in sources:
            bindings = source._bindings.copy()
            if self._keymap:  # show the keys the user remapped in the config file, as Textual applies them
                bindings.apply_keymap(self._keymap)
            for (key, binding) in bindings:
                if not binding.id or binding.id in seen:
                    continue
                seen.add(binding.id)
                keys = [self.get_key_display(b) for k, b in bindings if b.id == binding.id]
                rows.append((", ".join(dict.fromkeys(keys)), binding.tooltip or binding.description, binding.id))
        return rows

    async def run_action(self: "IssuesApp", action, default_namespace=None, namespaces=None) -> bool:
        """A write key on a read-only (or not yet open) file answers with why, instead of nothing."""
        target, name, _params = self._parse_action(action, self if default_namespace is None else default_namespace,
                                                    namespaces)
        if target is self and name in WRITE_ACTIONS:
            why = self.write_refusal()
            if why:
                self.notify(visible(why), severity="warning", markup=False)
                return True
        return await super().run_action(action, default_namespace, namespaces)

    def check_action(self: "IssuesApp", action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in WRITE_ACTIONS:
            if self.store is None or self.store.read_only:
                return None  # shown disabled; the status line says why
        if action == "clear_marks":  # (asked by the footer's first compose too, before the list is mounted)
            lists = self.query(IssueList)
            return bool(lists and lists.first().marked)
        return True
