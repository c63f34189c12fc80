"""Demo mode: a realistic issue DB and a simulated autopilot that works it, live.

    python -m tui.demo make PATH
    python -m tui.demo autopilot PATH [--agents N] [--speed S] [--duration SECONDS]

Everything here writes through `store/` like a real agent would (the only raw SQL is a read of the
highest run number already used). This module never imports Textual: the autopilot runs as a
separate process (`spawn_autopilot`), so the dashboard sees another writer on the file, as in real use.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from store import ConflictError, SessionStatus, Store, StoreError

# The seeded data and the seeding live in their own modules; their public names stay importable from here.
from .demo_data import BLOCK_REASONS, ISSUES, PROJECTS, SEED_BLOCK_REASONS  # noqa: F401
from .demo_seed import (MINUTE_NS, STALE_CLAIM_MINUTES, _model_for, _new_issue, _prompt,  # noqa: F401
                        _trajectory, dead_pid, expected_demo_counts, make_demo_db)

DEMO_DB_NAME = "autopilot.db"

# ---------------------------------------------------------------------------------------------------
# The simulated autopilot
# ---------------------------------------------------------------------------------------------------

AGENT_NAMES = ("claude", "codex")
LOW_WATER = 5  # with this few ready issues left for an agent, new ones sometimes get filed


def _max_run_number(path: Path) -> int:
    """Highest `run-<n>` already used in the DB (a plain read; writes all go through the store)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT DISTINCT claimed_by FROM issues WHERE claimed_by LIKE 'run-%' "
                                "UNION SELECT new_value FROM issue_events "
                                "WHERE event_type = 'claimed' AND new_value LIKE 'run-%'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
    best = 0
    for (value,) in rows:
        try:
            best = max(best, int(str(value).split("-", 1)[1]))
        except (ValueError, IndexError):
            pass
    return best


@dataclass
class _Shared:
    stop: threading.Event
    deadline: float | None
    speed: float
    next_run: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list = field(default_factory=list)

    def run_id(self) -> str:
        with self.lock:
            self.next_run += 1
            return f"run-{self.next_run}"

    def stopped(self) -> bool:
        return self.stop.is_set() or (self.deadline is not None and time.monotonic() >= self.deadline)

    def sleep(self, seconds: float) -> bool:
        """Sleep (scaled by speed) unless asked to stop. True if we should stop."""
        seconds = max(seconds / self.speed, 0.01)
        if self.deadline is not None:
            seconds = min(seconds, max(self.deadline - time.monotonic(), 0))
        self.stop.wait(seconds)
        return self.stopped()


class _Agent:
    def __init__(self, index: int, path: Path, shared: _Shared, rng: random.Random) -> None:
        self.name = AGENT_NAMES[index % len(AGENT_NAMES)]
        self.index = index
        self.path = path
        self.shared = shared
        self.rng = rng
        self.store: Store | None = None
        self.session = None
        self.project = None
        self.spent = 0.0
        self.completed = 0
        self.session_target = 0
        self.current = None  # (issue_id, run_id) being worked on

    # -- store calls that must never kill the demo --------------------------------------------
    def _safe(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ConflictError:
            raise
        except StoreError as exc:  # BusyError and friends: note it, back off, carry on
            self.shared.errors.append(exc)
            self.shared.sleep(self.rng.uniform(0.5, 1.5) * self.shared.speed)  # ~1 s, not scaled
            return None

    def _retry(self, fn, *args, **kwargs):
        """Finishing an issue: retry a few times through transient errors, else give the claim back."""
        for _ in range(3):
            result = self._safe(fn, *args, **kwargs)
            if result is not None or self.shared.stopped():
                return result
        if self.current is not None:
            self._safe(self.store.unclaim_issue, self.current[0], actor=self.current[1])
        return None

    def _start_session(self) -> None:
        projects = self._safe(self.store.list_projects) or []
        if not projects:
            self.project = self._safe(self.store.create_project, "openagents", "~/code/openagents",
                                      "Desktop + CLI for autonomous coding agents", "sonnet", 10.0)
            if self.project is None:
                return
        else:
            preferred = sorted(projects, key=lambda p: p.created_at)
            self.project = preferred[self.index % min(len(preferred), 2)]
        self.session = self._safe(self.store.create_session, self.project.id, _prompt(self.project.name, self.name),
                                  _model_for(self.name, self.project.default_model), os.getpid())
        if self.session is not None:
            self._safe(self.store.update_session_trajectory, self.session.id,
                       _trajectory(self.project.path, time.time_ns(), self.rng.randint(100, 999)))
        self.spent = 0.0
        self.completed = 0
        self.session_target = self.rng.randint(3, 8)

    def _end_session(self, status: SessionStatus) -> None:
        if self.session is not None:
            self._safe(self.store.update_session_status, self.session.id, status)
        self.session = None

    def _file_issues(self, count: int, follow_up_of: int | None = None) -> None:
        for _ in range(count):
            spec = _new_issue(self.rng, self.name, follow_up_of)
            self._safe(self.store.create_issue, spec["title"], spec["description"], spec["priority"],
                       spec["issue_type"], spec["agent"], actor=self.session_actor())

    def session_actor(self) -> str:
        return f"autopilot:{self.name}"

    def _work_one(self) -> None:
        waiting = self._safe(self.store.ready_queue, self.name, LOW_WATER + 1)
        if waiting is not None and 0 < len(waiting) <= LOW_WATER and self.rng.random() < 0.4:
            self._file_issues(1)  # new work trickles in, as it does from people and other sessions
        issue = self._safe(self.store.get_next_ready_issue, self.name)
        if issue is None:
            if self.shared.stopped():
                return
            # The queue ran dry (or a read failed): file a few so the demo never goes static.
            self._file_issues(self.rng.randint(2, 4))
            self.shared.sleep(self.rng.uniform(1.0, 2.0))
            return
        run_id = self.shared.run_id()
        if not self._safe(self.store.claim_issue, issue.id, run_id, actor=run_id):
            return  # someone else got it first (or the write failed); take the next one
        self.current = (issue.id, run_id)
        claimed = self._safe(self.store.get_issue_by_id, issue.id)
        if self.shared.sleep(self.rng.uniform(2.0, 6.0)):
            return  # stopping: `_cleanup` releases the claim
        guard = claimed.updated_at if claimed is not None else None
        roll = self.rng.random()
        try:
            if roll < 0.10:
                self._retry(self.store.block_issue, issue.id, self.rng.choice(BLOCK_REASONS),
                            expect_updated_at=guard, actor=run_id)
            else:
                if self._retry(self.store.complete_issue, issue.id, expect_updated_at=guard, actor=run_id):
                    self.completed += 1
                    self.spent += self.rng.uniform(0.05, 0.4)
                    if self.session is not None:
                        self._safe(self.store.update_session_metrics, self.session.id, round(self.spent, 4),
                                   self.completed)
                if roll > 0.90:
                    self._file_issues(1, follow_up_of=issue.number)
        except ConflictError:
            pass  # a person changed the issue while we worked on it: leave it to them
        self.current = None

    def _cleanup(self) -> None:
        """On stop: release the claim we hold (nobody will finish it) and cancel the session."""
        if self.current is not None and self.store is not None:
            try:
                self.store.unclaim_issue(self.current[0], actor=self.current[1])
            except StoreError:
                pass
            self.current = None
        if self.session is not None and self.store is not None:
            try:
                self.store.update_session_status(self.session.id, SessionStatus.CANCELLED)
            except StoreError:
                pass
            self.session = None

    def run(self) -> None:
        try:
            while not self.shared.stopped():
                if self.store is None:
                    try:
                        self.store = Store.open(self.path, create=False, actor=f"autopilot:{self.name}")
                    except StoreError as exc:
                        self.shared.errors.append(exc)
                        self.shared.stop.wait(1.0)
                        continue
                if self.session is None:
                    self._start_session()
                    if self.session is None:
                        continue
                try:
                    self._work_one()
                except StoreError as exc:  # belt and braces: nothing store-related ends the agent
                    self.shared.errors.append(exc)
                    self.shared.stop.wait(1.0)
                if self.shared.stopped():
                    break
                if self.completed >= self.session_target:
                    self._end_session(SessionStatus.FAILED if self.rng.random() < 0.1 else SessionStatus.COMPLETED)
                    if self.shared.sleep(self.rng.uniform(1.0, 3.0)):
                        break
                else:
                    self.shared.sleep(self.rng.uniform(0.5, 1.5))
        finally:
            self._cleanup()
            if self.store is not None:
                try:
                    self.store.close()
                except Exception:
                    pass


def run_autopilot(path: str | os.PathLike, agents: int = 2, speed: float = 1.0,
                  stop_event: threading.Event | None = None, duration: float | None = None,
                  seed: int | None = None) -> list[Exception]:
    """Simulate `agents` autopilots (threads, each with its own connection) working the DB at `path`.

    Runs until `stop_event` is set or `duration` seconds pass (forever if neither), then releases any
    claim it holds, cancels its running sessions and returns the transient store errors it rode out.
    """
    path = Path(path)
    speed = speed if speed and speed > 0 else 1.0
    stop = stop_event or threading.Event()
    deadline = time.monotonic() + duration if duration is not None else None
    shared = _Shared(stop=stop, deadline=deadline, speed=speed, next_run=_max_run_number(path))
    base = random.Random(seed)
    workers = [_Agent(i, path, shared, random.Random(base.random())) for i in range(max(int(agents), 1))]
    threads = [threading.Thread(target=w.run, name=f"demo-agent-{w.name}-{i}", daemon=True)
               for i, w in enumerate(workers)]
    for i, t in enumerate(threads):
        t.start()
        if i + 1 < len(threads) and shared.sleep(0.5):  # stagger the agents a little
            break
    try:
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    return shared.errors


# ---------------------------------------------------------------------------------------------------
# Process management (used by the dashboard)
# ---------------------------------------------------------------------------------------------------

def spawn_autopilot(path: str | os.PathLike, agents: int = 2, speed: float = 1.0) -> subprocess.Popen:
    """Start the simulated autopilot as its own process (own session/process group, output discarded)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.Popen(
        [sys.executable, "-m", "tui.demo", "autopilot", str(path), "--agents", str(int(agents)), "--speed", str(speed),
         "--parent-pid", str(os.getpid())],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env=env, cwd=root,
    )


def stop_autopilot(proc: subprocess.Popen | None, timeout: float = 3.0) -> int | None:
    """Terminate the autopilot process and wait for it; kill it if it is still there after `timeout` s."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            proc.terminate()
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            proc.wait()
    return proc.returncode


def demo_setup(tmpdir: str | os.PathLike | None = None, seed: int | None = None) -> Path:
    """A new temp folder (under `tmpdir` if given) holding a fresh demo DB `autopilot.db`; returns its path."""
    folder = Path(tempfile.mkdtemp(prefix="issues-tui-demo-", dir=tmpdir))
    db = folder / DEMO_DB_NAME
    make_demo_db(db, seed=seed)
    return db


def demo_cleanup(db: str | os.PathLike) -> None:
    """Remove the temp folder `demo_setup` made for `db` (the DB, its -wal/-shm, anything else in it).
    Only a folder that `demo_setup` could have made is removed."""
    folder = Path(db).parent
    if folder.name.startswith("issues-tui-demo-") and Path(db).name == DEMO_DB_NAME:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# python -m tui.demo
# ---------------------------------------------------------------------------------------------------

def _watch_parent(stop: threading.Event, parent: int) -> None:
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.demo", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="write a demo DB to a new file")
    make.add_argument("path")
    make.add_argument("--seed", type=int, default=None)
    auto = sub.add_parser("autopilot", help="run the simulated autopilot against a DB")
    auto.add_argument("path")
    auto.add_argument("--agents", type=int, default=2)
    auto.add_argument("--speed", type=float, default=1.0)
    auto.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    auto.add_argument("--seed", type=int, default=None)
    auto.add_argument("--parent-pid", type=int, default=None,
                      help="exit when this process is no longer our parent (default: the parent at start-up)")
    args = parser.parse_args(argv)

    if args.command == "make":
        try:
            make_demo_db(args.path, seed=args.seed)
        except (FileExistsError, StoreError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(args.path)
        return 0

    if args.agents < 1 or args.speed <= 0:
        parser.error("--agents must be at least 1 and --speed positive")
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    parent = args.parent_pid if args.parent_pid is not None else os.getppid()
    if os.getppid() != parent:
        return 0  # the process that started us is already gone
    threading.Thread(target=_watch_parent, args=(stop, parent), daemon=True, name="parent-watch").start()
    run_autopilot(args.path, agents=args.agents, speed=args.speed, stop_event=stop, duration=args.duration,
                  seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
