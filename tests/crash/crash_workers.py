"""Writers the kill -9 tests start as separate processes and kill at a random moment.

    python tests/crash/crash_workers.py store DB [IMPORT_FILE ...]   hammer the store in a loop
    python tests/crash/crash_workers.py dashboard DB                 IssuesApp headless, scripted triage

Each prints READY once it is writing, then loops until killed.
"""

from __future__ import annotations

import asyncio
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from store import ConflictError, Store, StoreError  # noqa: E402


def hammer(db: str, import_files: list[str]) -> None:
    rng = random.Random(os.getpid() ^ time.time_ns())
    store = Store.open(db, create=False, actor=f"hammer:{os.getpid()}")
    pending = list(import_files)
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        roll = rng.random()
        try:
            if pending and roll < 0.06:
                store.import_json(Path(pending.pop(0)).read_text(), actor="hammer-import")
            elif roll < 0.35:
                store.create_issue(f"hammer {os.getpid()}-{n}", "x" * rng.randint(0, 400),
                                   rng.choice(["urgent", "high", "medium", "low"]), actor="hammer")
            elif roll < 0.60:
                issue = store.get_next_ready_issue()
                if issue is not None:
                    store.claim_issue(issue.id, f"run-h{n}")
            elif roll < 0.75:
                rows = store.list_view("in_progress", limit=50)
                if rows:
                    store.complete_issue(rng.choice(rows).id)
            elif roll < 0.85:
                rows = store.list_view(rng.choice(["ready", "in_progress"]), limit=50)
                if rows:
                    store.block_issue(rng.choice(rows).id, f"blocked by hammer {n}")
            elif roll < 0.90:
                rows = store.list_view("blocked", limit=50)
                if rows:
                    store.unblock_issue(rng.choice(rows).id)
            elif roll < 0.95:
                rows = store.list_view("in_progress", limit=50)
                if rows:
                    store.unclaim_issue(rng.choice(rows).id)
            else:
                rows = store.list_view("ready", limit=50)
                if rows:
                    store.update_issue(rng.choice(rows).id, priority=rng.choice(["urgent", "high", "low"]))
        except ConflictError:
            pass
        except StoreError as exc:
            print(f"store error: {exc}", file=sys.stderr, flush=True)


async def dashboard(db: str) -> None:
    from tui.app import IssuesApp

    rng = random.Random(os.getpid() ^ time.time_ns())
    app = IssuesApp(db, watch=True, cursor_blink=False, actor="tui:crash")
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await pilot.pause(0.05)
        print("READY", flush=True)
        n = 0
        while True:
            n += 1
            if len(app.screen_stack) > 1:
                await pilot.press("escape")
            roll = rng.random()
            if roll < 0.30:
                await pilot.press(rng.choice(["plus", "minus", "1", "2", "3", "4", "t", "u", "o", "z"]))
            elif roll < 0.45:
                await pilot.press(rng.choice(["down", "down", "up", "space", "space", "R", "I", "B", "A"]))
            elif roll < 0.55:
                await pilot.press("b", *"stuck", "enter")
            elif roll < 0.62:
                await pilot.press("c", "y")
            elif roll < 0.65:
                await pilot.press("delete", "y")
            elif roll < 0.70:
                await pilot.press("n", *f"new {n}", "ctrl+s")
            else:
                k = n

                def job(store: Store, k=k, roll=roll):
                    if roll < 0.80:
                        store.create_issue(f"dashboard job {k}", actor="tui:crash")
                    elif roll < 0.90:
                        issue = store.get_next_ready_issue()
                        if issue is not None:
                            store.claim_issue(issue.id, f"run-d{k}")
                    else:
                        rows = store.list_view("in_progress", limit=20)
                        if rows:
                            store.complete_issue(rows[0].id)
                    return None

                app.submit(job)
            await pilot.pause(0.01)


def main(argv: list[str]) -> int:
    kind, db, *rest = argv
    if kind == "store":
        hammer(db, rest)
    elif kind == "dashboard":
        asyncio.run(dashboard(db))
    else:
        raise SystemExit(f"unknown kind {kind}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
