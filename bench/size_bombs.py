"""Size bombs (issue 8 item 6): no single value costs the user their screen.

    python bench/size_bombs.py [--before] [--timeout 90]

Each case plants one big value in a copy of the small crate fixture and runs the dashboard headless in a
child process (so each gets its own peak RSS): select the issue, time until the detail pane has drawn it
(its Markdown mounted), then press `?` and time until help is on screen (is the UI still answering?).
"now" is the code as it is; with `--before`, the same run also measures "unbounded" (the detail pane's
limits lifted: every Markdown block, the whole title, as before this change), beside it. A child that does
not finish within `--timeout` seconds is reported as "> timeout".
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
OUT = HERE / "out"
FIXTURE = ROOT / "tests" / "fixtures" / "crate-v5-small.db"

CASES = {
    "baseline: a 3-line description": ("description", "Fix it.\n\nSecond paragraph."),
    "10,000-char description, 2,500 list items": ("description", "\n".join("- x" for _ in range(2_500))),
    "20,000-char description, 5,000 list items": ("description", "\n".join("- x" for _ in range(5_000))),
    "1 MB description, 960 paragraphs": ("description", "\n\n".join("0123456789abcdef " * 64 for _ in range(960))),
    "10 MB title": ("title", "T" * 10_000_000),
    "10 MB title of words": ("title", "word " * 2_000_000),
}


def plant(path: Path, column: str, value: str) -> str:
    shutil.copyfile(FIXTURE, path)
    conn = sqlite3.connect(path)
    issue_id = conn.execute("SELECT id FROM issues WHERE status='open' AND ifnull(is_blocked,0)=0 "
                            "ORDER BY number LIMIT 1 OFFSET 3").fetchone()[0]
    conn.execute(f"UPDATE issues SET {column} = ?, priority = 'urgent' WHERE id = ?", (value, issue_id))
    conn.commit()
    conn.close()
    return issue_id


async def child(db: str, issue_id: str, unbounded: bool) -> dict:
    import tui.widgets.detail as detail_mod
    if unbounded:  # the pane as it was: every block as Markdown (up to 20k characters), the whole title
        detail_mod.MARKDOWN_BLOCKS = 10**9
        detail_mod.MARKDOWN_LIMIT = 20_000
        detail_mod.TITLE_LIMIT = 10**9
    from textual.widgets import Markdown
    from tui.app import IssuesApp
    from tui.widgets.detail import DetailPane
    from tui.widgets.ready_queue import IssueList

    app = IssuesApp(db, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        while app.load_count == 0:
            await pilot.pause(0.02)
        await pilot.pause(0.3)
        detail = app.query_one(DetailPane)
        t0 = time.perf_counter()
        app.query_one(IssueList).select_id(issue_id)
        while detail.issue is None or detail.issue.id != issue_id:
            await pilot.pause(0.01)
        md = detail.query_one("#detail-desc", Markdown)
        # Drawn = the Markdown's update (parse in a thread, mount in batches, under md.lock) is over and a
        # frame went out.
        await pilot.pause()
        async with md.lock:
            pass
        await pilot.pause()
        shown = time.perf_counter() - t0
        blocks = len(md.query("MarkdownBlock"))  # every block widget, nested ones included
        t1 = time.perf_counter()
        await pilot.press("question_mark")
        while type(app.screen).__name__ != "HelpScreen":
            await pilot.pause(0.01)
        await pilot.pause()
        help_s = time.perf_counter() - t1
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"shown_s": shown, "help_s": help_s, "rss_mb": rss, "blocks": blocks}


def run_case(db: Path, issue_id: str, unbounded: bool, timeout: float) -> dict | None:
    code = ("import asyncio, json, sys; sys.path.insert(0, sys.argv[1]); import size_bombs as b; "
            "print(json.dumps(asyncio.run(b.child(sys.argv[2], sys.argv[3], sys.argv[4] == '1'))))")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(HERE), str(db), issue_id, "1" if unbounded else "0"],
                              capture_output=True, text=True, timeout=timeout, env=env, cwd=str(ROOT))
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--before", action="store_true", help="also measure the unbounded pane, side by side")
    ap.add_argument("--timeout", type=float, default=90.0, help="seconds before a child is given up on")
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)

    def fmt(r: dict | None, key: str, unit: str = "s") -> str:
        if r is None:
            return f"> {args.timeout:.0f} s"
        return f"{r[key]:.2f} s" if unit == "s" else f"{r[key]:.0f} MB"

    head = "| value | select → drawn (now) | `?` → help (now) | peak RSS (now) | Markdown widgets (now) |"
    sep = "|---|---:|---:|---:|---:|"
    if args.before:
        head += " select → drawn (unbounded) | `?` → help (unbounded) | peak RSS (unbounded) |"
        sep += "---:|---:|---:|"
    print(head)
    print(sep)
    for name, (column, value) in CASES.items():
        db = OUT / "size-bomb.db"
        issue_id = plant(db, column, value)
        now = run_case(db, issue_id, False, args.timeout)
        row = f"| {name} | {fmt(now, 'shown_s')} | {fmt(now, 'help_s')} | {fmt(now, 'rss_mb', 'mb')} | " \
              f"{now['blocks'] if now else '?'} |"
        if args.before:
            issue_id = plant(db, column, value)
            old = run_case(db, issue_id, True, args.timeout)
            row += f" {fmt(old, 'shown_s')} | {fmt(old, 'help_s')} | {fmt(old, 'rss_mb', 'mb')} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
