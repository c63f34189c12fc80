"""The soak's dashboard (bench/soak.py): IssuesApp headless in this process, refreshing live while it triages
(key presses, bursts, marks, blocks, app.submit jobs, view switches); it records each load and each answer."""

from __future__ import annotations

import asyncio
import queue as queue_mod
import random
import time
from collections import Counter
from pathlib import Path


async def run_dashboard(db: Path, agents: list, go, commits, seconds: float, seed: int) -> dict:
    import tui.app
    from store import Store
    from tui.app import IssuesApp

    starts: dict[int, float] = {}
    real_load = tui.live.sqlite.load_snapshot

    def timed_load(store, q):
        t = time.time()
        snap = real_load(store, q)
        starts[id(snap)] = t
        return snap

    tui.live.sqlite.load_snapshot = timed_load
    loads: list[tuple[float, float, float]] = []  # (load started, applied, load_ms)
    write_errors: list[str] = []
    warnings = Counter()

    class SoakApp(IssuesApp):
        CSS_PATH = str(Path(tui.app.__file__).resolve().parent / IssuesApp.CSS_PATH)

        def on_source_loaded(self, msg) -> None:
            before = self.load_count
            super().on_source_loaded(msg)
            if self.load_count > before:
                start = starts.pop(id(msg.snapshot), None)
                if start is not None:
                    loads.append((start, time.time(), msg.snapshot.load_ms))

        def on_write_done(self, msg) -> None:
            if msg.severity == "error":
                write_errors.append(msg.message)
            elif msg.severity == "warning":
                warnings["warnings"] += 1
            super().on_write_done(msg)

    rng = random.Random(seed)
    answers: list[tuple[int, float]] = []  # (keys in the burst, seconds until all written and on screen)
    commit_times: list[float] = []
    lateness: list[float] = []
    app = SoakApp(db, watch=True, cursor_blink=False, actor="tui:soak")
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:  # toasts on, as in a terminal
            t0 = time.monotonic()
            while app.load_count == 0:
                if time.monotonic() - t0 > 60:
                    raise RuntimeError("the dashboard never loaded")
                await pilot.pause(0.05)
            running = True

            async def probe() -> None:
                loop = asyncio.get_running_loop()
                while running:
                    t = loop.time()
                    await asyncio.sleep(0.01)
                    lateness.append(loop.time() - t - 0.01)

            async def drain() -> None:
                while running:
                    try:
                        while True:
                            commit_times.append(commits.get_nowait())
                    except queue_mod.Empty:
                        pass
                    await asyncio.sleep(0.05)

            tasks = [asyncio.create_task(probe()), asyncio.create_task(drain())]
            go.set()
            end = time.monotonic() + seconds
            n = 0
            while time.monotonic() < end:
                n += 1
                if len(app.screen_stack) > 1:
                    send_keys(app, "escape")
                    await asyncio.sleep(0.1)
                roll = rng.random()
                if roll < 0.25:  # a single triage key or a burst of 3-8: time until every write is done and shown
                    k = 1 if rng.random() < 0.4 else rng.randint(3, 8)
                    await answer_time(app, [rng.choice(TRIAGE_KEYS) for _ in range(k)], answers)
                elif roll < 0.35:
                    send_keys(app, rng.choice(TRIAGE_KEYS))
                elif roll < 0.50:
                    send_keys(app, rng.choice(["down", "down", "up", "space", "space", "escape"]))
                elif roll < 0.60:
                    send_keys(app, "b")
                    await asyncio.sleep(0.3)
                    if len(app.screen_stack) > 1:  # the reason prompt is up
                        send_keys(app, *"soak", "enter")
                elif roll < 0.65:
                    send_keys(app, "u")
                elif roll < 0.72:
                    send_keys(app, rng.choice(["R", "R", "R", "I", "B", "A"]))
                elif roll < 0.80:
                    send_keys(app, "r")
                else:
                    k = n

                    def job(store: Store, k=k, pick=rng.random()):
                        rows = store.list_view("ready", limit=40)
                        if not rows:
                            return None
                        target = rows[int(pick * len(rows))]
                        if pick < 0.5:
                            store.block_issue(target.id, f"triage {k}", expect_updated_at=target.updated_at)
                        else:
                            store.update_issue(target.id, priority="low" if pick < 0.75 else "urgent",
                                               expect_updated_at=target.updated_at)
                        return None

                    app.submit(_surface_errors(job, write_errors))
                await asyncio.sleep(rng.uniform(0.1, 0.3))
            # let the agents finish, then give the dashboard a moment to show their last commits
            while any(p.is_alive() for p in agents):
                await pilot.pause(0.2)
            await pilot.pause(1.5)
            running = False
            for t in tasks:
                await t
            try:
                while True:
                    commit_times.append(commits.get_nowait())
            except queue_mod.Empty:
                pass
            final_load_count = app.load_count
            iterations = n
            writes_done = app.writes_done
    finally:
        tui.live.sqlite.load_snapshot = real_load
    return {"loads": loads, "commit_times": commit_times, "lateness": lateness, "write_errors": write_errors,
            "warnings": warnings["warnings"], "load_count": final_load_count, "writes_done": writes_done,
            "iterations": iterations, "answers": answers}


TRIAGE_KEYS = ("plus", "minus", "1", "2", "3", "4", "t")


async def answer_time(app, keys: list[str], sink: list, timeout: float = 15.0) -> None:
    """Send `keys` at once (a burst, as a terminal delivers them) and wait until every write they made is done
    and a snapshot loaded after the last one is on screen: what the user waits for."""
    if len(app.screen_stack) > 1 or app.query_one("IssueList").current is None:
        return
    t0 = time.monotonic()
    writes = app.writes_done
    send_keys(app, *keys)
    while app.writes_done < writes + len(keys):
        if time.monotonic() - t0 > timeout:
            sink.append((len(keys), float("inf"), float("inf")))
            return
        await asyncio.sleep(0.005)
    written = time.monotonic() - t0
    loads = app.load_count
    while app.load_count == loads and time.monotonic() - t0 < timeout:
        await asyncio.sleep(0.005)
    sink.append((len(keys), time.monotonic() - t0, written))


_CHARS = {"plus": "+", "minus": "-", "space": " ", "enter": "\r", "escape": "\x1b", "up": None, "down": None}


def send_keys(app, *keys: str) -> None:
    """Key presses as a terminal delivers them (through the driver), without the pilot's wait-for-idle,
    which under a constant stream of reloads takes up to a second per key."""
    from textual import events

    for key in keys:
        event = events.Key(key, _CHARS.get(key, key if len(key) == 1 else None))
        event.set_sender(app)
        app._driver.send_message(event)


def _surface_errors(job, sink: list):
    """app.submit job wrapper: a StoreError raised in a job is recorded (the app only notifies it)."""
    from store import ConflictError, StoreError

    def run(store):
        try:
            return job(store)
        except ConflictError:
            return None
        except StoreError as exc:
            sink.append(f"{type(exc).__name__}: {exc}")
            raise
    return run
