"""Generate a realistic v5 issues DB fast (shared by the benchmarks and any test that needs volume).

    python bench/gen.py out.db 1000000 [--open-frac 0.3] [--seed 0] [--force]

The file looks like one the Rust crate wrote: the crate's exact v5 schema (store.migrations, run on a plain
sqlite3 connection so none of the store's own indexes/triggers exist yet), rollback journal, no events.
Rows are bulk-inserted with executemany in one transaction. Then `Store.open` is run once, timed on its
own: that is the first-open cost a user pays (WAL switch + the store's partial indexes + the counts table).

Mix (of n issues): `open_frac` open (a tenth of those blocked, with a reason), ~1 % in_progress (claims
mostly live, i.e. a few minutes old, about 1 in 8 stale, i.e. 20 min to 3 h old), the rest done.
Priorities urgent 5 / high 20 / medium 50 / low 25 %, types task 60 / bug 25 / feature 15 %, agents
claude / codex. `created_at` increases with `number` (crate format, `+00:00`, AutoSi fraction), spread
over the `span_days` before `now`; `updated_at`/`completed_at` come after it. The counter is left at n + 1.
Deterministic for a given (n, open_frac, seed, now_ns).
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from store import Store  # noqa: E402
from store import migrations  # noqa: E402

NS = 1_000_000_000
CLAIM_NS = 15 * 60 * NS

VERBS = ["Add", "Fix", "Refactor", "Document", "Remove", "Support", "Test", "Speed up", "Clean up", "Port",
         "Rename", "Validate", "Cache", "Log", "Handle errors in", "Split", "Review", "Migrate", "Profile", "Wire up"]
NOUNS = ["README", "session lifecycle", "main.rs", "issue counter", "ready queue", "claim expiry", "export",
         "import", "MCP server", "CLI parser", "project list", "trajectory writer", "budget tracking", "footer",
         "status bar", "WAL checkpoint", "config loader", "retry policy", "agent router", "plan mode",
         "directive parser", "migration v6", "JSON output", "error messages", "integration tests", "cache layer",
         "git hooks", "release script", "telemetry", "rate limiter", "auth tokens", "search index", "codex crate",
         "docs site", "benchmarks", "timestamps", "schema check", "workspace layout", "log rotation", "prompt builder"]
REASONS = ["waiting on upstream fix", "needs design decision", "depends on #{}", "flaky CI, cannot verify",
           "codex crate has no files (empty directory)", "blocked by missing credentials"]
PRIORITIES = (["urgent"] * 5 + ["high"] * 20 + ["medium"] * 50 + ["low"] * 25)
TYPES = ["task"] * 60 + ["bug"] * 25 + ["feature"] * 15
AGENTS = ["claude", "codex"]

INSERT_SQL = (
    "INSERT INTO issues (id, number, title, description, status, priority, issue_type, is_blocked, blocked_reason, "
    "claimed_by, claimed_at, created_at, updated_at, completed_at, agent) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class _TsFormatter:
    """store.timestamps.format_ns, but with the date part cached per day (3-4x faster)."""

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, epoch_ns: int) -> str:
        secs, ns = divmod(epoch_ns, NS)
        day, rem = divmod(secs, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = time.strftime("%Y-%m-%dT", time.gmtime(day * 86400))
        h, rem = divmod(rem, 3600)
        m, s = divmod(rem, 60)
        if ns == 0:
            frac = ""
        elif ns % 1_000_000 == 0:
            frac = f".{ns // 1_000_000:03d}"
        elif ns % 1_000 == 0:
            frac = f".{ns // 1_000:06d}"
        else:
            frac = f".{ns:09d}"
        return f"{prefix}{h:02d}:{m:02d}:{s:02d}{frac}+00:00"


def _uuid4(rng: random.Random) -> str:
    r = rng.getrandbits(128)
    r = (r & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
    r = (r & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
    h = f"{r:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _rows(n: int, open_frac: float, rng: random.Random, now_ns: int, span_days: float):
    fmt = _TsFormatter()
    span_ns = int(span_days * 86400 * NS)
    # Leave the last 30 minutes for claims/updates; created_at strictly increases with number.
    step = max((span_ns - 30 * 60 * NS) // max(n, 1), 1)
    start = now_ns - span_ns
    in_progress_frac = 0.01
    rand = rng.random
    choice = rng.choice
    for number in range(1, n + 1):
        created_ns = start + (number - 1) * step + rng.randrange(step)
        created = fmt(created_ns)
        u = rand()
        title = f"{choice(VERBS)} {choice(NOUNS)} ({number})"
        description = None if u < 0.15 else f"Details for issue {number}.\nSecond line about {choice(NOUNS)}."
        priority = choice(PRIORITIES)
        issue_type = choice(TYPES)
        agent = AGENTS[0] if rand() < 0.5 else AGENTS[1]
        status_roll = rand()
        blocked, reason, claimed_by, claimed_at, completed = 0, None, None, None, None
        if status_roll < open_frac:
            status = "open"
            if rand() < 0.1:
                blocked = 1
                reason = choice(REASONS)
                if "{}" in reason:
                    reason = reason.format(max(1, number - rng.randrange(1, 50)))
                updated_ns = created_ns + rng.randrange(1, 3600 * NS)
            else:
                updated_ns = created_ns + rng.randrange(1, 10**6)
        elif status_roll < open_frac + in_progress_frac:
            status = "in_progress"
            claimed_by = f"run-{rng.randrange(1, 10**6)}"
            if rand() < 0.125:  # stale: claimed 20 min - 3 h ago
                claim_ns = now_ns - rng.randrange(20 * 60 * NS, 3 * 3600 * NS)
            else:  # live: within the last 10 minutes
                claim_ns = now_ns - rng.randrange(1, 10 * 60 * NS)
            claim_ns = max(claim_ns, created_ns + 1)
            claimed_at = fmt(claim_ns)
            updated_ns = claim_ns
        else:
            status = "done"
            done_ns = min(created_ns + rng.randrange(60 * NS, 2 * 86400 * NS), now_ns - 1)
            done_ns = max(done_ns, created_ns + 1)
            completed = fmt(done_ns)
            updated_ns = done_ns
        updated = fmt(updated_ns) if updated_ns != created_ns else created
        yield (_uuid4(rng), number, title, description, status, priority, issue_type, blocked, reason,
               claimed_by, claimed_at, created, updated, completed, agent)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        try:
            os.remove(f"{path}{suffix}")
        except FileNotFoundError:
            pass


def generate(path: str | os.PathLike, n_issues: int, open_frac: float = 0.3, seed: int = 0, *,
             now_ns: int | None = None, span_days: float = 365.0, overwrite: bool = False,
             first_open: bool = True) -> dict:
    """Write a crate-like v5 DB with `n_issues` issues at `path`; returns timings and counts.

    Refuses an existing file unless `overwrite=True`. With `first_open=True` (default) the store is
    opened once afterwards (timed as `first_open_s`) so its indexes and counts exist.
    """
    path = Path(path)
    if not 0 <= open_frac <= 0.99:
        raise ValueError("open_frac must be in [0, 0.99]")
    if path.exists():
        if not overwrite:
            raise FileExistsError(f"{path} exists (pass overwrite=True / --force)")
        _remove(path)
    now_ns = time.time_ns() if now_ns is None else now_ns
    rng = random.Random(seed)
    t0 = time.perf_counter()
    conn = sqlite3.connect(str(path), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        migrations.migrate(conn)  # the crate's exact v5 schema, nothing of the store's own
        t_schema = time.perf_counter()
        conn.execute("PRAGMA journal_mode = OFF")  # bulk load only; restored below
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute("PRAGMA cache_size = -1048576")  # 1 GiB: random-UUID inserts into the id index stay in memory
        conn.execute("BEGIN IMMEDIATE")
        rows = _rows(n_issues, open_frac, rng, now_ns, span_days)
        batch = 50_000
        while True:
            chunk = [r for _, r in zip(range(batch), rows)]
            if not chunk:
                break
            conn.executemany(INSERT_SQL, chunk)
        conn.execute("UPDATE issue_counter SET next_number = MAX(next_number, ?) WHERE id = 1", (n_issues + 1,))
        conn.execute("COMMIT")
        t_insert = time.perf_counter()
        conn.execute("PRAGMA journal_mode = DELETE")  # the crate's v5 default
    finally:
        conn.close()
    result = {
        "path": str(path),
        "n_issues": n_issues,
        "schema_s": t_schema - t0,
        "insert_s": t_insert - t_schema,
        "generate_s": time.perf_counter() - t0,
        "size_bytes": path.stat().st_size,
        "now_ns": now_ns,
    }
    if first_open:
        t1 = time.perf_counter()
        store = Store.open(path, create=False, actor="bench:gen")
        result["first_open_s"] = time.perf_counter() - t1
        c = store.counts()
        store.close()
        result["counts"] = {"ready": c.ready, "open": c.open, "blocked": c.blocked, "in_progress": c.in_progress,
                            "stale": c.stale, "done": c.done, "total": c.total}
        result["size_bytes"] = path.stat().st_size
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="bench/gen.py",
        description="Generate a realistic v5 issues DB, shaped like one the Rust crate wrote (its exact schema, "
                    "rollback journal, crate-format timestamps), then open it once with the store and time that "
                    "first open. Mix: OPEN_FRAC open (a tenth of those blocked), ~1% in progress (about 1 in 8 "
                    "claims stale), the rest done; priorities urgent 5 / high 20 / medium 50 / low 25 %.",
        epilog="example: python bench/gen.py /tmp/big.db 1000000 --force   (about 10 s, 300 MB)",
    )
    ap.add_argument("path", help="where to write the DB (refused if it exists, unless --force)")
    ap.add_argument("n_issues", type=int, help="how many issues to generate (numbers 1..N)")
    ap.add_argument("--open-frac", type=float, default=0.3, metavar="OPEN_FRAC",
                    help="fraction of the issues left open, 0..1 (default %(default)s); the rest are done, "
                         "~1%% in progress")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default %(default)s): the same seed, size and fraction give the same file")
    ap.add_argument("--force", action="store_true", help="overwrite an existing file")
    ap.add_argument("--no-open", action="store_true",
                    help="leave it crate-like: skip the store's first open (no WAL switch, no store indexes)")
    args = ap.parse_args(argv)
    try:
        r = generate(args.path, args.n_issues, args.open_frac, args.seed, overwrite=args.force,
                     first_open=not args.no_open)
    except (FileExistsError, ValueError) as exc:
        print(f"gen.py: error: {exc}", file=sys.stderr)
        return 2
    print(f"{r['path']}: {r['n_issues']:,} issues, {r['size_bytes'] / 1e6:.1f} MB; "
          f"insert {r['insert_s']:.2f} s, total generate {r['generate_s']:.2f} s"
          + (f", first Store.open {r['first_open_s']:.2f} s" if "first_open_s" in r else ""))
    if "counts" in r:
        print("counts:", ", ".join(f"{k} {v:,}" for k, v in r["counts"].items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
