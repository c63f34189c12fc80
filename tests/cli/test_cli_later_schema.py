"""The CLI on v6-v11 files: `release-stale` (the autopilot's `issue release`) releases old claims with one
event each and leaves the newer columns alone; `list --json` carries the crate's later fields."""

from __future__ import annotations

import json
import sqlite3

from later_schema import insert_issue, make_later
from tui.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_release_stale_on_a_v11_file(tmp_path, capsys):
    db = make_later(tmp_path / "v11.db", 11, base=None)
    insert_issue(db, 1, "two hours", status="in_progress", claimed_by="run-a", claimed_at="2000-01-01T00:00:00+00:00",
                 directive_id="d-001", auto_created=1)
    insert_issue(db, 2, "just now", status="in_progress", claimed_by="run-b",
                 claimed_at=__import__("store").timestamps.now())
    code, out, err = run(capsys, "release-stale", "--db", str(db))
    assert (code, err) == (0, "")
    assert out.startswith("Released 1 stale claim ")  # the default is 60 minutes
    conn = sqlite3.connect(str(db))
    rows = conn.execute("SELECT number, status, claimed_by, directive_id, auto_created FROM issues ORDER BY number").fetchall()
    events = conn.execute("SELECT i.number, e.event_type, e.old_value FROM issue_events e JOIN issues i ON i.id = e.issue_id").fetchall()
    conn.close()
    assert rows == [(1, "open", None, "d-001", 1), (2, "in_progress", "run-b", None, 0)]
    assert events == [(1, "released", "run-a")]
    code, out, _ = run(capsys, "release-stale", "--minutes", "30", "--db", str(db))
    assert code == 0 and out.startswith("Released 0 stale claims ")


def test_list_json_has_the_later_fields(tmp_path, capsys):
    db = make_later(tmp_path / "v11.db", 11)
    code, out, _ = run(capsys, "list", "--json", "--db", str(db))
    assert code == 0
    rows = json.loads(out)
    assert list(rows[0])[8:10] == ["directive_id", "project_id"] and list(rows[0])[-1] == "auto_created"
