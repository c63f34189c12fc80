"""Agent-written text renders literally: markup stays text, control characters never reach the terminal."""

from __future__ import annotations

from rich.cells import cell_len

from store import Store
from tui.app import IssuesApp
from tui.widgets.detail import DetailPane
from tuitest_helpers import (issue_list, list_lines, numbers, screen_lines, started, static_text, view,
                             wait_for)

OSC_TITLE = "pwn \x1b]0;pwned\x07 title"
OSC52 = "clip \x1b]52;c;ZWNobyBwd25lZA==\x07 end"
WIDE = (220, 40)  # wide enough that no title here is cut
CLICK = "[@click=app.quit]click me[/] and [link=https://evil.example]link[/]"


async def test_edge_titles_render_literally(edge_db):
    app = IssuesApp(edge_db)
    async with app.run_test(size=WIDE) as pilot:
        await started(pilot)
        lines = list_lines(issue_list(app))
        text = "\n".join(lines)
        assert "Fix [bold red]markup[/] in titles" in text
        assert "日本語のタイトル" in text
        assert "Tab␉and trailing space" in text  # the tab is shown, not expanded
        assert issue_list(app).current.number == 1
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.number == 1, what="#1 in detail")
        assert "Fix [bold red]markup[/] in titles" in static_text(detail.query_one("#detail-head"))
        assert "Fix [bold red]markup[/] in titles" in "\n".join(screen_lines(app))


async def test_edge_long_title_and_codex_agent(edge_db):
    app = IssuesApp(edge_db)
    async with app.run_test(size=WIDE) as pilot:
        await started(pilot)
        await view(pilot, "A", "all")
        lines = list_lines(issue_list(app))
        width = issue_list(app).size.width
        assert all(cell_len(line) == width for line in lines), "every line fills the width exactly"
        assert any("日本語のタイトル" in line for line in lines)
        long_line = next(line for line in lines if "Very long title" in line)
        assert long_line.rstrip().endswith("…")
        assert any(" Codex " in line for line in lines)
        assert "Codex" in app.known_agents()


async def test_control_characters_never_reach_the_terminal(edge_db):
    with Store.open(edge_db, create=False) as s:
        evil = s.create_issue(OSC_TITLE, description="desc \x1b[31mred\x1b[0m \x9b2J", priority="urgent")
        s.create_issue(OSC52, priority="urgent")
        s.create_issue(CLICK, priority="urgent")
    app = IssuesApp(edge_db)
    async with app.run_test(size=WIDE) as pilot:
        await started(pilot)
        assert evil.number in numbers(app)
        lst = issue_list(app)
        lst.select_id(evil.id)
        detail = app.query_one(DetailPane)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == evil.id, what="evil in detail")
        await pilot.pause(0.2)
        lines = list_lines(lst)
        screen = screen_lines(app)
        for line in lines + screen:
            assert "\x1b" not in line and "\x07" not in line and "\x9b" not in line, repr(line)
        text = "\n".join(lines)
        assert "pwn ␛]0;pwned␇ title" in text
        assert "clip ␛]52;c;ZWNobyBwd25lZA==␇ end" in text
        assert CLICK in text  # markup-looking text stays text (no action, no link)
        assert "pwn ␛]0;pwned␇ title" in static_text(detail.query_one("#detail-head"))
        # the click-markup row: select it, the app is still running and shows it verbatim
        click = next(i for i in lst.rows if i.title == CLICK)
        lst.select_id(click.id)
        await wait_for(pilot, lambda: detail.issue is not None and detail.issue.id == click.id, what="click in detail")
        assert CLICK in static_text(detail.query_one("#detail-head"))
        await pilot.click("#detail-head")
        await pilot.pause(0.1)
        assert app.is_running
