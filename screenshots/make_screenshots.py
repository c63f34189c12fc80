"""Regenerate the README's screenshots from the demo data: `python screenshots/make_screenshots.py`.

Writes screenshots/main.svg (the dashboard on the demo DB), screenshots/detail.svg (an issue with
Markdown description and history after some triage), screenshots/demo.svg (the simulated
autopilot at work: claims, sessions spending budget) and screenshots/views.svg (a sorted view and the
pulse strip while the autopilot works).
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tui.app import IssuesApp  # noqa: E402
from tui.demo import make_demo_db, run_autopilot  # noqa: E402
from tui.widgets.ready_queue import IssueList  # noqa: E402

SIZE = (140, 42)


async def wait(pilot, predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the dashboard did not get there in time")
        await pilot.pause(0.05)
    await pilot.pause(0.2)


async def shoot(db: Path) -> None:
    app = IssuesApp(db, watch=True, actor="tui:you", cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.load_count > 0)
        app.save_screenshot(str(HERE / "main.svg"))

        # Some triage on one issue so its history shows: raise priority, then block it.
        issues = app.query_one(IssueList)
        await pilot.press("j", "j")
        await wait(pilot, lambda: issues.current is not None)
        target = issues.current.id
        n = app.writes_done
        await pilot.press("plus")
        await wait(pilot, lambda: app.writes_done > n)
        await pilot.press("b")
        await pilot.pause(0.2)
        await pilot.press(*"waiting on upstream fix", "enter")
        await wait(pilot, lambda: app.writes_done > n + 1)
        app.select_issue(target)
        await wait(pilot, lambda: issues.current is not None and issues.current.id == target)
        await pilot.pause(1.0)
        app.query_one("#detail").scroll_end(animate=False)
        await pilot.pause(0.3)
        app.clear_notifications()
        app.save_screenshot(str(HERE / "detail.svg"))

    stop = threading.Event()
    worker = threading.Thread(target=run_autopilot, args=(db,), kwargs=dict(agents=3, speed=4.0, stop_event=stop),
                              daemon=True)
    worker.start()
    app = IssuesApp(db, watch=True, actor="tui:you", cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait(pilot, lambda: app.load_count > 0)
        await pilot.pause(6.0)
        await pilot.press("I")
        await wait(pilot, lambda: app.snapshot.query.view == "in_progress")
        await pilot.pause(0.5)
        app.save_screenshot(str(HERE / "demo.svg"))
        # Issue 11: Done sorted by completion (newest first), the pulse strip filled by the autopilot's pace.
        await pilot.press("D")
        await wait(pilot, lambda: app.snapshot.query.view == "done")
        app.apply_sort("completed")
        app.apply_sort("completed")  # the same key again: newest first
        await wait(pilot, lambda: app.snapshot.query.sort == ("completed", True))
        app.clear_notifications()
        await pilot.pause(0.5)
        app.save_screenshot(str(HERE / "views.svg"))
    stop.set()
    worker.join(timeout=10)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="issues-tui-shots-") as tmp:
        for var in ("XDG_STATE_HOME", "XDG_CACHE_HOME"):  # the sorts and search index of the shots stay here
            os.environ[var] = str(Path(tmp) / var.lower())
        db = Path(tmp) / "autopilot.db"
        make_demo_db(db, seed=7)
        asyncio.run(shoot(db))
    for name in ("main", "detail", "demo", "views"):
        print(HERE / f"{name}.svg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
