"""The key footer: what Textual's Footer draws (the shown keys of the focused chain, the palette key docked
right), in one widget instead of one widget per key.

Textual's Footer is a container of FooterKey widgets: thirteen widgets here, each mounted, styled and laid out,
and all of them rebuilt (a recompose) whenever the bindings change. That was 14 ms of the start-up before the
first frame (the footer alone), and the keys came one frame late. This one renders a single line from the
active bindings, with Footer's own styles (its component classes copy FooterKey's CSS), and answers the mouse
the way the keys did: a click presses the key (a disabled one rings the bell), hovering highlights it and shows
its tooltip. When the keys do not fit, the rightmost ones are cut, as Footer's scroll container cut them.
"""

from __future__ import annotations

from typing import NamedTuple

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.strip import Strip
from textual.widget import Widget

DIM = Style(dim=True)


class FooterItem(NamedTuple):
    key: str  # the key to simulate on a click
    display: str
    description: str
    enabled: bool
    tooltip: str


class KeyFooter(Widget, can_focus=False):
    ALLOW_SELECT = False
    COMPONENT_CLASSES = {"key-footer--item", "key-footer--key", "key-footer--description", "key-footer--hover",
                         "key-footer--palette-edge"}
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-footer--item { background: $footer-item-background; }
        & > .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-footer--hover {
            color: $footer-key-foreground;
            background: $block-hover-background;
        }
        & > .key-footer--palette-edge { color: $foreground 20%; }
    }
    """

    def __init__(self, *, show_command_palette: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.show_command_palette = show_command_palette
        self._items: tuple[tuple[FooterItem, ...], FooterItem | None] = ((), None)
        self._spans: list[tuple[int, int, FooterItem]] = []  # (x0, x1, item) as last drawn
        self._hover: FooterItem | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self.bindings_changed)
        self._items = self._read_items()

    def bindings_changed(self, screen) -> None:
        if screen is not self.screen:
            return
        items = self._read_items()
        if items != self._items:  # the same keys, enabled the same way: nothing to draw
            self._items = items
            self.refresh()

    def _read_items(self) -> tuple[tuple[FooterItem, ...], FooterItem | None]:
        """What Footer.compose reads: the shown bindings (the first binding of each action), and the palette's."""
        app = self.app
        keys: dict[str, FooterItem] = {}
        palette = None
        active = self.screen.active_bindings
        for _key, (_node, binding, enabled, tooltip) in active.items():
            if binding.show and binding.action not in keys:
                keys[binding.action] = FooterItem(binding.key, app.get_key_display(binding), binding.description,
                                                  enabled, tooltip or "")
        if self.show_command_palette and app.ENABLE_COMMAND_PALETTE:
            found = active.get(app.COMMAND_PALETTE_BINDING)
            if found is not None:
                _node, binding, enabled, _tooltip = found
                palette = FooterItem(binding.key, app.get_key_display(binding), binding.description, enabled,
                                     binding.tooltip or binding.description)
        return tuple(keys.values()), palette

    # -- drawing ---------------------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        """The segments Footer's keys made: per key, ` key ` and `description ` (over the key's own style, dim
        when disabled, highlighted under the mouse); blank footer between; the palette key at the right edge
        after `▏`, with its one cell of padding."""
        width = self.size.width
        if y != 0 or width <= 0:
            return Strip.blank(width, self.rich_style)
        items, palette = self._items
        item = self.get_component_rich_style("key-footer--item")
        # the key's own parts over the item's background (the hovered one's too), as a FooterKey's were
        key = self.get_component_rich_style("key-footer--key", partial=True)
        desc = self.get_component_rich_style("key-footer--description", partial=True)
        hover = self.get_component_rich_style("key-footer--hover", partial=True)

        def pieces(it: FooterItem, key_text: str, desc_text: str) -> list[Segment]:
            base = item + hover if it is self._hover else item
            if not it.enabled:
                base = base + DIM
            if not it.description:
                return [Segment(it.display, base + key)]
            return [Segment(key_text, base + key), Segment(desc_text, base + desc)]

        tail: list[Segment] = []
        if palette is not None:
            pad = item + hover if palette is self._hover else item
            tail = [Segment("▏", self.get_component_rich_style("key-footer--palette-edge")),
                    *pieces(palette, palette.display, " " + palette.description),
                    Segment(" ", Style(bgcolor=pad.bgcolor))]  # padding: the background alone, as Textual pads
        tail_width = sum(cell_len(seg.text) for seg in tail)
        room = max(0, width - tail_width)
        segments: list[Segment] = []
        spans = []
        x = 0
        for it in items:
            if x >= room:
                break
            part = pieces(it, f" {it.display} ", f"{it.description} ")
            w = sum(cell_len(seg.text) for seg in part)
            spans.append((x, min(x + w, room), it))
            segments.extend(part)
            x += w
        strip = Strip(segments).crop_extend(0, room, Style(bgcolor=self.rich_style.bgcolor))  # blank footer
        if palette is not None:
            spans.append((room + 1, room + tail_width, palette))
            strip = Strip.join([strip, Strip(tail)]).crop(0, width)
        self._spans = spans
        return strip

    # -- the mouse -------------------------------------------------------------------------------------
    def _item_at(self, x: int) -> FooterItem | None:
        return next((item for x0, x1, item in self._spans if x0 <= x < x1), None)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        item = self._item_at(event.x)
        if item is not self._hover:
            self._hover = item
            self.tooltip = item.tooltip or item.description if item is not None else None
            self.refresh()

    def on_leave(self, _event: events.Leave) -> None:
        if self._hover is not None:
            self._hover = None
            self.tooltip = None
            self.refresh()

    def on_mouse_down(self, event: events.MouseDown) -> None:
        item = self._item_at(event.x)
        if item is None:
            return
        if item.enabled:
            self.app.simulate_key(item.key)
        else:
            self.app.bell()
