"""The in-process parts of bench/ui_bench.py: (a) another process's commit -> the change on screen, and
(e) a key press -> the committed write visible in the row. The app runs headless here (`run_test`)."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from ui_setup import CSS, ENV, ROOT


# -- (a) commit -> screen ---------------------------------------------------------------------------
WRITER = r"""
import json, sys, time
from store import Store
s = Store.open(sys.argv[1], create=False, actor="bench:writer")
open_desc = [r[0] for r in s.conn.execute(
    "SELECT number FROM issues WHERE status = 'open' ORDER BY number DESC LIMIT 200")]
print(json.dumps({"ready": True}), flush=True)
for line in sys.stdin:
    cmd = json.loads(line)
    if cmd["op"] == "quit":
        break
    if cmd["op"] == "complete":
        number = open_desc.pop(0)
        issue = s.get_issue_by_number(number)
        ok = s.complete_issue(issue.id)
    else:  # claim the first ready issue
        issue = s.get_next_ready_issue()
        ok = s.claim_issue(issue.id, "bench-run")
    t = time.time()
    print(json.dumps({"t": t, "id": issue.id, "ok": ok}), flush=True)
s.close()
"""


async def commit_latency(path: Path, commits: int) -> dict[str, list[float]]:
    from tui.app import IssuesApp

    seen: dict[str, float] = {}

    class Probe(IssuesApp):
        CSS_PATH = CSS
        target: tuple[str, bool] | None = None  # (issue id, should be present)

        def on_source_loaded(self, msg) -> None:  # runs before IssuesApp.on_source_loaded (MRO dispatch)
            count = self.load_count
            self.call_after_refresh(self._check, count)

        def _check(self, before: int) -> None:
            if self.target is None or self.load_count <= before:
                return
            issue_id, present = self.target
            rows = {i.id for i in self.query_one("IssueList").rows}
            if (issue_id in rows) == present and issue_id not in seen:
                seen[issue_id] = time.time()

    app = Probe(path, watch=True)
    results: dict[str, list[float]] = {"complete": [], "claim": []}
    load_ms: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await asyncio.sleep(0.01)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-c", WRITER, str(path), env=ENV, cwd=str(ROOT),
                                                    stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
        assert json.loads(await proc.stdout.readline()) == {"ready": True}

        async def one(op: str, present: bool) -> None:
            proc.stdin.write((json.dumps({"op": op}) + "\n").encode())
            await proc.stdin.drain()
            reply = json.loads(await proc.stdout.readline())
            assert reply["ok"], reply
            app.target = (reply["id"], present)
            deadline = time.monotonic() + 5
            while reply["id"] not in seen and time.monotonic() < deadline:
                await asyncio.sleep(0.002)
            if reply["id"] in seen:
                results[op].append((seen[reply["id"]] - reply["t"]) * 1000)
                load_ms.append(app.snapshot.load_ms)
            app.target = None
            await asyncio.sleep(0.15)  # let the burst settle: each commit is measured on its own

        app.set_view("done")
        await pilot.pause(0.3)
        for _ in range(commits):
            await one("complete", True)
        app.set_view("ready")
        await pilot.pause(0.3)
        for _ in range(commits):
            await one("claim", False)
        proc.stdin.write(b'{"op": "quit"}\n')
        await proc.stdin.drain()
        await proc.wait()
    results["load_ms"] = load_ms
    return results


# -- (e) key press -> committed write visible in the row -------------------------------------------------
async def key_latency(path: Path, presses: int) -> tuple[list[float], int]:
    """Press `+`/`-` alternately on the selected issue; time until the row shows the committed value."""
    from store import Store
    from tui.app import IssuesApp
    from tui.widgets.ready_queue import IssueList

    app = IssuesApp(path, watch=True)
    out: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await asyncio.sleep(0.01)
        app.set_view("all")  # priority changes do not move rows in this view
        await pilot.pause(0.5)
        issues = app.query_one(IssueList)
        issues.move_to(50)
        await pilot.pause(0.3)
        check = Store.open(path, read_only=True)
        for n in range(presses):
            issue = issues.current
            key = "minus" if issue.priority_rank < 2 else "plus"
            expected = {"plus": issue.priority_rank - 1, "minus": issue.priority_rank + 1}[key]
            t0 = time.perf_counter()
            app.simulate_key(key)
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                row = issues.current
                if row is not None and row.id == issue.id and row.priority_rank == expected:
                    break
                await asyncio.sleep(0.001)
            elapsed = (time.perf_counter() - t0) * 1000
            committed = check.get_issue_by_id(issue.id)
            if committed.priority_rank == expected:
                out.append(elapsed)
            await asyncio.sleep(0.1)
        check.close()
    # The new-issue form: `n`, the title, then `enter` saves — keys beyond the title text:
    return out, 2
