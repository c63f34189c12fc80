"""Text fields that keep the order of the keys typed into them.

Works around Textual's own ordering (textual 8.2.8): a printable key is inserted by the focused Input/TextArea
at once, but an editing key bound on the field itself (backspace, delete, arrows, home/end, enter) is not: the
Key event first bubbles up to the App, which then runs the field's binding. When several keys are queued at
once (a fast typist, a paste-like burst, or simply the app busy with a live reload), the letters typed after a
backspace overtake it: 40 backspaces then "abc…" in one burst left "xxxxabc…" minus the letters the late
backspaces then deleted. Here the field runs its own non-priority bindings in its key handler, in the order the
keys arrived; priority bindings (ctrl+s) are still taken by the App before the field sees the key.
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class OwnBindingsFirst:
    """Mix into a text field (before the widget class): its own editing keys run in arrival order."""

    async def _on_key(self, event: events.Key) -> None:
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            if not binding.priority and await self.app.run_action(binding.action, self):
                event.stop()
                event.prevent_default()
                return
        await super()._on_key(event)


class OrderedInput(OwnBindingsFirst, Input):
    """An Input whose editing keys cannot be overtaken by the letters typed after them."""
