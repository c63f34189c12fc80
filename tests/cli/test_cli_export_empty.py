"""Export parity with `''` (issue 9 item 11): export, `list --json` and `ready --json` write what is stored.

The crate's own `issue import` binds every value as TEXT and writes `''` for every missing description,
blocked_reason, claimed_by, claimed_at and completed_at (compat.md 5.2); its export then writes `""` for
the three text columns (serde of a `String`) and `null` for the two timestamps (`''` does not parse, and
reads as None). `crate_import` below replays that import statement for statement on a crate-made file.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from store import timestamps
from tui.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXPORT = FIXTURES / "crate-v5-small.export-all.json"
IMPORT_TIME = "2026-11-27T10:00:00.123456789+00:00"
_STATUS = {"open": "open", "inprogress": "in_progress", "done": "done"}


def crate_import(db: Path, rows: list[dict]) -> None:
    """The crate's import into an empty v5 file: raw INSERT, every value bound as TEXT, None as ''."""
    conn = sqlite3.connect(db)
    conn.execute("DELETE FROM issue_events")
    conn.execute("DELETE FROM issues")
    for r in rows:
        def t(v):
            return "" if v is None else str(v)
        conn.execute(
            "INSERT INTO issues (id, number, title, description, status, priority, issue_type, agent, "
            "is_blocked, blocked_reason, claimed_by, claimed_at, created_at, updated_at, completed_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            (r["id"], str(r["number"]), r["title"], t(r["description"]), _STATUS[r["status"]], r["priority"],
             r["issue_type"], r["agent"], "1" if r["is_blocked"] else "0", t(r["blocked_reason"]),
             t(r["claimed_by"]), t(timestamps.to_db(r["claimed_at"])), timestamps.to_db(r["created_at"]),
             IMPORT_TIME, t(timestamps.to_db(r["completed_at"]))))
    conn.commit()
    conn.close()


def crate_export_of_imported(rows: list[dict], include_completed: bool) -> str:
    """What the crate's export writes for such a file: '' text as "", '' times as null, updated_at = import."""
    out = []
    for r in rows:
        if not include_completed and r["status"] == "done":
            continue
        r = dict(r)
        for key in ("description", "blocked_reason", "claimed_by"):
            if r[key] is None:
                r[key] = ""
        r["updated_at"] = timestamps.to_export(IMPORT_TIME)
        out.append(r)
    return json.dumps(out, indent=2, ensure_ascii=False)


def _db(tmp_path) -> tuple[Path, list[dict]]:
    db = tmp_path / "imported.db"
    shutil.copyfile(FIXTURES / "crate-v5-small.db", db)
    rows = json.loads(EXPORT.read_text(encoding="utf-8"))
    crate_import(db, rows)
    return db, rows


def test_export_of_a_crate_imported_file_is_the_crates_byte_for_byte(tmp_path, capsys):
    db, rows = _db(tmp_path)
    for flag, include in (([], False), (["--include-completed"], True)):
        out_file = tmp_path / f"out{len(flag)}.json"
        assert main(["export", "-o", str(out_file), "--db", str(db), *flag]) == 0
        capsys.readouterr()
        expected = crate_export_of_imported(rows, include)
        assert '"description": ""' in expected and '"claimed_at": null' in expected
        assert out_file.read_text(encoding="utf-8") == expected


def test_list_and_ready_json_write_what_is_stored(tmp_path, capsys):
    db, rows = _db(tmp_path)
    by_id = {r["id"]: r for r in json.loads(crate_export_of_imported(rows, True))}
    assert main(["list", "--json", "--db", str(db)]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert len(listed) == 29 and all(item == by_id[item["id"]] for item in listed)
    assert main(["ready", "--json", "-n", "100", "--db", str(db)]) == 0
    ready = json.loads(capsys.readouterr().out)
    assert ready and all(item == by_id[item["id"]] for item in ready)
    assert all(item["claimed_by"] == "" for item in ready)  # '' claims are ready, and shown as stored


def test_null_still_exports_as_null_and_display_treats_empty_as_none(tmp_path, capsys):
    db, rows = _db(tmp_path)
    nulled, empty = [r["number"] for r in rows if r["description"] is None][:2]
    conn = sqlite3.connect(db)
    conn.execute("UPDATE issues SET description = NULL WHERE number = ?", (nulled,))
    conn.commit()
    conn.close()
    assert main(["list", "--json", "--db", str(db)]) == 0
    items = {i["number"]: i for i in json.loads(capsys.readouterr().out)}
    assert items[nulled]["description"] is None and items[empty]["description"] == ""
    from store import Store
    with Store.open(db, read_only=True) as st:
        assert st.get_issue_by_number(empty).description is None  # logic and display: '' is NULL
