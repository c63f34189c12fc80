"""The external-editor round-trip (`E`): the description goes to a temp file in $TMPDIR, `$VISUAL` (else
`$EDITOR`, else nano/vi) edits it while the app is suspended, and what comes back is validated and written
as one guarded edit.

Nothing may leave the terminal in the shell: the command is parsed (shlex: `code --wait` works) and found
on disk *before* `App.suspend()`, and everything inside the suspended block is caught (an exception raised
there would skip Textual's resume and the app would never come back). Any failure is one line naming the
editor; the dashboard returns and nothing is written. The temp file's name is built from a sanitised issue
number (the number column can hold any text: `/../`, NUL), always inside $TMPDIR.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping

from store import ValidationError
from store.issues import validate_description

from .lazy import lazy
from .text import visible

triage = lazy("tui.triage")

if TYPE_CHECKING:
    from .app import IssuesApp

FALLBACK_EDITORS = ("nano", "vi")


class EditorError(Exception):
    """The editor cannot be run; the message is one line naming it."""


@dataclass(frozen=True)
class EditorCommand:
    argv: list[str]  # the program (resolved to its path) and its own arguments; the file is appended
    text: str  # as the user wrote it, for messages
    origin: str  # "$VISUAL", "$EDITOR" or "default"

    @property
    def name(self) -> str:
        return f"{visible(self.text, limit=80)!r} ({self.origin})"


def resolve_editor(environ: Mapping[str, str] | None = None) -> EditorCommand:
    """The editor command to run, checked to exist; EditorError (one line) if it cannot start."""
    environ = os.environ if environ is None else environ
    for var in ("VISUAL", "EDITOR"):
        value = environ.get(var, "")
        if value.strip():
            origin = f"${var}"
            break
    else:
        found = next((e for e in FALLBACK_EDITORS if shutil.which(e, path=environ.get("PATH"))), None)
        if found is None:
            raise EditorError("no editor found: set $EDITOR (e.g. EDITOR=nano); nothing written")
        value, origin = found, "default"
    shown = f"{visible(value, limit=80)!r} ({origin})"
    try:
        argv = shlex.split(value)
    except ValueError as exc:
        raise EditorError(f"cannot start editor {shown}: {exc}; nothing written") from None
    if not argv:
        raise EditorError(f"cannot start editor {shown}: empty command; nothing written")
    program = shutil.which(argv[0], path=environ.get("PATH"))
    if program is None or not os.path.isfile(program):
        raise EditorError(f"cannot start editor {shown}: {visible(argv[0], limit=80)} not found or not executable;"
                          " nothing written")
    return EditorCommand([program, *argv[1:]], value, origin)


def safe_name(value: object, limit: int = 24) -> str:
    """A file-name fragment from any stored value: letters, digits, '-' and '_' only, never empty."""
    text = re.sub(r"[^0-9A-Za-z_-]+", "_", str(value))[:limit].strip("_")
    return text or "issue"


def write_temp(number: object, text: str) -> tuple[str, str]:
    """A new private temp file in $TMPDIR holding `text`: (its path, the text as written)."""
    written = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be written as is
    fd, path = tempfile.mkstemp(prefix=f"issue-{safe_name(number)}-", suffix=".md", dir=tempfile.gettempdir())
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(written)
    return path, written


def run_editor(app: "IssuesApp", command: EditorCommand, path: str) -> int | BaseException:
    """Run the editor on `path` with the app suspended; its exit code, or the exception that stopped it.
    Never raises: the app always comes back."""
    from textual.app import SuspendNotSupported

    def call(**kw) -> int | BaseException:
        try:
            return subprocess.call([*command.argv, path], **kw)
        except Exception as exc:  # OSError, ValueError (NUL in an argument), ...
            return exc

    try:
        with app.suspend():
            result = call()
    except SuspendNotSupported:  # headless (tests) or a web driver: run it without the terminal
        result = call(stdin=subprocess.DEVNULL)
    except Exception as exc:  # suspending or resuming the terminal failed
        result = exc
    return result


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


class EditorActions:
    """Mixin for IssuesApp."""

    def action_edit_external(self: "IssuesApp") -> None:
        issue = self._current()
        if issue is None:
            return
        try:
            command = resolve_editor()
        except EditorError as exc:
            self.notify(str(exc), severity="error", markup=False)
            return
        try:
            path, written = write_temp(issue.number, issue.description or "")
        except OSError as exc:
            self.notify(f"cannot write a temp file in {tempfile.gettempdir()}: {exc}; nothing written",
                        severity="error", markup=False)
            return
        result = run_editor(self, command, path)
        if isinstance(result, BaseException):
            _unlink(path)
            self.notify(f"cannot start editor {command.name}: {visible(result, limit=160)}; nothing written",
                        severity="error", markup=False)
            return
        try:
            with open(path, encoding="utf-8", errors="replace", newline="") as fh:
                text = fh.read()
        except OSError as exc:
            self.notify(f"editor {command.name} left no file to read ({exc}); nothing written",
                        severity="error", markup=False)
            return
        if result != 0:
            self.notify(f"editor {command.name} exited with {result}; description not changed (your text is in {path})",
                        severity="warning", markup=False)
            return
        if text == written:
            _unlink(path)
            self.notify("Description unchanged", markup=False)
            return
        try:
            validate_description(text)
        except ValidationError as exc:
            self.notify(f"{exc}; not saved (your text is in {path})", severity="error", markup=False)
            return
        _unlink(path)
        self.run_op(triage.edit_description(text), "edit", [issue])
