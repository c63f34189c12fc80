"""Start-up: the terminal run's first frame as early as it can be, and with the whole screen in it.

Mixin for IssuesApp (before App in the bases). What `run` does before Textual starts, and why:
- the source opens the file and reads the first page (as many rows as the terminal has) on a thread, so
  the first layout already holds the issues (the full page follows right after the first frame);
- the garbage collector waits until the first frame is out: a full pass in the middle of the first layout
  cost ~12 ms (it walks every object the imports made); then what start-up built is frozen out of its passes;
- the stylesheet parse comes from the disk cache (tui/css_cache.py; the dataclass methods from
  tui/code_cache.py, installed by `import tui`), written back after the first frame, off the UI thread.
The first screen is DashboardScreen (tui/screens/dashboard.py: no second styling pass of every widget).
`run_test` does none of this: tests see the app as it always ran.
"""

from __future__ import annotations

import gc
import shutil
import threading

from . import code_cache, css_cache
from .loader import PAGE
from .screens.dashboard import DashboardScreen


class StartUp:
    _css_cache: css_cache.DiskParseCache | None = None

    def get_default_screen(self) -> DashboardScreen:
        return DashboardScreen(id="_default")

    def run(self, *args, **kwargs):
        """The terminal run (not `run_test`)."""
        gc.disable()  # until the first frame is out (`first_frame_done`)
        self._css_cache = css_cache.install(self.stylesheet)
        size = kwargs.get("size") or shutil.get_terminal_size()
        self.source.prefetch(self.query_state.with_(limit=min(PAGE, max(size[1], 24) + 8)))
        try:
            return super().run(*args, **kwargs)
        finally:
            gc.unfreeze()  # (an app run inside a longer process, as the tests do, leaves its collector as it was)
            gc.enable()

    def first_frame_done(self) -> None:
        """After the first frame: the collector back on, and the caches written."""
        if self._css_cache is None:
            return  # not the terminal run (`run_test`): nothing was paused
        gc.freeze()
        gc.enable()
        threading.Thread(target=self.save_start_caches, name="start-up caches", daemon=True).start()

    def save_start_caches(self) -> None:
        """What was parsed or compiled anew (after the first frame, off the UI thread; again on the way out,
        for what came later: dialogs, the description). Each cache writes only when it has something new."""
        if self._css_cache is not None:
            self._css_cache.save()
            code_cache.save()
