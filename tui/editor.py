"""The external-editor round-trip (`E`): the description goes to a temp file, `$VISUAL`/`$EDITOR` edits
it while the app is suspended, and what comes back is validated and written as one guarded edit."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from typing import TYPE_CHECKING

from store import ValidationError
from store.issues import validate_description

from . import triage

if TYPE_CHECKING:
    from .app import IssuesApp


class EditorActions:
    """Mixin for IssuesApp."""

    def action_edit_external(self: "IssuesApp") -> None:
        issue = self._current()
        if issue is None:
            return
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        # The number is data: only a real integer goes into the file name (text could hold `/../` or NUL).
        fd, path = tempfile.mkstemp(prefix=f"issue-{issue.number if type(issue.number) is int else 'x'}-", suffix=".md")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(issue.description or "")
        command = shlex.split(editor) + [path]
        try:
            try:
                with self.suspend():
                    code = subprocess.call(command)
            except Exception as exc:
                if type(exc).__name__ != "SuspendNotSupported":
                    raise
                code = subprocess.call(command, stdin=subprocess.DEVNULL)
        except OSError as exc:
            self.notify(f"could not run {editor!r}: {exc}", severity="error", markup=False)
            os.unlink(path)
            return
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
        if code != 0:
            self.notify(f"{editor} exited with {code}; description not changed (your text is in {path})",
                        severity="warning", markup=False)
            return
        if text == (issue.description or ""):
            os.unlink(path)
            self.notify("Description unchanged", markup=False)
            return
        try:
            validate_description(text)
        except ValidationError as exc:
            self.notify(f"{exc}; not saved (your text is in {path})", severity="error", markup=False)
            return
        os.unlink(path)
        self.run_op(triage.edit_description(text), "edit", [issue])
