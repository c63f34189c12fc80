"""The PostgreSQL schema: the crate's tables (v11 columns) in native types, plus what the store needs.

- Native types: `timestamptz`, `boolean`. Beside every timestamp sits `<name>_text`, the exact text the crate
  (or the store) wrote, to the nanosecond (`2025-12-20T16:59:41.173094342+00:00`): `timestamptz` keeps only
  microseconds, and `export` must be byte-identical to the crate's. The ready queue orders by that text with
  `COLLATE "C"`, as SQLite compares it. A trigger keeps the pair in step for writers that set only one side
  (`UPDATE issues SET claimed_at = now()` by hand renders the text; text alone is parsed).
- Change numbers: a BEFORE trigger stamps every inserted/updated row with `change_seq` (one sequence for all
  tables) and `change_xid` (the writing transaction); deletes leave a tombstone. A statement trigger sends
  `NOTIFY issues_tui` (delivered on commit only, so a rolled-back write sends nothing). `changes.py` reads
  what changed since a cursor without missing transactions that commit out of sequence order.
"""

from __future__ import annotations

CHANNEL = "issues_tui"
LATEST = 11  # the crate's schema this layout holds (directive_id, project_id, auto_created)

PRIORITY_RANK_SQL = "(CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'low' THEN 3 ELSE 2 END)"
READY_BASE_SQL = "status = 'open' AND NOT coalesce(is_blocked, false)"

TIME_COLUMNS = {
    "issues": ("created_at", "updated_at", "claimed_at", "completed_at"),
    "issue_events": ("created_at",),
    "projects": ("created_at", "updated_at"),
    "sessions": ("started_at", "ended_at"),
}
CHANGE_TABLES = ("issues", "projects", "sessions")

_FUNCTIONS = r"""
CREATE FUNCTION tui_rfc3339(ts timestamptz) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN ts IS NULL THEN NULL ELSE
    to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') ||
    CASE WHEN (extract(microseconds FROM ts)::bigint % 1000000) = 0 THEN ''
         WHEN (extract(microseconds FROM ts)::bigint % 1000) = 0
           THEN '.' || lpad(((extract(microseconds FROM ts)::bigint % 1000000) / 1000)::text, 3, '0')
         ELSE '.' || lpad((extract(microseconds FROM ts)::bigint % 1000000)::text, 6, '0') END || '+00:00' END
$$;

CREATE FUNCTION tui_parse_ts(t text) RETURNS timestamptz LANGUAGE plpgsql STABLE SET timezone = 'UTC' AS $$
BEGIN
  IF t IS NULL OR btrim(t) = '' THEN RETURN NULL; END IF;
  RETURN t::timestamptz;
EXCEPTION WHEN others THEN RETURN NULL;
END $$;

CREATE FUNCTION tui_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('issues_tui', '');
  RETURN NULL;
END $$;

CREATE FUNCTION tui_sync_counter() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- the crate's sync_issue_counter_on_insert, once per statement: keeps the counter ahead of hand inserts
  UPDATE issue_counter SET next_number = greatest(next_number, (SELECT coalesce(max(number), 0) + 1 FROM issues))
  WHERE id = 1;
  RETURN NULL;
END $$;

CREATE FUNCTION tui_tombstone() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE xid xid8 := pg_current_xact_id();
BEGIN
  INSERT INTO tui_tombstones (tbl, id, change_xid, change_seq) VALUES (TG_TABLE_NAME, OLD.id, xid, nextval('tui_change_seq'));
  RETURN NULL;
END $$;
"""


def _stamp_function(table: str) -> str:
    """BEFORE INSERT OR UPDATE: change number + keep each timestamp/text pair in step."""
    lines = []
    for col in TIME_COLUMNS[table]:
        t = f"{col}_text"
        lines.append(f"""
  IF TG_OP = 'INSERT' THEN
    IF NEW.{t} IS NULL AND NEW.{col} IS NOT NULL THEN NEW.{t} := tui_rfc3339(NEW.{col});
    ELSIF NEW.{col} IS NULL AND NEW.{t} IS NOT NULL THEN NEW.{col} := tui_parse_ts(NEW.{t}); END IF;
  ELSIF NEW.{col} IS DISTINCT FROM OLD.{col} AND NEW.{t} IS NOT DISTINCT FROM OLD.{t} THEN
    NEW.{t} := tui_rfc3339(NEW.{col});
  ELSIF NEW.{t} IS DISTINCT FROM OLD.{t} AND NEW.{col} IS NOT DISTINCT FROM OLD.{col} THEN
    NEW.{col} := tui_parse_ts(NEW.{t});
  END IF;""")
    # The transaction id first, then the number: a writer holds its xid before it takes a number, so a
    # reader that sees it in flight (snapshot xip) knows to look for it again (changes.py).
    seq = ("\n  NEW.change_xid := pg_current_xact_id();\n  NEW.change_seq := nextval('tui_change_seq');"
           if table in CHANGE_TABLES else "")
    return (f"CREATE FUNCTION tui_stamp_{table}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN"
            f"{''.join(lines)}{seq}\n  RETURN NEW;\nEND $$;")


def _ts(table: str, col: str, not_null: bool = False) -> str:
    # The text is NOT NULL where the crate's column is; the native value may be NULL if the text is unreadable.
    return f"{col} timestamptz,\n    {col}_text text COLLATE \"C\"{' NOT NULL' if not_null else ''}"


_CHANGE_COLS = "change_seq bigint NOT NULL DEFAULT 0,\n    change_xid xid8 NOT NULL DEFAULT '0'"

TABLES = [
    "CREATE SEQUENCE tui_change_seq",
    "CREATE TABLE schema_version (version integer NOT NULL)",
    "CREATE TABLE issue_counter (id integer PRIMARY KEY CHECK (id = 1), next_number integer NOT NULL DEFAULT 1)",
    f"""CREATE TABLE issues (
    id text NOT NULL PRIMARY KEY CHECK (id <> ''),
    number integer NOT NULL UNIQUE,
    title text NOT NULL,
    description text,
    status text NOT NULL DEFAULT 'open',
    priority text DEFAULT 'medium',
    issue_type text DEFAULT 'task',
    is_blocked boolean DEFAULT false,
    blocked_reason text,
    claimed_by text,
    {_ts('issues', 'claimed_at')},
    {_ts('issues', 'created_at', True)},
    {_ts('issues', 'updated_at', True)},
    {_ts('issues', 'completed_at')},
    agent text NOT NULL DEFAULT 'codex',
    directive_id text,
    project_id text,
    auto_created boolean DEFAULT false,
    {_CHANGE_COLS}
)""",
    f"""CREATE TABLE issue_events (
    id text PRIMARY KEY,
    issue_id text NOT NULL REFERENCES issues(id) ON DELETE CASCADE,
    actor text,
    event_type text NOT NULL,
    old_value text,
    new_value text,
    {_ts('issue_events', 'created_at', True)},
    ord bigint GENERATED ALWAYS AS IDENTITY
)""",
    f"""CREATE TABLE projects (
    id text NOT NULL PRIMARY KEY CHECK (id <> ''),
    name text NOT NULL UNIQUE CHECK (name <> ''),
    path text NOT NULL,
    description text,
    default_model text,
    default_budget double precision,
    {_ts('projects', 'created_at', True)},
    {_ts('projects', 'updated_at', True)},
    {_CHANGE_COLS}
)""",
    f"""CREATE TABLE sessions (
    id text NOT NULL PRIMARY KEY CHECK (id <> ''),
    project_id text NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed', 'cancelled')),
    prompt text NOT NULL,
    model text NOT NULL,
    pid bigint,
    trajectory_path text,
    {_ts('sessions', 'started_at', True)},
    {_ts('sessions', 'ended_at')},
    budget_spent double precision DEFAULT 0.0,
    issues_completed integer DEFAULT 0,
    {_CHANGE_COLS}
)""",
    """CREATE TABLE tui_tombstones (
    tbl text NOT NULL,
    id text NOT NULL,
    change_seq bigint NOT NULL DEFAULT nextval('tui_change_seq'),
    change_xid xid8 NOT NULL DEFAULT pg_current_xact_id()
)""",
]

# Every UPDATE of a claim writes a new row version into each non-partial index (the change number moves, so
# no update is HOT): only what a query needs is indexed, and the crate's v6-v10 indexes are partial or covered.
INDEXES = [
    "CREATE INDEX idx_issues_directive ON issues(directive_id) WHERE directive_id IS NOT NULL",
    "CREATE INDEX idx_issues_project ON issues(project_id) WHERE project_id IS NOT NULL",
    "CREATE INDEX idx_issue_events_issue ON issue_events(issue_id, created_at_text, ord)",
    "CREATE INDEX idx_projects_name ON projects(name)",
    "CREATE INDEX idx_sessions_project ON sessions(project_id)",
    "CREATE INDEX idx_sessions_status ON sessions(status)",
    "CREATE INDEX idx_sessions_started ON sessions(started_at_text)",
    f"CREATE INDEX tui_ready ON issues({PRIORITY_RANK_SQL}, created_at_text, number) WHERE {READY_BASE_SQL}",
    f"CREATE INDEX tui_ready_agent ON issues(agent, {PRIORITY_RANK_SQL}, created_at_text, number) WHERE {READY_BASE_SQL}",
    "CREATE INDEX tui_in_progress ON issues(claimed_at NULLS FIRST, number) WHERE status = 'in_progress'",
    f"CREATE INDEX tui_open_claimed ON issues(claimed_at) WHERE {READY_BASE_SQL} AND coalesce(claimed_by, '') <> ''",
    "CREATE INDEX tui_blocked ON issues(number) WHERE status = 'open' AND coalesce(is_blocked, false)",
    "CREATE INDEX tui_other_status ON issues(number) WHERE status NOT IN ('open', 'in_progress', 'done')",
    "CREATE INDEX tui_issues_change ON issues(change_seq)",
    "CREATE INDEX tui_issues_xid ON issues(change_xid)",
    "CREATE INDEX tui_projects_change ON projects(change_seq)",
    "CREATE INDEX tui_sessions_change ON sessions(change_seq)",
    "CREATE INDEX tui_tombstones_change ON tui_tombstones(change_seq)",
    "CREATE INDEX tui_tombstones_xid ON tui_tombstones(change_xid)",
]


# Word search (store/search.py: a word is a case-insensitive substring of the title, description or blocked
# reason) is `col ILIKE '%word%'` per column, ORed; a trigram GIN index per column serves ILIKE as it is (a
# BitmapOr of the three), so the query and its results are the same with or without them. pg_trgm ships with
# the server (contrib) and is a trusted extension; where it cannot be created the search stays unindexed.
# Measured (bench/pg_bench.py, 1M issues): a word's count 0.3-160 ms instead of 600-760 ms; the price is on
# every non-HOT update (claims): 8 agents' claim loop ran 12-18 % slower, claim p95 about +1 ms.
SEARCH_COLUMNS = ("title", "description", "blocked_reason")
SEARCH_INDEXES = [f"CREATE INDEX IF NOT EXISTS tui_search_{col} ON issues USING gin ({col} gin_trgm_ops)"
                  for col in SEARCH_COLUMNS]
SEARCH_HAVE = ("SELECT " + " AND ".join(f"to_regclass('tui_search_{col}') IS NOT NULL" for col in SEARCH_COLUMNS))

# Counts by (status, blocked) for the status line: every statement that inserts, deletes or updates issues
# appends its net change (one row per changed group, from the statement's transition tables), so concurrent
# agents never wait on a shared counter row; counts() sums the table and folds it when it grows (compact).
COUNTS = [
    "CREATE TABLE tui_issue_counts (status text NOT NULL, blocked boolean NOT NULL, n bigint NOT NULL)",
    """CREATE FUNCTION tui_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO tui_issue_counts SELECT status, coalesce(is_blocked, false), count(*) FROM new_rows GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO tui_issue_counts SELECT status, coalesce(is_blocked, false), -count(*) FROM old_rows GROUP BY 1, 2;
  ELSE
    INSERT INTO tui_issue_counts SELECT s, b, sum(d) FROM (
        SELECT status AS s, coalesce(is_blocked, false) AS b, -1 AS d FROM old_rows
        UNION ALL SELECT status, coalesce(is_blocked, false), 1 FROM new_rows) x
      GROUP BY 1, 2 HAVING sum(d) <> 0;
  END IF;
  RETURN NULL;
END $$""",
    "CREATE TRIGGER tui_counts_ins AFTER INSERT ON issues REFERENCING NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tui_counts_changed()",
    "CREATE TRIGGER tui_counts_del AFTER DELETE ON issues REFERENCING OLD TABLE AS old_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tui_counts_changed()",
    "CREATE TRIGGER tui_counts_upd AFTER UPDATE ON issues REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
    "FOR EACH STATEMENT EXECUTE FUNCTION tui_counts_changed()",
]
COUNTS_FILL = ("INSERT INTO tui_issue_counts SELECT status, coalesce(is_blocked, false), count(*) FROM issues "
               "GROUP BY 1, 2")
COUNTS_COMPACT = ("WITH gone AS (DELETE FROM tui_issue_counts RETURNING *) INSERT INTO tui_issue_counts "
                  "SELECT status, blocked, sum(n) FROM gone GROUP BY 1, 2 HAVING sum(n) <> 0")
COUNTS_COMPACT_ROWS = 200
# Deleted rows' tombstones only tell a listener that something changed (the dashboard then reloads whole
# snapshots), so the newest few thousand are plenty; older ones are dropped when the counts are folded.
TOMBSTONES_KEEP = 5000
TOMBSTONES_PRUNE = (f"DELETE FROM tui_tombstones WHERE change_seq < (SELECT change_seq FROM tui_tombstones "
                    f"ORDER BY change_seq DESC OFFSET {TOMBSTONES_KEEP} LIMIT 1)")


def _triggers() -> list[str]:
    out = []
    for table in TIME_COLUMNS:
        out.append(_stamp_function(table))
        out.append(f"CREATE TRIGGER tui_stamp BEFORE INSERT OR UPDATE ON {table} FOR EACH ROW EXECUTE FUNCTION tui_stamp_{table}()")
    out.append("CREATE TRIGGER sync_issue_counter_on_insert AFTER INSERT ON issues FOR EACH STATEMENT "
               "EXECUTE FUNCTION tui_sync_counter()")
    for table in CHANGE_TABLES:
        out.append(f"CREATE TRIGGER tui_notify AFTER INSERT OR UPDATE OR DELETE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION tui_notify()")
        out.append(f"CREATE TRIGGER tui_tombstone AFTER DELETE ON {table} FOR EACH ROW EXECUTE FUNCTION tui_tombstone()")
    return out


def ddl_parts(version: int = LATEST) -> tuple[list[str], list[str]]:
    """(tables, then indexes + triggers + the counts) that turn an empty database into an issues DB. A bulk
    load (migrate) copies its rows in between: building indexes once is far faster than row by row."""
    tables = [_FUNCTIONS] + TABLES + ["INSERT INTO issue_counter (id, next_number) VALUES (1, 1)",
                                      f"INSERT INTO schema_version (version) VALUES ({int(version)})"]
    return tables, INDEXES + _triggers() + COUNTS + [COUNTS_FILL]


def ddl(version: int = LATEST) -> list[str]:
    """Every statement that turns an empty database into an issues DB (run in one transaction)."""
    tables, rest = ddl_parts(version)
    return tables + rest


REQUIRED_ISSUE_COLUMNS = {
    "id", "number", "title", "description", "status", "priority", "issue_type", "is_blocked", "blocked_reason",
    "claimed_by", "claimed_at", "claimed_at_text", "created_at_text", "updated_at_text", "completed_at_text",
    "agent", "change_seq", "change_xid",
}

# Columns of newer crate schemas that a row carries in Issue.extra, by the version that added them.
EXTRA_COLUMNS = (("directive_id", 6), ("project_id", 7), ("auto_created", 11))
