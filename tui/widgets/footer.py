"""The key footer: Textual's Footer, minus the style passes it repeats for every key.

Each FooterKey starts `compact` (adds class `-compact`: a full stylesheet match), and is then data-bound to the
footer's own `compact`, False here (removes the class: another one) — three style passes per key instead of
one, on every footer recompose (at start-up several). Keys bound to the footer start with its value, so they
are built once with the classes they end up with anyway.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class KeyFooter(Footer):
    _composed: tuple | None = None  # what the keys were built from (see `_signature`)

    def compose(self):
        self._composed = self._signature() if self._bindings_ready else None
        for widget in super().compose():
            if isinstance(widget, FooterKey) and "compact" in (widget._reactive_connect or {}):
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    # Textual schedules a full recompose for every bindings-changed signal; at start-up it fires five or six
    # times in a row (screen resume, focus, the file opening, ...), each recompose ~20-35 ms, and the first
    # screen waited for all of them. One pending recompose reads the bindings as they are when it runs.
    _recompose_pending = False

    def bindings_changed(self, screen) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._recompose_pending:
            self._recompose_pending = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_pending = False
        if self._composed is not None and self._signature() == self._composed:
            return  # the same keys, enabled the same way: rebuilding them would draw the same footer
        await self.recompose()

    def _signature(self) -> tuple:
        """Everything Footer.compose reads: the shown bindings (key, display, description, action, group,
        enabled, tooltip) in order, and the footer's own settings."""
        app = self.app
        return (self.compact, self.show_command_palette, app.ENABLE_COMMAND_PALETTE, tuple(
            (key, b.key, app.get_key_display(b), b.description, b.action, b.show, id(b.group), enabled, tooltip,
             b.tooltip) for key, (_node, b, enabled, tooltip) in self.screen.active_bindings.items()))
