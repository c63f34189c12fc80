"""What a started app wrote to its terminal, frame by frame: bench/ui_start.py's starters record every update
Textual hands its driver (`App._display`) with the time it was written and what the widgets held then, and
rebuild each frame's text afterwards. "The first full screen" is the first frame that was drawn from the data
*and* shows it, read off the frames themselves, the same way for the dashboard and for the bare app, instead
of trusting a callback that fires some time around the paint.

Imported by the starter scripts (both of them: it costs the same in each)."""

from __future__ import annotations

import time

from rich.segment import ControlType

def record(app_class, probe=None) -> list:
    """Patch `app_class._display` to log (time.time(), update, probe(app)) for every frame written: `probe`
    reads what the widgets held when the frame was drawn (None without one). Returns the log."""
    log: list = []
    original = app_class._display

    def _display(self, screen, renderable):
        result = original(self, screen, renderable)
        if renderable is not None:
            log.append((time.time(), renderable, probe(self) if probe is not None else None))
        return result

    app_class._display = _display
    return log


def replay(app, log: list) -> list[list[str]]:
    """The screen's text after each logged update (one list of lines per update)."""
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    frames = []
    console = app.console
    options = console.options
    for _t, update, _probe in log:
        x = y = 0
        for segment in update.__rich_console__(console, options):
            if segment.control:
                for code in segment.control:
                    if code[0] == ControlType.CURSOR_MOVE_TO:
                        x, y = code[1], code[2]
                continue
            for ch in segment.text:
                if ch == "\n":
                    x, y = 0, y + 1
                    continue
                if 0 <= y < height and 0 <= x < width:
                    grid[y][x] = ch
                x += 1
        frames.append(["".join(row) for row in grid])
    return frames


def first_shown(frames: list[list[str]], log: list, key: str) -> int | None:
    """Index of the first frame whose probe says `key` was ready and whose text shows every string the probe
    expects on screen then (`<key>_text`): state and pixels both."""
    for i, (frame, (_t, _u, probe)) in enumerate(zip(frames, log)):
        if probe and probe.get(key):
            text = "\n".join(frame)
            if all(s in text for s in probe.get(key + "_text", ())):
                return i
    return None
