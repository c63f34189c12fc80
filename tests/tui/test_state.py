"""The state file (remembered sorts): written whole (temp file + replace), a broken one means a fresh start."""

from __future__ import annotations

import json

from tui.state import State


def test_round_trip_and_clear(tmp_path):
    path = tmp_path / "s" / "state.json"
    st = State(path)
    st.set_sort("all", ("title", True))
    st.set_sort("saved:Mine", ("agent", False))
    again = State(path)
    assert again.sort_for("all") == ("title", True) and again.sort_for("saved:Mine") == ("agent", False)
    again.set_sort("all", None)
    assert State(path).sort_for("all") is None and not list(path.parent.glob(".state-*"))


def test_broken_or_odd_files_start_fresh(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{not json")
    st = State(path)
    assert st.sort_for("ready") is None and "starting fresh" in st.problem
    path.write_text(json.dumps({"sort": {"all": ["title", "yes"], "done": "x"}}))
    st = State(path)
    assert st.sort_for("all") is None and st.sort_for("done") is None and st.problem is None
    st.set_sort("done", ("completed", True))
    assert json.loads(path.read_text())["sort"]["done"] == ["completed", True]


def test_unwritable_folder_is_a_problem_not_a_crash(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    st = State(blocker / "state.json")  # its folder would have to be a file's child
    st.set_sort("all", ("title", False))
    assert st.problem and "cannot save" in st.problem
