"""What the dashboard remembers between runs: each view's sort. `$XDG_STATE_HOME/issues-tui/state.json`.

A missing, unreadable or malformed file means "nothing remembered" (never an error at start-up); writes
go to a temporary file first and replace the old one, so a crash never leaves half a file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path


def state_path() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "issues-tui" / "state.json"


class State:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or state_path()
        self.data: dict = {}
        self.problem: str | None = None
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(raw, dict):
                self.data = raw
        except FileNotFoundError:
            pass
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            self.problem = f"state file {self.path}: {exc}; starting fresh"

    def sort_for(self, view: str) -> tuple[str, bool] | None:
        value = self.data.get("sort", {}).get(view)
        if (isinstance(value, list) and len(value) == 2 and isinstance(value[0], str)
                and isinstance(value[1], bool)):
            return value[0], value[1]
        return None

    def set_sort(self, view: str, sort: tuple[str, bool] | None) -> None:
        sorts = self.data.setdefault("sort", {})
        if not isinstance(sorts, dict):
            sorts = self.data["sort"] = {}
        if sort is None:
            sorts.pop(view, None)
        else:
            sorts[view] = [sort[0], bool(sort[1])]
        self.save()

    def save(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".state-", dir=self.path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(self.data, fh, indent=1, sort_keys=True)
            os.replace(tmp, self.path)
        except OSError as exc:
            self.problem = f"cannot save {self.path}: {exc.strerror or exc}"
