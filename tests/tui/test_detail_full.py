"""Enter (or f) shows the selected issue's detail full screen; escape (or f) goes back to the list, which
has the focus again, so j/k move the cursor at once."""

from __future__ import annotations

from tui.app import IssuesApp
from tui.widgets.detail import DetailPane
from tuitest_helpers import issue_list, started, wait_for


async def test_enter_and_escape_toggle_full_detail(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await started(pilot)
        selected = issue_list(app).current
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen.maximized, DetailPane))
        assert app.focused is app.query_one(DetailPane)
        assert app.query_one(DetailPane).issue.id == selected.id
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen.maximized is None)
        assert app.focused is issue_list(app)
        await pilot.press("f")
        await wait_for(pilot, lambda: isinstance(app.screen.maximized, DetailPane))
        await pilot.press("f")
        await wait_for(pilot, lambda: app.screen.maximized is None)
        await pilot.press("j")
        assert issue_list(app).cursor == 1


# -- issue 9 item 4: the full-screen detail fits every width; the side pane opens each issue at its top ----
import pytest  # noqa: E402

from store import Store  # noqa: E402
from tuitest_helpers import screen_lines, settle  # noqa: E402

WORDS = ("alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa "
         "quebec romeo sierra tango uniform victor whiskey xray yankee zulu ").split()


@pytest.mark.parametrize("width", [60, 80, 120, 200])
async def test_full_detail_fits_the_width_with_its_right_border(small_db, width):
    with Store.open(small_db, create=False) as s:
        issue = s.create_issue(" ".join(WORDS * 3)[:190], description=" ".join(WORDS * 12), priority="urgent")
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(width, 30)) as pilot:
        await started(pilot)
        issue_list(app).select_id(issue.id)
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == issue.id)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen.maximized, DetailPane))
        await settle(pilot)
        await pilot.pause(0.2)
        lines = screen_lines(app)
        assert detail.region.width == width, f"the detail is {detail.region.width} wide on a {width}-column screen"
        assert lines[0].startswith("╭") and lines[0].rstrip().endswith("╮"), lines[0]
        assert len(lines[0].rstrip()) == width, f"top border {len(lines[0].rstrip())} of {width}"
        body = [line for line in lines[1:] if line.startswith("│")]
        assert body and all(line.rstrip().endswith("│") and len(line.rstrip()) == width for line in body), \
            "\n".join(line for line in body if not line.rstrip().endswith("│"))[:1000]
        # Wrapped by words: every word on screen is whole (no word is cut at the right edge).
        inner = [line[1:-1].strip(" │▁▇█▌▐") for line in body]
        inner = inner[:next((n for n, line in enumerate(inner) if line.startswith("History")), len(inner))]
        words = set(WORDS)
        for line in inner:  # the title and the description (the history cuts long values with … on purpose)
            if "alpha" in line or "zulu" in line or "bravo" in line:
                for token in line.split():
                    assert token in words or not token.isalpha() or token in ("Description", "History"), \
                        f"{token!r} is cut in {line!r}"


async def test_side_detail_opens_each_issue_scrolled_to_its_top(small_db):
    with Store.open(small_db, create=False) as s:
        long = s.create_issue("long one", description="\n\n".join(f"paragraph {n}" for n in range(80)),
                              priority="urgent")
        # the next in the ready order, as long: keeping the scroll position would be possible, and wrong
        s.create_issue("long two", description="\n\n".join(f"section {n}" for n in range(80)), priority="urgent")
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await started(pilot)
        lst = issue_list(app)
        detail = app.query_one(DetailPane)
        lst.select_id(long.id)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == long.id)
        await pilot.pause(0.2)
        detail.scroll_end(animate=False)
        await pilot.pause(0.2)
        assert detail.scroll_y > 0
        await pilot.press("j")
        other = lst.current
        assert other.title == "long two"
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == other.id, what="next issue")
        await pilot.pause(0.2)
        assert detail.scroll_y == 0, "the next issue must open at its top"
        assert "#" in detail.query_one("#detail-head").content.plain.split("\n")[0]
