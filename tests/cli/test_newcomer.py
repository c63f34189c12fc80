"""Small things a newcomer trips on (issue 9 item 14): plurals, `bench/gen.py --help`, the README's set-up."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from store import Counts
from tui.format import plural
from tui.widgets.view_tabs import tabs_text

ROOT = Path(__file__).resolve().parent.parent.parent


@pytest.mark.parametrize("n,word,expected", [
    (0, "match", "0 matches"), (1, "match", "1 match"), (7, "match", "7 matches"),
    (1, "stale claim", "1 stale claim"), (2, "stale claim", "2 stale claims"), (1234, "issue", "1,234 issues"),
])
def test_count_pluralises(n, word, expected):
    assert plural(n, word) == expected


@pytest.mark.parametrize("total,expected", [(7, "(7 matches)"), (1, "(1 match)"), (0, "(0 matches)")])
def test_filter_line_says_matches(total, expected):
    counts = Counts(open=10, in_progress=0, blocked=0, done=0, stale=0, ready=10, total=10, other=0)
    line = tabs_text("ready", counts, [], "relay", None, None, 0, total)[0].plain
    assert expected in line and not re.search(r"\d match\b", line.replace("1 match", ""))


def test_gen_help_explains_every_option():
    r = subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "--help"], capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0
    lines = r.stdout.splitlines()
    for option in ("path", "n_issues", "--open-frac", "--seed", "--force", "--no-open"):
        i = next(i for i, l in enumerate(lines) if re.match(rf"^  {re.escape(option)}\b", l))
        # argparse prints an argument without help as a bare name: here each has its words, on the line or the next
        words = lines[i].split(None, 1)[1:] if option not in ("--open-frac",) else [lines[i + 1].strip()]
        assert words and len(words[0].split()) >= 3, (option, lines[i])
    assert "example:" in r.stdout and "default 0.3" in r.stdout


def test_readme_first_commands_do_all_the_set_up():
    """A fresh Debian/Ubuntu refuses a bare `pip install` (PEP 668): the README's first commands make a venv."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    commands = [l.split("#", 1)[0].strip() for l in first_block.strip().splitlines()]
    assert commands[0].startswith("python3 -m venv .venv && . .venv/bin/activate && pip install -e .")
    assert commands[0].endswith("issues-tui --demo")
    assert "pip install -e '.[test]'" in commands[1] and "pytest" in commands[1]
    assert commands[1].startswith("python3 -m venv .venv && . .venv/bin/activate"), "the test line sets up alone"
    ci = [l for l in (ROOT / ".ci" / "run").read_text().splitlines() if l.strip() and not l.startswith(("#", "set ", "cd "))]
    assert ci == [commands[1]], "CI runs exactly the README's test command"
    assert re.search(r"Python\s*(≥|>=)\s*3\.11", readme.split("## Use it", 1)[0])
    assert ".venv/" in (ROOT / ".gitignore").read_text().splitlines()
