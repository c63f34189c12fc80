"""Start-up (issue 9 item 13), what it must keep true while it got faster: the first frame the terminal gets is
already the full screen (the list's first page, the status line and the footer keys); the collector is paused
only until then; the parsed-CSS and compiled-dataclass caches change nothing on screen, are used on the next
start, and are never read when someone else could have written them. Timing is bench/ui_bench.py's."""

from __future__ import annotations

import dataclasses
import gc
import io
import os
from pathlib import Path

import pytest
from rich.console import Console
from textual.app import App

from tui import code_cache, css_cache
from tui.app import IssuesApp
from tui.cache_files import read_private, write_private
from tuitest_helpers import started

CSS = str(Path(__file__).resolve().parents[2] / "tui" / "app.tcss")


def frame_text(renderable, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), record=True, color_system=None, legacy_windows=False)
    console.print(renderable)
    return console.export_text(styles=False)


class FirstFrame(IssuesApp):
    """Runs through `App.run` (the terminal path: prefetch, paused collector, caches) headless, keeps the text
    of the first frame written, and what the collector was doing then and a moment later."""

    CSS_PATH = CSS
    first: str | None = None
    gc_at_first: bool | None = None
    gc_later: bool | None = None

    def _display(self, screen, renderable) -> None:
        if renderable is not None and self.first is None:
            self.first = frame_text(renderable, self.size.width)
            self.gc_at_first = gc.isenabled()
            self.set_timer(0.3, self._later)
        super()._display(screen, renderable)

    def _later(self) -> None:
        self.gc_later = gc.isenabled()
        self.exit()


def run_first_frame(db) -> FirstFrame:
    app = FirstFrame(db, watch=False)
    app.run(headless=True, size=(120, 40))
    assert app.crash is None, app.crash
    return app


def test_the_first_frame_is_the_full_screen(small_db, ready_numbers):
    app = run_first_frame(small_db)
    first = app.first
    assert f"{ready_numbers[0]} " in first and f"{ready_numbers[1]} " in first  # the list's first page
    assert "small.db" in first and "open" in first  # the status line
    for key in ("? Help", "q Quit", "n New", "c Complete", "z Undo", "^p palette"):  # the footer keys
        assert key in first, key


def test_the_collector_is_paused_only_until_the_first_frame(small_db):
    frozen_before = gc.get_freeze_count()
    app = run_first_frame(small_db)
    assert app.gc_at_first is False and app.gc_later is True
    assert gc.isenabled() and gc.get_freeze_count() == frozen_before  # a run leaves the process as it was


async def test_run_test_leaves_the_collector_alone(small_db):
    app = IssuesApp(small_db, watch=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.2)
        assert gc.isenabled()


# -- the parsed-CSS cache ---------------------------------------------------------------------------------
async def screen_with_css_cache(db, folder: Path) -> tuple[str, css_cache.DiskParseCache]:
    app = IssuesApp(db, watch=False, cursor_blink=False)
    cache = css_cache.install(app.stylesheet, folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await started(pilot)
        svg = app.export_screenshot()
    cache.save()
    return svg, cache


def svg_body(svg: str) -> str:
    import re
    return re.sub(r"\d+:\d\d:\d\d", "#", re.sub(r"terminal-\d+", "terminal", svg))  # (the clocks tick)


async def test_css_cache_next_start_parses_nothing_and_draws_the_same(small_db, tmp_path):
    first_svg, first = await screen_with_css_cache(small_db, tmp_path / "cache")
    assert first.misses > 0 and list((tmp_path / "cache").glob("css-*.pickle"))
    second_svg, second = await screen_with_css_cache(small_db, tmp_path / "cache")
    assert second.misses == 0 and second.hits > 0
    assert svg_body(second_svg) == svg_body(first_svg)


async def test_css_cache_another_theme_is_another_file(small_db, tmp_path):
    folder = tmp_path / "cache"
    await screen_with_css_cache(small_db, folder)
    app = IssuesApp(small_db, watch=False)
    app.theme = "textual-light"
    cache = css_cache.install(app.stylesheet, folder)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.2)
    cache.save()
    assert len(list(folder.glob("css-*.pickle"))) == 2


def test_css_cache_is_not_read_when_others_may_write_it_or_it_is_torn(tmp_path):
    class Sheet:
        _variables = {"primary": "#123456"}
    cache = css_cache.DiskParseCache(Sheet(), tmp_path)
    cache[("css", ("f", ""), False, 0, "")] = ["rules"]
    assert cache.save()
    path = next(tmp_path.glob("css-*.pickle"))
    fresh = css_cache.DiskParseCache(Sheet(), tmp_path)
    assert fresh[("css", ("f", ""), False, 0, "")] == ["rules"]
    os.chmod(path, 0o666)
    with pytest.raises(KeyError):
        css_cache.DiskParseCache(Sheet(), tmp_path)[("css", ("f", ""), False, 0, "")]
    os.chmod(path, 0o600)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(KeyError):
        css_cache.DiskParseCache(Sheet(), tmp_path)[("css", ("f", ""), False, 0, "")]


# -- the compiled-dataclass cache -------------------------------------------------------------------------
@pytest.fixture
def fresh_code_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setitem(code_cache._state, "known", None)
    monkeypatch.setitem(code_cache._state, "new", {})
    return tmp_path


def make_point():
    @dataclasses.dataclass(frozen=True)
    class Point:
        x: int
        y: int = 2
    return Point


def test_dataclasses_compile_once_and_behave_the_same(fresh_code_cache):
    assert dataclasses.exec is code_cache.cached_exec  # installed by `import tui`
    first = make_point()
    assert code_cache._state["new"] and code_cache.save()
    code_cache._state["known"] = None  # a new process: read the file back
    second = make_point()
    assert not code_cache._state["new"]  # nothing compiled this time
    for cls in (first, second):
        p = cls(1)
        assert (p.x, p.y, repr(p), p == cls(1, 2), hash(p) == hash(cls(1, 2))) == (1, 2, "make_point.<locals>.Point(x=1, y=2)", True, True)
        with pytest.raises(dataclasses.FrozenInstanceError):
            p.x = 3


def test_a_code_cache_others_may_write_is_not_read(fresh_code_cache):
    make_point()
    code_cache.save()
    os.chmod(code_cache.path(), 0o664)
    code_cache._state["known"] = None
    make_point()
    assert code_cache._state["new"]  # compiled again: the file was not trusted
    assert read_private(code_cache.path()) is None


def test_a_torn_code_cache_only_costs_a_compile(fresh_code_cache):
    assert write_private(code_cache.path(), b"\x00garbage")
    code_cache._state["known"] = None
    Point = make_point()
    assert Point(5).y == 2 and code_cache._state["new"]


def test_bare_app_frames_are_text():
    """(the helper above reads what a LayoutUpdate draws)"""
    class One(App):
        text: str | None = None

        def compose(self):
            from textual.widgets import Static
            yield Static("hello there")

        def _display(self, screen, renderable):
            if renderable is not None and self.text is None:
                self.text = frame_text(renderable, self.size.width)
                self.call_later(self.exit)
            super()._display(screen, renderable)
    app = One()
    app.run(headless=True, size=(40, 5))
    assert "hello there" in app.text
