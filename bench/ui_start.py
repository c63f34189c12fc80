"""bench/ui_bench.py's (b)/(c): a fresh process's start -> first full paint and its peak RSS, for the dashboard
and for the anchor (a bare Textual app), timed the same way."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from ui_setup import CSS, ENV, ROOT


# -- (b)/(c) start -> first paint ----------------------------------------------------------------------
STARTER = r"""
import json, resource, sys, time
t_start = time.time()
from tui.app import IssuesApp
t_import = time.time()

class Once(IssuesApp):
    CSS_PATH = sys.argv[2]
    def on_source_loaded(self, msg):  # runs before IssuesApp.on_source_loaded: check after the repaint that follows it
        self.call_after_refresh(self._done)
    def _done(self):
        if self.load_count >= 1 and not getattr(self, "_reported", False):
            self._reported = True
            rows = len(self.query_one("IssueList").rows)
            self._report = {"paint": time.time(), "start": t_start, "import": t_import, "rows": rows,
                            "load_ms": self.snapshot.load_ms}
            self.exit()

app = Once(sys.argv[1], watch=True)
app.run(headless=True, size=(120, 40))
r = app._report
r["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# VmHWM is this process image's own peak: ru_maxrss also keeps the hiwater mark inherited through fork+exec
# (a child of a 130 MB parent reports >= 130 MB), so VmHWM is the number to trust.
r["hwm_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(r), flush=True)
"""


# The anchor: a bare Textual app (one Static) in a fresh process, timed the same way (Popen -> first paint).
BARE = r"""
import json, resource, sys, time
t_start = time.time()
from textual.app import App
from textual.widgets import Static
t_import = time.time()

class Bare(App):
    def compose(self):
        yield Static("hello")
    def on_mount(self):
        self.call_after_refresh(self._done)
    def _done(self):
        self._report = {"paint": time.time(), "start": t_start, "import": t_import, "rows": 0, "load_ms": 0.0}
        self.exit()

app = Bare()
app.run(headless=True, size=(120, 40))
r = app._report
r["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
r["hwm_kb"] = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps(r), flush=True)
"""


def start_once(path: Path | None) -> dict:
    """One start of the dashboard on `path` (or of the bare Textual app, for None) in a fresh process."""
    t0 = time.time()
    argv = [sys.executable, "-c", STARTER, str(path), CSS] if path is not None else [sys.executable, "-c", BARE]
    out = subprocess.run(argv, env=ENV, cwd=str(ROOT),
                         capture_output=True, text=True, timeout=120)
    t_exit = time.time()
    if out.returncode != 0 or not out.stdout.strip():
        raise RuntimeError(f"starter failed ({out.returncode}): {out.stderr[-2000:]}")
    r = json.loads(out.stdout.strip().splitlines()[-1])
    r["to_paint_ms"] = (r["paint"] - t0) * 1000
    r["to_exit_ms"] = (t_exit - t0) * 1000
    r["interp_ms"] = (r["start"] - t0) * 1000
    r["import_ms"] = (r["import"] - r["start"]) * 1000
    return r
