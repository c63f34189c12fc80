"""No single value costs the user their screen (issue 8 item 6): what the detail pane draws is bounded.

Textual's Markdown makes one widget per block (a 10,000-character description of 2,500 list items froze the
dashboard for 17-28 s); a 10 MB title took 24 s to select. Timings are in bench/size_bombs.py; here: the
number of widgets and characters drawn is bounded, the rest is shown as plain text, and the UI answers."""

from __future__ import annotations

import sys
from pathlib import Path

from textual.widgets import Input, Markdown, Static

from tui.app import IssuesApp
from tui.widgets.detail import MARKDOWN_BLOCKS, TITLE_LIMIT, DetailPane, markdown_cut
from tuitest_helpers import SIZE, issue_list, list_lines, settle, started, static_text, wait_for

LIST_BOMB = "\n".join(f"- item {n}" for n in range(2_500))


sys.path.insert(0, str(Path(__file__).resolve().parent.parent.parent / "bench"))
from size_bombs import plant  # noqa: E402  (the bench's own planting: a fresh copy of the small fixture)


def test_markdown_cut_bounds_blocks_and_never_cuts_inside_a_fence():
    assert markdown_cut("Fix it.\n\nSecond paragraph.\n- a\n- b") is None
    cut = markdown_cut(LIST_BOMB)
    assert cut is not None and LIST_BOMB[:cut].count("\n- ") + 1 == MARKDOWN_BLOCKS
    assert LIST_BOMB[cut:].startswith(f"- item {MARKDOWN_BLOCKS}")
    fenced = "intro\n\n```\n" + "\n".join(f"- not a list {n}" for n in range(100)) + "\n```\n\n" + \
             "\n\n".join(f"p{n}" for n in range(50))
    cut = markdown_cut(fenced)
    assert cut is not None and fenced[:cut].count("```") == 2, "cut inside the fenced block"
    assert markdown_cut("x" * 50_000) == 8_000  # one huge paragraph: cut by characters


async def test_a_2500_item_description_draws_a_bounded_markdown_and_the_rest_as_plain_text(small_db):
    issue_id = plant(small_db, "description", LIST_BOMB)
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        issue_list(app).select_id(issue_id)
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == issue_id, what="the issue")
        md = detail.query_one("#detail-desc", Markdown)
        await pilot.pause()
        async with md.lock:
            pass
        await settle(pilot)
        blocks = len(md.query("MarkdownBlock"))
        assert blocks <= 4 * MARKDOWN_BLOCKS, f"{blocks} Markdown widgets for one description"
        rest = detail.query_one("#detail-desc-rest", Static)
        assert rest.display
        tail = static_text(rest, width=100)
        assert "- item 2499" in tail and f"- item {MARKDOWN_BLOCKS}\n" in tail
        assert "the rest is shown as plain text" in md.source
        # the UI answers: help opens and closes, the cursor moves, the next issue has no leftover plain part
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "HelpScreen", what="help")
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "HelpScreen", what="help closed")
        await pilot.press("j" if issue_list(app).cursor == 0 else "k")
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id != issue_id, what="another issue")
        await settle(pilot)
        assert not rest.display


async def test_a_10_mb_title_is_cut_in_the_head_the_list_and_the_edit_form(small_db):
    issue_id = plant(small_db, "title", "word " * 2_000_000)
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        lst = issue_list(app)
        lst.select_id(issue_id)
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == issue_id, what="the issue")
        await settle(pilot)
        head = detail.query_one("#detail-head", Static).content
        assert len(head.plain) < TITLE_LIMIT + 400, f"the head holds {len(head.plain):,} characters"
        assert "(title is 10,000,000 characters; showing the first 500)" in head.plain
        assert all(len(line) <= SIZE[0] for line in list_lines(lst))
        await pilot.press("e")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "IssueForm", what="the edit form")
        assert len(app.screen.query_one("#form-title", Input).value) <= 2_001
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen).__name__ != "IssueForm", what="form closed")
        assert app.is_running
