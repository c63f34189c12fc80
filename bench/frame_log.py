"""What a started app wrote to its terminal, frame by frame: bench/ui_start.py's starters record every update
Textual hands its driver (`App._display`) with the time it was written, and rebuild each frame's text
afterwards. "The first full screen" is then read off the frames themselves, the same way for the dashboard
and for the bare app, instead of trusting a callback that fires some time around the paint.

Imported by the starter scripts (both of them: it costs the same in each)."""

from __future__ import annotations

import re
import time

from rich.segment import ControlType

# What changes on its own from one second to the next (the status line's clock, a session's elapsed time,
# "3s ago"): masked when a frame is compared with the settled screen.
CLOCKS = re.compile(r"\d+:\d\d(:\d\d)?|\b\d+s ago\b")


def record(app_class) -> list:
    """Patch `app_class._display` to log (time.time(), update) for every frame written; returns the log."""
    log: list = []
    original = app_class._display

    def _display(self, screen, renderable):
        result = original(self, screen, renderable)
        if renderable is not None:
            log.append((time.time(), renderable))
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
    for _t, update in log:
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


def masked(lines: list[str], region=None) -> list[str]:
    """The lines (cut to `region`: x, y, width, height) with the clocks masked."""
    if region is not None:
        x, y, w, h = region
        lines = [line[x:x + w] for line in lines[y:y + h]]
    return [CLOCKS.sub("#", line) for line in lines]


def first_equal(frames: list[list[str]], regions=None) -> int | None:
    """Index of the first frame that already shows what the last one shows (in every region, or in all)."""
    if not frames:
        return None
    areas = regions or [None]
    final = [masked(frames[-1], r) for r in areas]
    for i, frame in enumerate(frames):
        if all(masked(frame, r) == f for r, f in zip(areas, final)):
            return i
    return None
