"""Helpers shared by the tests in tests/tui (imported by name; tests/tui is put on sys.path by conftest)."""

from __future__ import annotations

import time
from typing import Callable

from rich.console import Console

from tui.widgets.ready_queue import IssueList

DEADLINE_S = 8.0
SIZE = (120, 40)


async def wait_for(pilot, predicate: Callable[[], bool], timeout: float = DEADLINE_S, what: str = "condition") -> None:
    """Let the app run until `predicate()` holds (poll every 50 ms); fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        if predicate():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.05)


async def wait_loaded(pilot, after: int | None = None, timeout: float = DEADLINE_S) -> int:
    """Wait until app.load_count exceeds `after` (default: its current value); return the new count.

    Also waits for the app to be idle (workers done) so the widgets show that snapshot."""
    app = pilot.app
    start = app.load_count if after is None else after
    await wait_for(pilot, lambda: app.load_count > start, timeout, f"a snapshot after load #{start}")
    await pilot.pause()
    return app.load_count


async def settle(pilot, timeout: float = DEADLINE_S) -> None:
    """Wait until no load is pending: the applied generation caught up with the last request."""
    app = pilot.app
    await wait_for(pilot, lambda: app._applied_generation >= app._generation and not _busy(app), timeout,
                   "the pending loads to finish")
    await pilot.pause()


def _busy(app) -> bool:
    return any(w.group in ("load", "open") and not w.is_finished for w in app.workers)


async def started(pilot) -> None:
    """The first snapshot is on screen."""
    await wait_for(pilot, lambda: pilot.app.load_count > 0, what="the first snapshot")
    await settle(pilot)


async def view(pilot, key: str, name: str) -> None:
    """Press a view key and wait until that view's snapshot is on screen."""
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: app.snapshot.query.view == name, what=f"the {name} view")
    await settle(pilot)


def numbers(app) -> list[int]:
    return [i.number for i in app.query_one(IssueList).rows]


def issue_list(app) -> IssueList:
    return app.query_one(IssueList)


def list_lines(widget) -> list[str]:
    """Every visible line of a Line-API widget as plain text (segment texts joined)."""
    return ["".join(seg.text for seg in widget.render_line(y)) for y in range(widget.size.height)]


def rich_to_text(renderable, width: int = 200) -> str:
    console = Console(record=True, width=width, color_system=None, force_terminal=False)
    console.print(renderable)
    return console.export_text()


def static_text(widget, width: int = 200) -> str:
    """What a Static shows, as plain text (its content - Text, Table, str - rendered by a recording Console)."""
    content = widget.content
    if isinstance(content, str):
        return content
    return rich_to_text(content, width)


def screen_lines(app) -> list[str]:
    """The whole screen as the terminal would get it (text of every segment of a full compositor update)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return ["".join(seg.text for seg in strip) for strip in update.strips]


# -- another process writing the file ----------------------------------------------------------------
WRITER_CODE = r"""
import json, sys
from store import Store
s = Store.open(sys.argv[1], create=False, actor="test:writer")
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    op = cmd.pop("op")
    try:
        if op == "create":
            i = s.create_issue(**cmd)
            out = {"id": i.id, "number": i.number}
        elif op == "claim":
            out = {"ok": s.claim_issue(s.get_issue_by_number(cmd["number"]).id, cmd.get("run", "run-test"))}
        elif op == "complete":
            out = {"ok": s.complete_issue(s.get_issue_by_number(cmd["number"]).id)}
        elif op == "quit":
            break
        else:
            out = {"error": "unknown op " + op}
    except Exception as exc:
        out = {"error": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(out), flush=True)
s.close()
"""


class Writer:
    """A separate Python process holding its own Store on `path`; `call(op, **args)` runs one write there."""

    def __init__(self, path) -> None:
        import json
        import os
        import subprocess
        import sys
        from pathlib import Path

        root = Path(__file__).resolve().parent.parent.parent
        env = dict(os.environ, PYTHONPATH=str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        self._json = json
        self.proc = subprocess.Popen([sys.executable, "-c", WRITER_CODE, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env, cwd=str(root))
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def call(self, op: str, **args) -> dict:
        self.proc.stdin.write(self._json.dumps({"op": op, **args}) + "\n")
        self.proc.stdin.flush()
        out = self._json.loads(self.proc.stdout.readline())
        assert "error" not in out, out
        return out

    def close(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.write('{"op": "quit"}\n')
                self.proc.stdin.flush()
            except OSError:
                pass
            try:
                self.proc.wait(5)
            except Exception:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> "Writer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


NO_POLL_S = 3600.0  # tests that drive every load themselves: nothing reloads behind their back


def record_notes(app):
    """`app.notes` collects every notification as (message, severity); returns the app."""
    app.notes = []
    original = app.notify

    def notify(message, *args, **kwargs):
        app.notes.append((str(message), kwargs.get("severity", "information")))
        return original(message, *args, **kwargs)

    app.notify = notify
    return app


def quiet_app(path, **kw):
    """An IssuesApp on `path` with no watch and no poll, recording its notifications (see record_notes)."""
    from tui.app import IssuesApp
    from tui.config import Config

    kw.setdefault("config", Config(poll_seconds=NO_POLL_S))
    return record_notes(IssuesApp(path, watch=False, **kw))


async def select_number(pilot, number: int) -> None:
    """Select issue #number (in the current view if it is there, else in "all") and wait for it."""
    app = pilot.app
    app.goto_number(number)
    await wait_for(pilot, lambda: issue_list(app).current is not None and issue_list(app).current.number == number
                   and app.query_state.selected_id == issue_list(app).current.id, what=f"#{number} selected")
    await settle(pilot)
