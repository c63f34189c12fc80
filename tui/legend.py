"""What every symbol and marker the dashboard draws means: shown by `?` and copied into the README.

tests/tui/test_help.py greps the widgets for every non-ASCII symbol and every all-caps marker they draw and
fails if one is missing here, so a new symbol cannot ship without its legend line.
"""

from __future__ import annotations

# (symbol as drawn, where it appears, what it means)
LEGEND: list[tuple[str, str, str]] = [
    ("●", "list, first column", "new: the row changed since the last reload (for a few seconds)"),
    ("✓", "list, first column", "marked with space: bulk actions apply to every marked row"),
    ("⊘", "list, before the title", "blocked (the detail pane shows the reason); `u` unblocks"),
    ("STALE", "list / detail", "claimed more than 15 minutes ago: the claim has expired; `x` releases it"),
    ("urgent", "list, pri column", "bold (red when colours are on); high is yellow, low dim"),
    ("BLOCKED", "detail head", "the issue is blocked"),
    ("expires in", "detail, claim line", "time left on a live claim (yellow under 2 minutes)"),
    ("DEAD", "sessions, status", "the session says running but its process is gone (pid ✗)"),
    ("✓ ✗", "sessions, after the pid", "the process is alive / is gone (checked on this machine)"),
    ("▰▰▱▱▱ 40%", "sessions, spent", "share of the project's budget spent: red from 90 %, yellow from 70 %"),
    ("▁▂▃▄▅▆▇█", "pulse strip", "completions per hour over the last 24 hours, oldest first; █ is the busiest hour"),
    ("▲ ▼", "list header", "the column the view is sorted by, ascending / descending (`s`, or click a header)"),
    ("4:12/15", "list, claim column", "age of a live claim against the 15 minutes after which it goes stale"),
    ("! 3 alerts", "tab line", "alerts raised since the dashboard opened; `!` lists them"),
    ("/h", "sessions, last column", "issues completed per hour of the session"),
    ("∅ →", "detail, history", "old value → new value of a change; ∅ means empty"),
    ("—", "any cell", "no value stored"),
    ("…", "any text", "cut to fit; the detail pane or full screen (enter) shows all of it"),
    ("␛ ␀ ␇ …", "any text", "a control character stored in the text, shown instead of being sent to your terminal"),
    ("<U+202E>", "any text", "an invisible or direction-changing character, shown by its code point"),
    ("⚠", "any value", "a value of the wrong type in the file (e.g. text in a number column), shown as text"),
    ("● live", "status line", "live refresh is on (the time is the last reload); `p` pauses"),
    ("❚❚ paused", "status line", "live refresh is paused; `p` resumes, `r` reloads once"),
    ("READ-ONLY", "status line", "nothing will be written (the reason follows); write keys say why"),
    ("v5 wal", "status line, after the path", "the file's schema version and journal mode"),
    ("auto", "list, before the title; detail", "filed by an agent's anomaly detection by itself (v11 files)"),
    ("█░", "directives pane, directive detail", "a directive's progress: the share of its issues that are done"),
    ("claimed auto", "status line (v11 files), repos pane", "issues holding a claim / filed by an agent itself"),
]

# Keys Textual itself handles (no binding id of ours, so they cannot be remapped in [keymap]).
TEXTUAL_KEYS: list[tuple[str, str]] = [
    ("tab, shift+tab", "move the focus to the next / previous pane (list, detail, projects, sessions)"),
    ("ctrl+c", "copy the selected text (in a text field)"),
    ("ctrl+q", "quit at once"),
]
