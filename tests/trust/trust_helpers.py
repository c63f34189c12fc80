"""Shared helpers for the trust tests: hostile payloads planted in a copy of a fixture DB, a parser for the
escape sequences in a raw terminal stream, a pseudo-terminal runner for the real app, and file hashing.

Everything works from a fresh clone: fixtures are copied from tests/fixtures to tmp_path.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import time
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Callable

from pty_helpers import PtyProcess

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"

# -- hostile payloads ------------------------------------------------------------------------------
MARKUP = "[/] [bold]b[/bold] [link=https://evil.example/m]L[/link] [@click=app.quit]Q[/]"
OSC_TITLE = "\x1b]0;pwned\x07"                       # set the window title
OSC52 = "\x1b]52;c;cHduZWQ=\x07"                     # write the clipboard ("pwned" in base64)
OSC8 = "\x1b]8;;https://evil.example/o\x1b\\link\x1b]8;;\x1b\\"  # hyperlink
CSI = "\x1b[31mRED\x1b[0m\x1b[2J\x1b[?1049l"
DCS = "\x1bPpwned-dcs\x1b\\"
C1 = "\x9b2J\x9d0;pwned-c1\x9c\x90q\x9c"            # 8-bit CSI, OSC, ST, DCS
TRICKS = "nul\x00 rtl\u202eevil-rtl\u202c zw\u200bj bel\x07 bs\x08 cr\r del\x7f"
HOSTILE = f"H {OSC_TITLE} {OSC52} {OSC8} {CSI} {DCS} {C1} {MARKUP} {TRICKS}"
# What must never appear inside an escape sequence that reaches the terminal.
MARKERS = ("pwned", "cHduZWQ=", "evil")
# The literal (made visible) forms the screen must show.
SHOWN_OSC_TITLE = "␛]0;pwned␇"
SHOWN_OSC52 = "␛]52;c;cHduZWQ=␇"
# Invalid UTF-8 (0xff, a lone 0x80, an encoded surrogate U+D800) written into a TEXT column.
BAD_UTF8_HEX = "4241445f55544638ff80eda080"  # "BAD_UTF8" + garbage

LONG_TITLE = ("L " + OSC_TITLE + " " + MARKUP + " ") + "x" * 10_000
BIG_DESCRIPTION = HOSTILE + "\n\n" + ("0123456789abcdef " * 64 + "\n") * 960  # ~1 MB


def copy_fixture(tmp_path: Path, name: str = "crate-v5-small.db", as_name: str | None = None) -> Path:
    dst = tmp_path / (as_name or name)
    shutil.copyfile(FIXTURES / name, dst)
    return dst


def plant_hostile(path: Path) -> dict[str, str]:
    """Put hostile text in every text field of a copy of the small fixture (raw sqlite3, as an agent could).

    Returns ids: the ready-queue head (hostile title/description/agent), a blocked one (reason, 10k title),
    an in-progress one (claimed_by), the invalid-UTF-8 one, one with a hostile status."""
    conn = sqlite3.connect(path)
    try:
        ready = [r[0] for r in conn.execute(
            "SELECT id FROM issues WHERE status='open' AND ifnull(is_blocked,0)=0 ORDER BY number")]
        blocked = conn.execute("SELECT id FROM issues WHERE status='open' AND is_blocked=1 ORDER BY number").fetchone()[0]
        claimed = conn.execute("SELECT id FROM issues WHERE status='in_progress' ORDER BY number").fetchone()[0]
        head, bad, weird = ready[0], ready[1], ready[2]
        conn.execute("UPDATE issues SET title=?, description=?, agent=?, priority='urgent' WHERE id=?",
                     ("T " + HOSTILE, BIG_DESCRIPTION, "A" + OSC_TITLE + MARKUP, head))
        conn.execute("UPDATE issues SET title=?, blocked_reason=? WHERE id=?", (LONG_TITLE, "R " + HOSTILE, blocked))
        conn.execute("UPDATE issues SET claimed_by=?, title=? WHERE id=?", ("C " + HOSTILE, "claimed " + OSC52, claimed))
        conn.execute(f"UPDATE issues SET title=CAST(x'{BAD_UTF8_HEX}' AS TEXT), "
                     f"description=CAST(x'{BAD_UTF8_HEX}' AS TEXT), priority='urgent' WHERE id=?", (bad,))
        conn.execute("UPDATE issues SET status=?, title=? WHERE id=?", ("S" + OSC_TITLE + "[/]", "weird status " + MARKUP, weird))
        conn.execute("UPDATE projects SET name=?, path=?, default_model=?, description=? WHERE rowid=(SELECT min(rowid) FROM projects)",
                     ("P " + HOSTILE, "/p/" + OSC52 + MARKUP, "M" + OSC_TITLE, HOSTILE))
        conn.execute("UPDATE sessions SET prompt=?, model=?, trajectory_path=? WHERE rowid IN (SELECT rowid FROM sessions LIMIT 2)",
                     ("prompt " + HOSTILE, "model " + OSC_TITLE + "[/]", "/t/" + OSC52))
        conn.execute("UPDATE issue_events SET actor=?, old_value=?, new_value=?", ("E" + OSC_TITLE, MARKUP, OSC52))
        conn.commit()
    finally:
        conn.close()
    return {"head": head, "blocked": blocked, "claimed": claimed, "bad_utf8": bad, "weird": weird}


# Payloads for columns that are not TEXT (SQLite keeps text and blobs in INTEGER/REAL columns too).
NUM_OSC52 = "\x1b]52;c;cHduZWQ=\x07"                  # clipboard write
NUM_TITLE_REPORT = "\x1b]2;cy pwned\x07\x1b[21t"      # set the title, then ask the terminal to type it back
NUM_CLEAR = "\x1b[2J pwned"                            # clear the screen
SHOWN_NUM_OSC52 = "⚠␛]52;c;cHduZWQ=␇"
SHOWN_NUM_TITLE = "⚠␛]2;cy pwned␇␛[21t"
SHOWN_NUM_CLEAR = "⚠␛[2J pwned"


def plant_hostile_types(path: Path) -> dict[str, str]:
    """Wrong-typed values in every non-TEXT column an agent could write (raw sqlite3): escape sequences in
    `issues.number` and `sessions.pid`, words, blobs, Inf and fractions in budgets, counts and flags.

    Returns ids: three ready issues whose number holds an escape sequence (osc52, title, clear), one whose
    number is a blob, one whose number is 1.5, and the session ids changed."""
    conn = sqlite3.connect(path)
    try:
        ready = [r[0] for r in conn.execute(
            "SELECT id FROM issues WHERE status='open' AND ifnull(is_blocked,0)=0 ORDER BY number")]
        ids = dict(zip(("osc52", "title", "clear", "blob", "frac", "inf"), ready))
        for key, value in (("osc52", NUM_OSC52), ("title", NUM_TITLE_REPORT), ("clear", NUM_CLEAR),
                           ("frac", 1.5), ("inf", float("inf"))):
            conn.execute("UPDATE issues SET number=?, priority='urgent' WHERE id=?", (value, ids[key]))
        conn.execute("UPDATE issues SET number=X'1b5d323b626c6f622070776e656407', priority='urgent', "
                     "is_blocked='abc', created_at=X'1b5b324a' WHERE id=?", (ids["blob"],))
        conn.execute("UPDATE issues SET created_at=12345, updated_at=X'00' WHERE id=?", (ids["frac"],))
        sessions = [r[0] for r in conn.execute("SELECT id FROM sessions ORDER BY rowid")]
        ids["sessions"] = sessions
        conn.execute("UPDATE sessions SET status='running', pid=?, budget_spent='abc', issues_completed='many' "
                     "WHERE id=?", (NUM_OSC52, sessions[0]))
        conn.execute("UPDATE sessions SET status='running', pid=X'1b5b324a', budget_spent=?, issues_completed=9e999 "
                     "WHERE id=?", (NUM_TITLE_REPORT, sessions[1]))
        conn.execute("UPDATE sessions SET pid=2.5, budget_spent=9e999, issues_completed=? WHERE id=?",
                     (NUM_CLEAR, sessions[2]))
        conn.execute("UPDATE projects SET default_budget=? WHERE rowid IN (SELECT rowid FROM projects LIMIT 2)",
                     ("ten" + NUM_OSC52,))
        conn.execute("UPDATE issue_events SET old_value=X'1b5b324a', created_at=7 WHERE rowid IN "
                     "(SELECT rowid FROM issue_events LIMIT 3)")
        conn.commit()
    finally:
        conn.close()
    return ids


# -- terminal stream parsing ---------------------------------------------------------------------------
# On the decoded stream (UTF-8 with surrogateescape: a raw 0x9b byte that is not part of a character
# becomes U+DC9B, a real U+009B code point stays U+009B).
_ESC_SEQ = re.compile(
    r"\x1b\[[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"          # CSI
    r"|\x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c|$)"       # OSC ... BEL / ST
    r"|\x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c|$)"            # DCS / SOS / PM / APC ... ST
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]"                         # two-char escapes (ESC 7, ESC =, ESC ( B ...)
    r"|[\x9b\udc9b][\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]"    # 8-bit CSI
    r"|[\x9d\udc9d\x90\udc90\x98\udc98\x9e\udc9e\x9f\udc9f][^\x07\x9c\udc9c]*(?:\x07|\x9c|\udc9c|$)"  # 8-bit OSC/DCS/...
    , re.S)
_C1 = re.compile("[\x80-\x9f\udc80-\udc9f]")


def decode_stream(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def escape_sequences(text: str) -> list[str]:
    return _ESC_SEQ.findall(text)


def strip_sequences(text: str) -> str:
    return _ESC_SEQ.sub("", text)


def c1_controls(text: str) -> list[str]:
    """Raw C1 code points / undecodable C1 bytes in the stream (Textual itself never sends 8-bit controls)."""
    return _C1.findall(text)


# -- the real app under a pseudo-terminal ---------------------------------------------------------------
APP_CODE = ("import sys; from tui.app import IssuesApp; "
            "IssuesApp(sys.argv[1], watch=False, read_only=len(sys.argv) > 2).run()")


class PtyApp(PtyProcess):
    """`python -c APP_CODE path` with a pty as its terminal; a thread collects every byte it writes."""

    def __init__(self, db: Path, cols: int = 200, rows: int = 50, read_only: bool = False,
                 answer_title_reports: bool = False) -> None:
        """`answer_title_reports`: behave like a terminal that answers `ESC[21t` (report the window title) by
        typing `ESC]l<title>ESC\\` back, so a leaked request would turn the title into key presses."""
        self.answer_title_reports = answer_title_reports
        self.reports_answered = 0
        self._title = b""
        self._scanned = 0
        env = dict(COLORTERM="truecolor", HOME=str(db.parent), XDG_CONFIG_HOME=str(db.parent / "xdg"))
        super().__init__(APP_CODE, str(db), *(["ro"] if read_only else []), env=env, cols=cols, rows=rows)

    def _received(self) -> None:
        if self.answer_title_reports:
            self._answer()

    def _answer(self) -> None:
        """Answer each `ESC[21t` that ended in the bytes just read (called with the lock held)."""
        start = max(self._scanned - 4096, 0)
        recent = bytes(self.raw[start:])
        for m in re.finditer(rb"\x1b\][02];([^\x07\x1b]*)(?:\x07|\x1b\\)|\x1b\[21t", recent):
            if m.group(1) is not None:
                self._title = m.group(1)
            elif start + m.end() > self._scanned:
                self.reports_answered += 1
                try:
                    os.write(self.master, b"\x1b]l" + self._title + b"\x1b\\")
                except OSError:
                    pass
        self._scanned = len(self.raw)


def press_keys_then_quit(app: "PtyApp", keys: list[str], pause: float = 0.12) -> int | None:
    """Type `keys` (a lone ESC gets room: under load "ESC" + the next key read together is alt+key), check the
    app survives each, then `q`; returns the exit status (the process is killed if it hangs)."""
    from_text = lambda: strip_sequences(app.text())[-3000:]  # noqa: E731
    try:
        for key in keys:
            app.send(key, 0.6 if key == "\x1b" else pause)
            assert app.alive(), f"the app exited after {key!r}:\n" + from_text()
        time.sleep(0.3)
        assert app.alive(), "the app exited before q"
        app.send("q", 0.3)
        return app.close()
    finally:
        if app.alive():
            app.proc.kill()
            app.close()



def type_through(app: "PtyApp", shown: str, keys: list[str], pause: float = 0.12,
                 what: str = "the planted text") -> tuple[str, str]:
    """Wait until `shown` is on screen, type `keys` then `q` (press_keys_then_quit): the app exits 0. The process
    is killed whatever fails. Returns everything it wrote, as written and with the escape sequences stripped."""
    try:
        assert app.wait_for_text(shown), f"{what} never showed:\n" + strip_sequences(app.text())[-3000:]
        code = press_keys_then_quit(app, keys, pause)
    finally:
        if app.alive():
            app.proc.kill()
            app.close()
    assert code == 0, f"exit status {code}"
    text = app.text()
    return text, strip_sequences(text)

# -- files --------------------------------------------------------------------------------------------------
def folder_hashes(folder: Path) -> dict[str, str]:
    out = {}
    for p in sorted(folder.iterdir()):
        if p.is_file():
            out[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
        elif p.is_dir():
            out[p.name + "/"] = "dir"
    return out


def wait_until(predicate: Callable[[], bool], timeout: float = 8.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


# -- waiting on a running app (pilot) -----------------------------------------------------------------
async def until(pilot, predicate, timeout=8.0, what="condition"):
    """Let the app run until `predicate()` holds (poll every 50 ms); fail with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause()


async def settled(pilot):
    """The first snapshot is applied and no load is pending."""
    app = pilot.app
    await until(pilot, lambda: app.load_count > 0 and app._applied_generation >= app._generation
                and not any(w.group in ("load", "open") and not w.is_finished for w in app.workers), what="load")


WIDE = (220, 50)  # the dashboard tests' screen: every column and pane shown


@asynccontextmanager
async def dashboard(db, *, size: tuple[int, int] = WIDE, watch: bool = False, notifications: bool = True):
    """The dashboard on `db` running headless (no folder watch unless `watch`), first load applied: (app, pilot)."""
    from tui.app import IssuesApp  # here, not at the top: the PTY-only tests need no Textual import

    app = IssuesApp(db, watch=watch)
    async with app.run_test(size=size, notifications=notifications) as pilot:
        await settled(pilot)
        yield app, pilot


async def open_screen(pilot, key: str, screen_name: str, what: str) -> None:
    """Press `key` and wait until the screen on top is a `screen_name` (by class name)."""
    await pilot.press(key)
    await until(pilot, lambda: type(pilot.app.screen).__name__ == screen_name, what=what)


async def close_screen(pilot, key: str, screen_name: str, what: str) -> None:
    """Press `key` and wait until the `screen_name` on top is gone."""
    await pilot.press(key)
    await until(pilot, lambda: type(pilot.app.screen).__name__ != screen_name, what=what)
