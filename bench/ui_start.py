"""bench/ui_bench.py's (b)/(c): a fresh process's start -> first full paint and its peak RSS, for the dashboard
and for the anchor (a bare Textual app), timed the same way."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ui_setup import CSS, ENV, HERE, ROOT


# -- (b)/(c) start -> first paint ----------------------------------------------------------------------
# Both starters log every frame written (bench/frame_log.py) and stay SETTLE_S, then rebuild the frames' text.
# The dashboard's "first screen" is the first frame drawn once the first snapshot was applied and the footer
# had its keys, that shows the first key, the first row's number and the start of its title; "every pane" is
# the first frame drawn once the description's Markdown blocks were laid out, the projects pane had its options
# and the sessions pane its rows, and that shows them too. Several files: once every file's rows are merged.
# The bare app's paint is its first frame showing its Static.
SETTLE_S = 1.2

# argv: css, bench dir, settle seconds, width, height, file(s) (several: a multi-repo dashboard).
STARTER = r"""
import json, resource, sys, time
t_start = time.time()
sys.path.insert(0, sys.argv[2])
import frame_log
from tui.app import IssuesApp
t_import = time.time()
from textual.app import App
from tui.text import visible

def probe(app):
    # what the widgets held when a frame was drawn, and the text that frame must then show
    try:
        issues, footer = app.query_one("IssueList"), app.query_one("KeyFooter")
        detail, projects, sessions = app.query_one("DetailPane"), app.query_one("ProjectsPane"), app.query_one("SessionsPane")
    except Exception:
        return None
    keys = footer._items[0]
    page = (app.load_count >= 1 and bool(keys) and app.snapshot is not None
            and (app.multi is None or len(app.multi.parts) == len(paths)))  # several files: every one's rows
    expect = [f" {keys[0].display} {keys[0].description} "] if keys else []
    if page and issues.rows:
        first = issues.rows[0]
        expect.append(f"{first.number} ")
        expect.append(visible(first.title)[:10])
    md = detail._md
    described = (detail.issue is None or not detail._md_text
                 or (md is not None and bool(md.children) and all(c.size.height > 0 for c in md.children)))
    every = page and described and projects.option_count > 0 and sessions._drawn and sessions.size.height > 0
    return {"page": page, "page_text": expect, "every": every, "every_text": expect + ["All projects"]}

log = frame_log.record(App, probe)
paths = sys.argv[6:]

class Once(IssuesApp):
    CSS_PATH = sys.argv[1]
    def on_mount(self):  # runs with IssuesApp.on_mount (Textual calls the handler of every class in the MRO)
        self.set_timer(float(sys.argv[3]), self._finish)
    def on_source_loaded(self, msg):  # (the same: IssuesApp's handler runs too) the first snapshot's read time
        if msg.snapshot is not None and not hasattr(self, "_first_load_ms"):
            self._first_load_ms = msg.snapshot.load_ms
    def _finish(self):
        frames = frame_log.replay(self, log)
        page = frame_log.first_shown(frames, log, "page")
        every = frame_log.first_shown(frames, log, "every")
        self._report = {"paint": log[page][0], "complete": log[every][0], "frames": len(frames),
                        "first_frame": log[0][0], "start": t_start, "import": t_import,
                        "rows": len(self.query_one("IssueList").rows), "total": self.snapshot.total,
                        "load_ms": self._first_load_ms}
        self.exit()

if len(paths) > 1:
    from tui.sources import specs
    app = Once(paths[0], sources=specs(paths), watch=True)
else:
    app = Once(paths[0], watch=True)
app.run(headless=True, size=(int(sys.argv[4]), int(sys.argv[5])))
r = app._report
r["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# VmHWM is this process image's own peak: ru_maxrss also keeps the hiwater mark inherited through fork+exec
# (a child of a 130 MB parent reports >= 130 MB), so VmHWM is the number to trust.
r["hwm_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(r), flush=True)
"""


# The anchor: a bare Textual app (one Static) in a fresh process, timed the same way (Popen -> first frame);
# argv: the screen's width and height (multi_bench.py's anchor runs it at its own size).
BARE = r"""
import json, resource, sys, time
t_start = time.time()
sys.path.insert(0, sys.argv[3])
import frame_log
from textual.app import App
from textual.widgets import Static
t_import = time.time()
log = frame_log.record(App)

class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.set_timer(float(sys.argv[4]), self._finish)
    def _finish(self):
        frames = frame_log.replay(self, log)
        every = next(i for i, frame in enumerate(frames) if any("hello" in line for line in frame))
        self._report = {"paint": log[every][0], "complete": log[every][0], "frames": len(frames),
                        "first_frame": log[0][0], "start": t_start, "import": t_import, "rows": 0, "load_ms": 0.0}
        self.exit()

app = Bare()
app.run(headless=True, size=(int(sys.argv[1]), int(sys.argv[2])))
r = app._report
r["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r["hwm_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(r), flush=True)
"""


def start_once(path: Path | list[Path] | None, size: tuple[int, int] = (120, 40), timeout: float = 120) -> dict:
    """One start of the dashboard on `path` (several: one multi-repo dashboard; None: the bare Textual app)
    in a fresh process, at `size`."""
    if path is None:
        return run_starter([sys.executable, "-c", BARE, *map(str, size), str(HERE), str(SETTLE_S)])
    paths = path if isinstance(path, list) else [path]
    return run_starter([sys.executable, "-c", STARTER, CSS, str(HERE), str(SETTLE_S), *map(str, size),
                        *map(str, paths)], timeout=timeout)


def run_starter(argv: list[str], timeout: float = 120) -> dict:
    """Run a starter script (it prints a JSON report with its `paint`, `start` (and `import`) times); add the
    Popen-relative times in ms."""
    t0 = time.time()
    out = subprocess.run(argv, env=ENV, cwd=str(ROOT), capture_output=True, text=True, timeout=timeout)
    t_exit = time.time()
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"starter failed ({out.returncode}): {out.stderr[-2000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["to_paint_ms"] = (r["paint"] - t0) * 1000
    r["to_exit_ms"] = (t_exit - t0) * 1000
    r["interp_ms"] = (r["start"] - t0) * 1000
    if "complete" in r:
        r["to_complete_ms"] = (r["complete"] - t0) * 1000
        r["to_first_frame_ms"] = (r["first_frame"] - t0) * 1000
    if "import" in r:
        r["import_ms"] = (r["import"] - r["start"]) * 1000
    return r
