"""What the app does with failures: late messages during shutdown, and errors raised in workers."""

from __future__ import annotations

import functools

from textual.css.query import NoMatches


def while_running(handler):
    """Late messages and timers can arrive while the app is shutting down (widgets already gone):
    they have nothing left to update, so they are dropped instead of raising NoMatches."""
    @functools.wraps(handler)
    def wrapper(self, *args, **kwargs):
        try:
            return handler(self, *args, **kwargs)
        except NoMatches:
            if self.is_running and not self._exit:
                raise
    return wrapper
