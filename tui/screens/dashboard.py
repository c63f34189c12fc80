"""The dashboard's own screen (the app's default): Textual's Screen, minus one redundant pass at start-up."""

from __future__ import annotations

from textual import events
from textual.screen import Screen


class DashboardScreen(Screen):
    _resumed = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # The first resume comes right after every widget was mounted — and styled as it was mounted — and asks
        # to style the whole tree again (~7 ms before the first frame, the same result). Later resumes (back
        # from a dialog, a theme change meanwhile) still do.
        # Textual then calls Screen's own handler (it dispatches to every class in the MRO).
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
