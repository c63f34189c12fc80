"""Snapshot tests of the Directives pane (with a directive shown in the detail) and of a multi-repo list.

Frozen clock, UTC, relative paths, fixed pid liveness, no cursor blink. Every SVG was looked at before it
was accepted."""

from __future__ import annotations

from pathlib import Path

import pytest

from later_schema import execute, make_repo, populate
from store import timestamps
from tui.app import IssuesApp
from tui.config import Config
from tui.sources import specs
from tui.widgets.directives import DirectivesPane

from tuitest_helpers import settle, started, wait_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
from test_snapshots import FROZEN_NS, _stable_env  # noqa: F401  (the frozen clock; UTC, cwd = tmp_path)
D1 = ("---\nid: d-001\ntitle: Ship the v11 dashboard\nstatus: active\npriority: high\ncreated: 2025-12-20\n"
      "updated: 2025-12-24\n---\n## Goal\n\nEvery repo's queue in **one** place.\n\n- [x] counts\n- [ ] directives pane\n")
D2 = "---\nid: d-002\ntitle: Paused work\nstatus: paused\npriority: low\ncreated: 2025-12-21\n---\nLater.\n"
BROKEN = "---\nid: d-003\ntitle: broken\nstatus: finished\ncreated: 2025-12-22\n---\n"


def repo(name: str, version: int) -> Path:
    return make_repo(Path("."), name, version)  # a relative path: the status line shows it as typed


def options(**kw) -> dict:
    return dict(clock=lambda: FROZEN_NS, config=Config(), watch=False, actor="tui:tester",
                pid_alive=lambda pid: pid == 10001, cursor_blink=False, **kw)


def test_directives_pane(snap_compare):
    db = repo("api", 11)
    populate(db, directives={1: "d-001", 2: "d-001", 3: "d-002", 10: "d-001"}, auto={10, 4})
    execute(db, "UPDATE issues SET status = 'done' WHERE number = 2")
    folder = db.parent / "directives"
    folder.mkdir()
    (folder / "d-001.md").write_text(D1)
    (folder / "d-002.md").write_text(D2)
    (folder / "d-003.md").write_text(BROKEN)

    async def select_directive(pilot):
        await started(pilot)
        pane = pilot.app.query_one(DirectivesPane)
        pane.focus()
        pane.highlighted = 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.query_state.directive_id == "d-001")
        await settle(pilot)

    assert snap_compare(IssuesApp(db, **options()), terminal_size=(140, 40), run_before=select_directive)


def test_multi_repo_list(snap_compare):
    paths = [repo("api", 11), repo("web", 6), repo("cli", 5)]
    populate(paths[0], auto={2, 10})

    async def loaded(pilot):
        await started(pilot)
        await wait_for(pilot, lambda: len(pilot.app.source.parts) == 3)
        await settle(pilot)

    app = IssuesApp(paths[0], sources=specs([Path("api"), Path("web"), Path("cli")]), **options())
    assert snap_compare(app, terminal_size=(140, 40), run_before=loaded)
