"""Directives: `<folder of the DB>/directives/*.md` with YAML front matter, read by a strict small parser.
Good files load in the crate's order; each broken file is one problem naming the file, the line and what
is wrong; nothing raises."""

from __future__ import annotations

import os

import pytest

from store.directives import (MAX_BODY_CHARS, MAX_FILE_BYTES, DirectiveError, directives_folder, load_directives,
                              parse_directive)

CRATE_EXAMPLE = """---
id: "d-001"
title: "Test Directive"
status: active
priority: high
created: 2025-12-20
updated: 2025-12-20
---

## Goal

This is the goal.

## Success Criteria

- [ ] Item 1
- [ ] Item 2
"""

# What the crate's Directive::save writes (serde_yaml output: plain scalars, then `---`, blank line, body).
CRATE_SAVED = "---\nid: d-002\ntitle: Add test coverage\nstatus: paused\npriority: urgent\ncreated: 2025-12-21\nupdated: 2025-12-22\n---\n\nBody text.\n"


def test_parses_the_crates_example():
    d = parse_directive(CRATE_EXAMPLE, "d-001.md")
    assert (d.id, d.title, d.status, d.priority, d.created, d.updated) == (
        "d-001", "Test Directive", "active", "high", "2025-12-20", "2025-12-20")
    assert d.body.startswith("## Goal") and "This is the goal." in d.body and d.body.endswith("- [ ] Item 2")


def test_parses_what_the_crate_saves():
    d = parse_directive(CRATE_SAVED, "d-002.md")
    assert (d.id, d.title, d.status, d.priority, d.updated) == ("d-002", "Add test coverage", "paused", "urgent",
                                                                "2025-12-22")
    assert d.body == "Body text."


def test_defaults_quotes_comments_and_unknown_keys():
    text = ("\ufeff\n---\n# a comment\nid: 'd-0''3'\ntitle: \"Tab\\there \\u00e9 \\\"q\\\"\"  # trailing\n"
            "created: 2025-01-02\nowner: someone   # unknown keys are kept, not used\n\n---\nbody")
    d = parse_directive(text, "x.md")
    assert (d.id, d.title, d.status, d.priority, d.updated) == ("d-0'3", 'Tab\there é "q"', "active", "medium", None)
    assert d.extra == {"owner": "someone"}


@pytest.mark.parametrize("text,line,message", [
    ("id: d-1\n", 1, "does not start with a front matter"),
    ("---\nid: d-1\ntitle: t\ncreated: 2025-01-01\n", 1, "no closing `---`"),
    ("---\ntitle: t\ncreated: 2025-01-01\n---\n", 4, "missing `id`"),
    ("---\nid: d-1\ncreated: 2025-01-01\n---\n", 4, "missing `title`"),
    ("---\nid: d-1\ntitle: t\n---\n", 4, "missing `created`"),
    ("---\nid: d-1\ntitle: t\nstatus: done\ncreated: 2025-01-01\n---\n", 4, "status 'done' is not one of"),
    ("---\nid: d-1\ntitle: t\nstatus: Active\ncreated: 2025-01-01\n---\n", 4, "status 'Active'"),
    ("---\nid: d-1\ntitle: t\npriority: critical\ncreated: 2025-01-01\n---\n", 4, "priority 'critical'"),
    ("---\nid: d-1\ntitle: t\ncreated: 2025-02-30\n---\n", 4, "not a real date"),
    ("---\nid: d-1\ntitle: t\ncreated: yesterday\n---\n", 4, "not a date"),
    ("---\nid: d-1\ntitle: t\nupdated: 2025/01/01\ncreated: 2025-01-01\n---\n", 4, "`updated`"),
    ("---\nid: d-1\nid: d-2\ntitle: t\ncreated: 2025-01-01\n---\n", 3, "duplicate key `id`"),
    ("---\nid: d-1\ntitle: Fix: the bug\ncreated: 2025-01-01\n---\n", 3, "may not contain `: `"),
    ("---\nid: d-1\ntitle: |\n  multi\ncreated: 2025-01-01\n---\n", 3, "block (multi-line)"),
    ("---\nid: d-1\ntitle:\n  - a\ncreated: 2025-01-01\n---\n", 4, "indented line"),
    ("---\nid: d-1\ntitle: [a, b]\ncreated: 2025-01-01\n---\n", 3, "lists and maps"),
    ("---\nid: d-1\ntitle: \"open quote\ncreated: 2025-01-01\n---\n", 3, "no closing quote"),
    ("---\nid: d-1\ntitle: \"bad \\q\"\ncreated: 2025-01-01\n---\n", 3, "unknown escape"),
    ("---\nid: d-1\ntitle: 'x' y\ncreated: 2025-01-01\n---\n", 3, "unexpected text after a quoted value"),
    ("---\nid: \"\"\ntitle: t\ncreated: 2025-01-01\n---\n", 2, "`id` is empty"),
    ("---\njust text\n---\n", 2, "expected `key: value`"),
])
def test_broken_front_matter_says_where_and_what(text, line, message):
    with pytest.raises(DirectiveError) as info:
        parse_directive(text, "bad.md")
    assert message in info.value.message
    assert info.value.line == line


def write(folder, name, text):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def good(did, title, priority="medium", created="2025-12-20", status="active", body="Body"):
    return f"---\nid: {did}\ntitle: {title}\nstatus: {status}\npriority: {priority}\ncreated: {created}\n---\n{body}\n"


def test_folder_loads_good_files_in_crate_order_and_reports_broken_ones(tmp_path):
    db = tmp_path / ".openagents" / "autopilot.db"
    folder = directives_folder(db)
    assert folder == tmp_path / ".openagents" / "directives"
    write(folder, "d-003.md", good("d-003", "Low one", priority="low", created="2025-01-01"))
    write(folder, "d-001.md", good("d-001", "High later", priority="high", created="2025-12-02"))
    write(folder, "d-002.md", good("d-002", "High earlier", priority="high", created="2025-12-01"))
    write(folder, "d-004.md", "---\nid: d-004\ntitle: broken\nstatus: finished\ncreated: 2025-01-01\n---\n")
    write(folder, "d-005.md", "no front matter at all")
    (folder / "d-006.md").write_bytes(b"---\nid: d-006\ntitle: \xff\xfe\ncreated: 2025-01-01\n---\n")
    write(folder, "dup.md", good("d-001", "Same id again", priority="low"))
    write(folder, "notes.txt", "ignored: not markdown")
    write(folder, ".d-007.md", "editor backup, ignored")
    (folder / "sub.md").mkdir()
    got = load_directives(folder)
    assert got.exists
    assert [d.id for d in got.directives] == ["d-002", "d-001", "d-003"]
    problems = {p.name: str(p) for p in got.problems}
    assert set(problems) == {"d-004.md", "d-005.md", "d-006.md", "dup.md"}
    assert problems["d-004.md"] == "d-004.md:4: status 'finished' is not one of active, paused, completed"
    assert problems["d-005.md"].startswith("d-005.md:1: does not start with a front matter block")
    assert "not UTF-8" in problems["d-006.md"] and problems["d-006.md"].startswith("d-006.md:3:")
    assert "also used by d-001.md" in problems["dup.md"]
    assert got.by_id("d-003").title == "Low one"


def test_missing_folder_is_empty_not_an_error(tmp_path):
    got = load_directives(tmp_path / "nope")
    assert not got.exists and got.directives == [] and got.problems == []


def test_size_bounds(tmp_path):
    folder = tmp_path / "directives"
    write(folder, "big.md", good("d-1", "big", body="x" * (MAX_FILE_BYTES + 10)))
    write(folder, "long.md", good("d-2", "long body", body="y" * (MAX_BODY_CHARS + 10)))
    got = load_directives(folder)
    assert [str(p) for p in got.problems] == [f"big.md: is larger than {MAX_FILE_BYTES // 1024} KB; not read"]
    long = got.by_id("d-2")
    assert long.truncated and len(long.body) == MAX_BODY_CHARS


def test_unreadable_file_is_a_problem(tmp_path):
    if os.geteuid() == 0:
        # root reads everything: a dangling symlink is the unreadable file instead
        folder = tmp_path / "directives"
        folder.mkdir()
        (folder / "gone.md").symlink_to(tmp_path / "missing-target.md")
    else:
        folder = tmp_path / "directives"
        write(folder, "locked.md", good("d-1", "t"))
        (folder / "locked.md").chmod(0)
    got = load_directives(folder)
    assert len(got.problems) == 1 and "cannot be read" in got.problems[0].message


def test_signature_changes_with_the_files(tmp_path):
    folder = tmp_path / "directives"
    write(folder, "d-1.md", good("d-1", "t"))
    first = load_directives(folder).signature
    assert load_directives(folder).signature == first
    write(folder, "d-1.md", good("d-1", "t2"))
    os.utime(folder / "d-1.md", ns=(1, 1))
    assert load_directives(folder).signature != first
