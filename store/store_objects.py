"""The SQL the store adds to an issues file (its `tui_*` objects) and the expressions its queries share.

The crate ignores all of it. store/setup.py creates these objects, store/schema_check.py trusts a file's
`tui_*` objects only when they are exactly these (by the text SQLite stores for them).
"""

from __future__ import annotations

# Columns a v5 `issues` table must have (compat.md 2.3).
V5_ISSUE_COLUMNS = (
    "id", "number", "title", "description", "status", "priority", "issue_type", "is_blocked",
    "blocked_reason", "claimed_by", "claimed_at", "created_at", "updated_at", "completed_at", "agent",
)

# The ready queue's priority rank. Unknown/NULL ranks as medium (compat.md decision 5).
PRIORITY_RANK_SQL = (
    "CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END"
)
READY_BASE_SQL = "status = 'open' AND ifnull(is_blocked, 0) = 0"


def ready_agents_sql(issues: str, ready: str) -> str:
    """Distinct agents with ready work, as a skip-scan (one index probe per agent), on either backend:
    `issues` is the table (SQLite adds its INDEXED BY), `ready` the backend's ready condition."""
    return (f"WITH RECURSIVE a(agent) AS ("
            f" SELECT (SELECT min(agent) FROM {issues} WHERE {ready})"
            f" UNION ALL SELECT (SELECT min(agent) FROM {issues} WHERE {ready} AND agent > a.agent)"
            f" FROM a WHERE a.agent IS NOT NULL) SELECT agent FROM a WHERE agent IS NOT NULL")

# Extra indexes the store adds on a read-write open (the crate ignores them). The partial
# expression indexes make the ready queue O(page) at any size; the planner is pointed at them
# with INDEXED BY, so no ANALYZE is needed.
STORE_INDEXES = {
    # title/claim columns make "filter as you type" over the ready queue an index-only scan
    "tui_ready_v2": f"CREATE INDEX IF NOT EXISTS tui_ready_v2 ON issues(({PRIORITY_RANK_SQL}), created_at, number, title, claimed_by, claimed_at) WHERE {READY_BASE_SQL}",
    "tui_ready_agent_v2": f"CREATE INDEX IF NOT EXISTS tui_ready_agent_v2 ON issues(agent, ({PRIORITY_RANK_SQL}), created_at, number, title, claimed_by, claimed_at) WHERE {READY_BASE_SQL}",
    "tui_in_progress_v2": "CREATE INDEX IF NOT EXISTS tui_in_progress_v2 ON issues(julianday(claimed_at), number) WHERE status = 'in_progress'",
    "tui_idx_open_claimed": f"CREATE INDEX IF NOT EXISTS tui_idx_open_claimed ON issues(julianday(claimed_at)) WHERE {READY_BASE_SQL} AND claimed_by IS NOT NULL AND claimed_by != ''",
    "tui_idx_blocked": "CREATE INDEX IF NOT EXISTS tui_idx_blocked ON issues(number) WHERE status = 'open' AND ifnull(is_blocked, 0) != 0",
    "tui_idx_events_time": "CREATE INDEX IF NOT EXISTS tui_idx_events_time ON issue_events(issue_id, created_at)",
    # Sorts the views offer (store/views.py) and the pulse's completions per hour; `updated_at` also lets
    # the search side index (store/fts.py) find what changed since it last looked without a table scan.
    "tui_idx_done_completed": "CREATE INDEX IF NOT EXISTS tui_idx_done_completed ON issues(completed_at, number) WHERE status = 'done'",
    "tui_idx_updated": "CREATE INDEX IF NOT EXISTS tui_idx_updated ON issues(updated_at, number)",
    "tui_idx_created": "CREATE INDEX IF NOT EXISTS tui_idx_created ON issues(created_at, number)",
}

# Indexes the store adds only where the file has the column (schema v6+ / v11 files): the status line's
# auto-created count reads the first, each directive's live progress the second (index-only).
COLUMN_INDEXES = {
    "tui_idx_auto": ("auto_created",
                     "CREATE INDEX IF NOT EXISTS tui_idx_auto ON issues(number) WHERE ifnull(auto_created, 0) != 0"),
    "tui_idx_directive": ("directive_id",
                          "CREATE INDEX IF NOT EXISTS tui_idx_directive ON issues(directive_id, status, is_blocked) "
                          "WHERE directive_id IS NOT NULL AND directive_id != ''"),
}


def wanted_column_indexes(columns) -> dict[str, str]:
    """The COLUMN_INDEXES a file with these `issues` columns calls for: name -> DDL."""
    cols = set(columns)
    return {name: sql for name, (col, sql) in COLUMN_INDEXES.items() if col in cols}


# Counts by (status, blocked) kept by triggers, so the status line costs O(1) at 1M issues
# whoever writes (the crate's writes fire them too).
COUNTS_DDL = [
    "CREATE TABLE IF NOT EXISTS tui_issue_counts (status TEXT NOT NULL, blocked INTEGER NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (status, blocked))",
    """CREATE TRIGGER IF NOT EXISTS tui_counts_insert AFTER INSERT ON issues BEGIN
  INSERT OR IGNORE INTO tui_issue_counts (status, blocked, n) VALUES (NEW.status, ifnull(NEW.is_blocked, 0) != 0, 0);
  UPDATE tui_issue_counts SET n = n + 1 WHERE status = NEW.status AND blocked = (ifnull(NEW.is_blocked, 0) != 0);
END""",
    """CREATE TRIGGER IF NOT EXISTS tui_counts_delete AFTER DELETE ON issues BEGIN
  UPDATE tui_issue_counts SET n = n - 1 WHERE status = OLD.status AND blocked = (ifnull(OLD.is_blocked, 0) != 0);
END""",
    """CREATE TRIGGER IF NOT EXISTS tui_counts_update AFTER UPDATE OF status, is_blocked ON issues
WHEN OLD.status IS NOT NEW.status OR (ifnull(OLD.is_blocked, 0) != 0) IS NOT (ifnull(NEW.is_blocked, 0) != 0) BEGIN
  UPDATE tui_issue_counts SET n = n - 1 WHERE status = OLD.status AND blocked = (ifnull(OLD.is_blocked, 0) != 0);
  INSERT OR IGNORE INTO tui_issue_counts (status, blocked, n) VALUES (NEW.status, ifnull(NEW.is_blocked, 0) != 0, 0);
  UPDATE tui_issue_counts SET n = n + 1 WHERE status = NEW.status AND blocked = (ifnull(NEW.is_blocked, 0) != 0);
END""",
]
COUNTS_TRIGGERS = ("tui_counts_insert", "tui_counts_delete", "tui_counts_update")

# The store's objects of earlier versions, by their exact DDL: dropped (quoted) on a read-write open.
OBSOLETE_STORE_DDL = [
    f"CREATE INDEX tui_idx_ready ON issues(({PRIORITY_RANK_SQL}), created_at, number) WHERE {READY_BASE_SQL}",
    f"CREATE INDEX tui_idx_ready_agent ON issues(agent, ({PRIORITY_RANK_SQL}), created_at, number) WHERE {READY_BASE_SQL}",
    "CREATE INDEX tui_idx_in_progress ON issues(julianday(claimed_at)) WHERE status = 'in_progress'",
]
