"""Demo mode: a realistic issue DB and a simulated autopilot that works it, live.

    python -m tui.demo make PATH
    python -m tui.demo autopilot PATH [--agents N] [--speed S] [--duration SECONDS]

Everything here writes through `store/` like a real agent would (the only raw SQL is a read of the
highest run number already used). This module never imports Textual: the autopilot runs as a
separate process (`spawn_autopilot`), so the dashboard sees another writer on the file, as in real use.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from store import ConflictError, SessionStatus, Store, StoreError

MINUTE_NS = 60 * 1_000_000_000
DEMO_DB_NAME = "autopilot.db"
STALE_CLAIM_MINUTES = 25  # the dead session's claim: older than the 15-minute expiry
DEAD_PID_CANDIDATES = (999_999, 999_998, 999_997, 4_194_303, 4_194_302, 2_147_483_646)

# ---------------------------------------------------------------------------------------------------
# Demo content
# ---------------------------------------------------------------------------------------------------

PROJECTS = [
    # name, path, description, default_model, default_budget
    ("openagents", "~/code/openagents", "Desktop + CLI for autonomous coding agents (Rust workspace)", "sonnet", 10.0),
    ("issues-tui", "~/code/issues-tui", "Terminal dashboard over the autopilot issue queue", "sonnet", 5.0),
    ("nostr-relay", "~/code/nostr-relay", "NIP-90 job relay the agents sell compute through", "opus", 20.0),
    ("docs-site", "~/code/openagents-docs", "Public documentation site (Astro)", "haiku", 2.0),
]

# Final state of each seeded issue: done, open, blocked, progress (fresh claim), stale (the dead session's).
# (title, type, priority, agent, state, summary, files, command)
ISSUES: list[tuple] = [
    ("Autopilot loses the trajectory when the session is resumed", "bug", "high", "claude", "done",
     "Resuming a session with `--resume` starts a new `.rlog` file instead of appending to the existing one, "
     "so the replay viewer only shows the tail of the run.",
     ["crates/autopilot/src/trajectory.rs", "crates/autopilot/src/resume.rs"], "cargo autopilot run --resume last"),
    ("Add `issue export --status` filter", "feature", "medium", "codex", "done",
     "Exporting the whole queue is slow on big DBs and most callers only want open issues.",
     ["crates/issues/src/export.rs", "crates/autopilot/src/cli.rs"], "cargo autopilot issue export --status open"),
    ("Ready queue ignores expired claims", "bug", "urgent", "claude", "done",
     "Claims are compared as strings against `datetime('now','-15 minutes')`, so a claim made earlier the same "
     "UTC day never expires and the issue is stuck until midnight.",
     ["crates/issues/src/issue.rs"], "cargo test -p issues claim_expiry"),
    ("Migrate CI from self-hosted runner to GitHub-hosted", "task", "medium", "codex", "done",
     "The self-hosted box keeps running out of disk. The GitHub-hosted runners are fast enough now that "
     "we cache the `target/` directory.",
     [".github/workflows/ci.yml", ".github/workflows/release.yml"], "act -j test"),
    ("Session budget is not enforced for sub-agents", "bug", "high", "claude", "done",
     "A sub-agent spawned with `Task` inherits no budget, so a runaway sub-agent can spend past "
     "`default_budget` without the parent noticing.",
     ["crates/autopilot/src/budget.rs", "crates/autopilot/src/subagent.rs"], "cargo test -p autopilot budget"),
    ("Document the `issues` crate state machine", "task", "low", "codex", "done",
     "The README describes the happy path only. Blocked issues and expired claims need a diagram.",
     ["crates/issues/README.md"], None),
    ("Wallet: show pending Lightning invoices", "feature", "medium", "claude", "done",
     "Users can't tell whether an invoice is still payable. Show pending ones with their expiry.",
     ["crates/wallet/src/invoices.rs", "crates/desktop/src/views/wallet.rs"], None),
    ("Flaky test: `relay::tests::reconnect_backoff`", "bug", "medium", "codex", "done",
     "Fails about one run in twenty on CI with a timeout. The backoff uses the wall clock instead of the "
     "mocked clock.",
     ["crates/nostr/src/relay.rs"], "cargo test -p nostr reconnect_backoff -- --nocapture"),
    ("Add `--json` output to `autopilot issue list`", "feature", "medium", "codex", "done",
     "Scripts parse the table output today, which breaks every time a column is added.",
     ["crates/autopilot/src/cli.rs"], "cargo autopilot issue list --json | jq length"),
    ("Switch the issues DB to WAL mode", "task", "high", "claude", "done",
     "The dashboard's reads block the autopilot's writes in rollback-journal mode.",
     ["crates/issues/src/db.rs"], "sqlite3 autopilot.db 'PRAGMA journal_mode'"),
    ("Crash when the project path contains spaces", "bug", "high", "claude", "done",
     "`Command::new(\"sh\").arg(\"-c\")` splits the path. Pass arguments as a vector instead of a shell string.",
     ["crates/autopilot/src/spawn.rs"], "cargo autopilot run --project '~/code/my project'"),
    ("Rate-limit GitHub API calls in the PR watcher", "task", "medium", "codex", "done",
     "We hit the secondary rate limit when more than three sessions watch PRs at once.",
     ["crates/github/src/watcher.rs"], None),
    ("Desktop: dark mode contrast for code blocks", "bug", "low", "claude", "done",
     "Inline code in dark mode is grey-on-grey (contrast ratio 2.1:1).",
     ["crates/desktop/src/theme.rs"], None),
    ("Trajectory viewer: collapse long tool outputs", "feature", "medium", "claude", "done",
     "A single `cargo build` output can be 4,000 lines and pushes everything else off screen.",
     ["crates/desktop/src/views/trajectory.rs"], None),
    ("Replace `chrono::Utc::now()` calls with an injectable clock", "task", "medium", "codex", "done",
     "Tests that depend on time are flaky; an injectable clock makes them deterministic.",
     ["crates/issues/src/issue.rs", "crates/autopilot/src/clock.rs"], "rg 'Utc::now' crates/"),
    ("Relay drops events larger than 64 KiB", "bug", "urgent", "claude", "done",
     "The websocket frame limit is the library default. NIP-90 job results routinely exceed it.",
     ["crates/relay/src/server.rs"], "websocat ws://localhost:7777 < big-event.json"),
    ("Add retry with jitter to the model client", "feature", "high", "codex", "done",
     "429 and 529 responses currently fail the whole session.",
     ["crates/llm/src/client.rs"], None),
    ("Write integration test for issue claim races", "task", "high", "claude", "done",
     "Two autopilots claiming from the same DB can both get the same issue if the claim isn't guarded.",
     ["crates/issues/tests/claim_race.rs"], "cargo test -p issues --test claim_race"),
    ("Docs: quick start for running autopilot on a fresh repo", "task", "medium", "codex", "done",
     "New users don't know they need `autopilot init` before `autopilot run`.",
     ["docs/src/content/quickstart.md"], None),
    ("Cost dashboard double-counts cached tokens", "bug", "medium", "claude", "done",
     "Cache-read tokens are billed at 10 % but we add them at full price.",
     ["crates/autopilot/src/cost.rs"], None),
    ("Remove the legacy `tasks.json` importer", "task", "low", "codex", "done",
     "Nobody has used the JSON task format since v0.3 and it pulls in an extra dependency.",
     ["crates/autopilot/src/legacy.rs"], None),
    ("Escape [bold]markup[/] in titles", "bug", "medium", "claude", "blocked",
     "Titles and descriptions come from agents and users and may contain `[bold]`, `[/]` or `[link=...]`. "
     "They must be shown literally, never interpreted as markup.",
     ["tui/widgets/issue_table.py", "tui/widgets/detail.py"], None),
    ("Log lines like [red]ERROR[/red] lose their brackets in the session view", "bug", "low", "codex", "open",
     "Captured agent output is passed through the markup parser, which eats anything that looks like a style tag.",
     ["crates/desktop/src/views/session_log.rs"], None),
    ("Support NIP-89 handler discovery in the relay", "feature", "medium", "claude", "open",
     "Clients should be able to find which agents handle which job kinds without a hard-coded list.",
     ["crates/relay/src/nip89.rs"], None),
    ("Autopilot: pick up issues filed by other sessions mid-run", "feature", "high", "claude", "open",
     "A session only reads the ready queue at start-up. Follow-up issues filed by another session wait for the "
     "next run.",
     ["crates/autopilot/src/queue.rs"], None),
    ("Nightly build fails on macOS 15 (linker error)", "bug", "urgent", "codex", "open",
     "`ld: library not found for -liconv` since the runner image update.",
     [".github/workflows/nightly.yml", "build.rs"], "cargo build --release --target aarch64-apple-darwin"),
    ("Add per-project budget overrides in the config file", "feature", "medium", "codex", "open",
     "Projects share a global default budget; some need much less.",
     ["crates/autopilot/src/config.rs"], None),
    ("Trajectory files are never cleaned up", "task", "low", "claude", "open",
     "`docs/logs/` grows by about 200 MB a week on busy repos.",
     ["crates/autopilot/src/trajectory.rs"], "du -sh docs/logs"),
    ("Show model and budget in the session header", "feature", "low", "claude", "open",
     "The header only shows the session id, which nobody can read.",
     ["crates/desktop/src/views/session.rs"], None),
    ("Panic on empty `blocked_reason` from imported issues", "bug", "high", "codex", "open",
     "Issues imported from older exports carry `\"\"` instead of `null` and `unwrap()` on the parse fails.",
     ["crates/issues/src/import.rs"], "cargo autopilot issue import old-export.json"),
    ("Benchmark ready-queue query on 100k issues", "task", "medium", "codex", "open",
     "We have no numbers for large queues. The ready query sorts on an expression and may need an index.",
     ["crates/issues/benches/ready.rs"], "cargo bench -p issues ready"),
    ("Relay: persist subscriptions across restarts", "feature", "low", "claude", "open",
     "Clients have to resubscribe after every deploy.",
     ["crates/relay/src/subscriptions.rs"], None),
    ("Use `gh pr create --fill` fallback when the PR template is missing", "task", "low", "codex", "open",
     "Autopilot fails to open a PR on repos without `.github/pull_request_template.md`.",
     ["crates/github/src/pr.rs"], "gh pr create --fill"),
    ("Sessions view: sort by budget spent", "feature", "low", "claude", "open",
     "Finding the expensive sessions means scrolling through all of them.",
     ["tui/widgets/sessions.py"], None),
    ("Upgrade `rusqlite` to 0.32", "task", "medium", "codex", "open",
     "0.28 is two years old and pins an old bundled SQLite without `RETURNING` support in some builds.",
     ["Cargo.toml", "crates/issues/Cargo.toml"], "cargo update -p rusqlite"),
    ("Docs site: broken links after the sidebar restructure", "bug", "medium", "codex", "open",
     "About 30 internal links 404 since the guides moved under `/guides/`.",
     ["docs/astro.config.mjs"], "npx linkinator https://docs.openagents.com --recurse"),
    ("Handle SIGTERM in autopilot: release the claim before exit", "bug", "high", "claude", "open",
     "Killing a session leaves its issue claimed for 15 minutes.",
     ["crates/autopilot/src/main.rs", "crates/issues/src/issue.rs"], "kill -TERM $(pgrep autopilot)"),
    ("Add `issue show --events` to print the audit log", "feature", "medium", "codex", "open",
     "The events table is written but nothing reads it.",
     ["crates/autopilot/src/cli.rs"], "cargo autopilot issue show 42 --events"),
    ("Wallet sync hangs when the Esplora server is down", "bug", "high", "claude", "open",
     "No timeout on the HTTP client; the UI spinner runs forever.",
     ["crates/wallet/src/sync.rs"], None),
    ("Make the issue counter gap-free under concurrent inserts", "bug", "medium", "codex", "open",
     "Number allocation and insert are two statements without a transaction.",
     ["crates/issues/src/issue.rs"], None),
    ("Stream partial tool output to the trajectory", "feature", "medium", "claude", "open",
     "Long-running tools show nothing until they exit.",
     ["crates/autopilot/src/tools.rs"], None),
    ("Type-check the docs site in CI", "task", "low", "codex", "open",
     "Broken component props only show up in production builds.",
     [".github/workflows/docs.yml"], "npx astro check"),
    ("Upgrade to Claude Agent SDK 0.2", "task", "high", "claude", "blocked",
     "The new SDK changes the hook signatures and the session resume API.",
     ["crates/autopilot/Cargo.toml", "crates/autopilot/src/hooks.rs"], None),
    ("Publish the relay as a Docker image", "task", "medium", "codex", "blocked",
     "Operators want `docker run` instead of building from source.",
     ["Dockerfile", ".github/workflows/docker.yml"], "docker build -t openagents/relay ."),
    ("Pay agents per completed job over Lightning", "feature", "high", "claude", "blocked",
     "NIP-90 job results should settle an invoice automatically when the customer accepts them.",
     ["crates/relay/src/payments.rs", "crates/wallet/src/pay.rs"], None),
    ("Sign release binaries for Windows", "task", "medium", "codex", "blocked",
     "SmartScreen warns on every download.",
     [".github/workflows/release.yml"], None),
    ("Intermittent `database is locked` in the autopilot", "bug", "urgent", "claude", "blocked",
     "Seen twice this week under two concurrent sessions; the busy timeout should have covered it.",
     ["crates/issues/src/db.rs"], "RUST_LOG=issues=debug cargo autopilot run"),
    ("Translate the docs quick start to Spanish", "task", "low", "codex", "blocked",
     "Community request; we have a volunteer reviewer.",
     ["docs/src/content/es/quickstart.md"], None),
    ("Retry failed PR checks once before blocking the issue", "feature", "medium", "claude", "progress",
     "Most CI failures on agent PRs are flakes. One automatic retry would save a human round trip.",
     ["crates/github/src/checks.rs"], "gh run rerun --failed"),
    ("Fix clippy warnings in `crates/wallet`", "task", "low", "codex", "progress",
     "`cargo clippy -- -D warnings` is about to become a CI gate.",
     ["crates/wallet/src/lib.rs"], "cargo clippy -p wallet -- -D warnings"),
    ("Relay memory grows without bound under load", "bug", "high", "claude", "progress",
     "RSS climbs about 50 MB an hour with 200 subscribers; closed subscriptions are never removed from the map.",
     ["crates/relay/src/subscriptions.rs"], "heaptrack ./target/release/relay"),
    ("Add an `--max-issues` flag to stop a session after N issues", "feature", "medium", "claude", "stale",
     "Useful for cost control and for demos: the session ends cleanly after N completed issues.",
     ["crates/autopilot/src/cli.rs", "crates/autopilot/src/run.rs"], "cargo autopilot run --max-issues 3"),
    ("Hook up OpenTelemetry traces for tool calls", "feature", "low", "codex", "open",
     "We can't see where a slow session spends its time.",
     ["crates/autopilot/src/telemetry.rs"], None),
    ("Cache `cargo metadata` between tool calls", "task", "medium", "codex", "done",
     "Every tool call that needs the workspace layout re-runs it, 1-2 s each.",
     ["crates/autopilot/src/workspace.rs"], "cargo metadata --format-version 1 | wc -c"),
    ("Desktop app freezes when opening a 50 MB trajectory", "bug", "high", "claude", "done",
     "The whole file is parsed on the UI thread.",
     ["crates/desktop/src/views/trajectory.rs"], None),
    ("Add a `CONTRIBUTING.md` section on agent-written PRs", "task", "low", "codex", "done",
     "Reviewers asked how to tell agent PRs apart and what to check.",
     ["CONTRIBUTING.md"], None),
    ("Relay: reject events with timestamps far in the future", "bug", "medium", "claude", "done",
     "A client with a wrong clock can pin its events to the top of every feed.",
     ["crates/relay/src/validate.rs"], None),
    ("Autopilot prompt: tell the agent to run tests before completing", "task", "high", "claude", "done",
     "About one completed issue in six breaks the build.",
     ["crates/autopilot/src/prompts/system.md"], None),
    ("Issue titles longer than 200 characters break the table", "bug", "low", "codex", "open",
     "The crate never validated length; imported titles can be arbitrarily long.",
     ["crates/issues/src/issue.rs"], None),
    ("Parallel sessions on one repo step on each other's branches", "bug", "high", "claude", "open",
     "Two sessions both create `autopilot/fix-123` and force-push over each other.",
     ["crates/autopilot/src/git.rs"], "git worktree list"),
]

# Why each seeded blocked issue is blocked (the simulated autopilot draws from BLOCK_REASONS).
SEED_BLOCK_REASONS = {
    "Escape [bold]markup[/] in titles":
        "Needs a decision: show markup literally everywhere, or allow it in descriptions only? Asked in #tui.",
    "Upgrade to Claude Agent SDK 0.2":
        "Needs a decision from a maintainer: keep the old hook API behind a feature flag, or break it now?",
    "Publish the relay as a Docker image": "No push access to the `openagents` Docker Hub organisation yet.",
    "Pay agents per completed job over Lightning": "Depends on #7 (pending invoices) and a NIP-90 spec change "
                                                   "that is still under review.",
    "Sign release binaries for Windows": "Code-signing certificate has not been issued yet.",
    "Intermittent `database is locked` in the autopilot":
        "Cannot reproduce in the sandbox: needs two real sessions on one machine for several hours.",
    "Translate the docs quick start to Spanish": "Waiting for the volunteer reviewer to confirm the terminology.",
}

BLOCK_REASONS = [
    "Needs a decision from a maintainer: keep the old hook API behind a feature flag, or break it now?",
    "CI runner is out of disk space; the integration suite cannot run until it is cleaned up.",
    "Waiting on an upstream fix in `tokio-tungstenite` (frame size limit is not configurable yet).",
    "Missing credentials: the staging relay's API key is not available in the sandbox.",
    "Tests need network access, which this sandbox denies.",
    "Spec is ambiguous: the acceptance criteria contradict the README. Asked in #autopilot.",
    "Depends on #12 landing first (schema change).",
    "Code-signing certificate has not been issued yet.",
    "Reproduction needs a macOS runner; none is available to this agent.",
    "Waiting for the volunteer reviewer to confirm the terminology.",
]

NEW_ISSUE_TITLES = [
    ("Flaky test: `{crate}::tests::{test}` times out on CI", "bug"),
    ("Reduce allocations in the {crate} hot path", "task"),
    ("Add tracing spans around {crate} request handling", "task"),
    ("{crate}: error message for a missing config file is unhelpful", "bug"),
    ("Bump {crate} dependencies and fix deprecations", "task"),
    ("Add a `--dry-run` flag to `autopilot {cmd}`", "feature"),
    ("Document the `{cmd}` subcommand's exit codes", "task"),
    ("Property tests for {crate} parsing", "task"),
    ("{crate}: handle SIGPIPE when output is piped to `head`", "bug"),
    ("Expose {crate} metrics on the status endpoint", "feature"),
    ("Unify error types across {crate} and issues", "task"),
    ("Cache {crate} results between sessions", "feature"),
]
CRATES = ["relay", "wallet", "autopilot", "issues", "desktop", "github", "llm", "nostr"]
COMMANDS = ["run", "issue list", "issue export", "issue import", "init", "status"]
TESTS = ["reconnect_backoff", "claim_race", "budget_cutoff", "resume_session", "import_roundtrip", "pr_watcher"]

FOLLOW_UP_TEMPLATES = [
    "Follow-up: add a regression test for #{n}",
    "Follow-up: clean up the workaround from #{n}",
    "Follow-up: document the change made in #{n}",
    "Follow-up: #{n} left a TODO in the error path",
]

ACCEPTANCE = {
    "bug": ["A regression test reproduces the bug and passes with the fix",
            "No new warnings from `cargo clippy`", "The changelog mentions the fix"],
    "feature": ["Covered by unit tests", "Documented in the README or `--help`",
                "Behind no flag: on by default", "Works on Linux and macOS"],
    "task": ["CI is green", "No behaviour change for existing users", "Docs updated where relevant"],
}


def _description(rng: random.Random, issue_type: str, summary: str, files: list[str], command: str | None) -> str:
    parts = ["## Summary", "", summary, ""]
    if files:
        parts += ["## Where", ""] + [f"- `{f}`" for f in files] + [""]
    if issue_type == "bug":
        parts += ["## Reproduce", ""]
        if command:
            parts += ["```sh", command, "```", ""]
        parts += ["**Expected:** it works as documented.", "",
                  f"**Actual:** see the summary; reported {rng.choice(['twice', 'by a user', 'on CI', 'in a session log'])}.", ""]
    else:
        parts += ["## Plan", ""]
        steps = [f"Read the current code in `{files[0]}`" if files else "Read the current code",
                 "Write the change behind small, reviewable commits"]
        if command:
            steps.append(f"Check with `{command}`")
        steps.append("Open a PR and link this issue")
        parts += [f"{i}. {s}" for i, s in enumerate(steps, 1)] + [""]
    criteria = rng.sample(ACCEPTANCE.get(issue_type, ACCEPTANCE["task"]), 2)
    parts += ["## Acceptance criteria", ""] + [f"- [ ] {c}" for c in criteria]
    return "\n".join(parts)


def _new_issue(rng: random.Random, agent: str, follow_up_of: int | None = None) -> dict:
    if follow_up_of is not None:
        title = rng.choice(FOLLOW_UP_TEMPLATES).format(n=follow_up_of)
        issue_type = "task"
        summary = (f"While working on #{follow_up_of} the agent noticed something out of scope for that issue. "
                   "Filed so it is not lost.")
        files: list[str] = []
        priority = rng.choice(["low", "medium", "medium"])
    else:
        template, issue_type = rng.choice(NEW_ISSUE_TITLES)
        crate = rng.choice(CRATES)
        title = template.format(crate=crate, cmd=rng.choice(COMMANDS), test=rng.choice(TESTS))
        summary = f"Found while running the `{crate}` test suite. Small, self-contained, good for an agent."
        files = [f"crates/{crate}/src/{rng.choice(['lib.rs', 'main.rs', 'config.rs', 'error.rs'])}"]
        priority = rng.choice(["urgent", "high", "medium", "medium", "low"])
    return {"title": title, "description": _description(rng, issue_type, summary, files, None),
            "priority": priority, "issue_type": issue_type, "agent": agent}


# ---------------------------------------------------------------------------------------------------
# make_demo_db
# ---------------------------------------------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    except OverflowError:
        return False
    return True


def dead_pid() -> int:
    """A pid that no process has right now."""
    for pid in DEAD_PID_CANDIDATES:
        if not _pid_alive(pid):
            return pid
    raise RuntimeError("could not find an unused pid for the dead demo session")


class _SimClock:
    """The store's clock during `make_demo_db`: history is written with past timestamps, through the store."""

    def __init__(self, start_ns: int) -> None:
        self.t = start_ns

    def __call__(self) -> int:
        return self.t

    def advance(self, rng: random.Random, lo_min: float, hi_min: float) -> None:
        self.t += int(rng.uniform(lo_min, hi_min) * MINUTE_NS)


def _model_for(agent: str, project_model: str | None) -> str:
    return "gpt-5-codex" if agent == "codex" else (project_model or "sonnet")


def _prompt(project: str, agent: str) -> str:
    return (f"Work the {project} issue queue as {agent}: take the next ready issue, implement it, run the tests, "
            "commit, and complete it. Block it with a reason if you cannot finish.")


def _trajectory(project_path: str, started_ns: int, n: int) -> str:
    stamp = time.strftime("%Y%m%d/%H%M", time.gmtime(started_ns // 1_000_000_000))
    return f"{project_path}/docs/logs/{stamp}-autopilot-{n}.rlog"


def expected_demo_counts() -> dict[str, int]:
    """What `make_demo_db` writes, by final state (independent of the seed)."""
    counts = {"done": 0, "open": 0, "blocked": 0, "progress": 0, "stale": 0}
    for row in ISSUES:
        counts[row[4]] += 1
    return counts


def make_demo_db(path: str | os.PathLike, seed: int | None = None) -> None:
    """Write a realistic demo DB at `path` (which must not exist, or be empty).

    Four projects; ~60 issues (done, ready, blocked, in progress); historical sessions (completed / failed)
    with budget spent; one "running" session whose pid is dead, holding a claim 25 minutes old (a stale claim).
    History is written through the store with a simulated clock, so events and timestamps are consistent.
    """
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise FileExistsError(f"{path} already exists; the demo DB is only written to a new file")
    rng = random.Random(seed)
    real_now = time.time_ns()
    clock = _SimClock(real_now - 6 * 24 * 60 * MINUTE_NS)
    human = "user:chris"
    store = Store.open(path, clock=clock, actor=human)
    try:
        projects = {}
        for name, ppath, desc, model, budget in PROJECTS:
            projects[name] = store.create_project(name, ppath, desc, model, budget)
            clock.advance(rng, 1, 10)

        # 1. File every issue over the first few days (humans, mostly).
        created = []  # (issue, row)
        for row in ISSUES:
            title, itype, prio, agent, state, summary, files, command = row
            issue = store.create_issue(title, _description(rng, itype, summary, files, command), prio, itype, agent,
                                       actor=human if rng.random() < 0.85 else "user:dana")
            created.append((issue, row))
            clock.advance(rng, 20, 90)

        # 2. Historical sessions work through the done and blocked issues, oldest first.
        history = [(i, r) for i, r in created if r[4] in ("done", "blocked")]
        rng.shuffle(history)
        history.sort(key=lambda ir: (ir[1][4] == "blocked", rng.random()))  # mostly done first, blocks later
        run_n = 0
        session_n = 0
        hist_end = real_now - 3 * 60 * MINUTE_NS
        queue = list(history)
        while queue:
            agent = queue[0][1][3]
            project = rng.choice([projects["openagents"], projects["openagents"], projects["issues-tui"],
                                  projects["nostr-relay"], projects["docs-site"]])
            session_n += 1
            session = store.create_session(project.id, _prompt(project.name, agent),
                                           _model_for(agent, project.default_model), pid=rng.randint(2000, 60000))
            store.update_session_trajectory(session.id, _trajectory(project.path, clock.t, session_n))
            spent, done_count = rng.uniform(0.02, 0.1), 0
            batch = [ir for ir in queue if ir[1][3] == agent][: rng.randint(2, 5)]
            for issue, row in batch:
                queue.remove((issue, row))
                run_n += 1
                clock.advance(rng, 1, 4)
                store.claim_issue(issue.id, f"run-{run_n}")
                clock.advance(rng, 8, 45)  # the agent works on it
                if row[4] == "blocked":
                    store.block_issue(issue.id, SEED_BLOCK_REASONS.get(row[0]) or rng.choice(BLOCK_REASONS),
                                      actor=f"run-{run_n}")
                    spent += rng.uniform(0.05, 0.3)
                else:
                    store.complete_issue(issue.id, actor=f"run-{run_n}")
                    spent += rng.uniform(0.1, 1.2)
                    done_count += 1
                store.update_session_metrics(session.id, round(spent, 4), done_count)
            clock.advance(rng, 1, 5)
            status = SessionStatus.FAILED if rng.random() < 0.2 else SessionStatus.COMPLETED
            store.update_session_status(session.id, status)
            # Spread the remaining sessions over the time left before `hist_end`.
            sessions_left = len(queue) / 3.5 + 1
            clock.t += int(max(hist_end - clock.t, 0) / sessions_left * rng.uniform(0.5, 1.5))

        # A cancelled session that did nothing, for variety.
        clock.t = max(clock.t, real_now - 100 * MINUTE_NS)
        s = store.create_session(projects["docs-site"].id, _prompt("docs-site", "codex"), "gpt-5-codex", pid=31337)
        clock.advance(rng, 1, 3)
        store.update_session_metrics(s.id, 0.03, 0)
        store.update_session_status(s.id, SessionStatus.CANCELLED)

        # 3. The dead session: "running", pid gone, its claim 25 minutes old (stale).
        clock.t = real_now - 40 * MINUTE_NS
        dead = store.create_session(projects["openagents"].id, _prompt("openagents", "claude"),
                                    _model_for("claude", "sonnet"), pid=dead_pid())
        store.update_session_trajectory(dead.id, _trajectory("~/code/openagents", clock.t, session_n + 1))
        clock.t = real_now - 30 * MINUTE_NS
        store.update_session_metrics(dead.id, 0.42, 0)  # tokens spent on the issue it never finished
        for issue, row in created:
            if row[4] == "stale":
                run_n += 1
                clock.t = real_now - STALE_CLAIM_MINUTES * MINUTE_NS
                store.claim_issue(issue.id, f"run-{run_n}")

        # 4. Fresh claims, a few minutes old.
        for k, (issue, row) in enumerate([ir for ir in created if ir[1][4] == "progress"]):
            run_n += 1
            clock.t = real_now - int((9 - 3 * k) * MINUTE_NS)
            store.claim_issue(issue.id, f"run-{run_n}")
    finally:
        store.close()


# ---------------------------------------------------------------------------------------------------
# The simulated autopilot
# ---------------------------------------------------------------------------------------------------

AGENT_NAMES = ("claude", "codex")
LOW_WATER = 5  # with this few ready issues left for an agent, new ones sometimes get filed


def _max_run_number(path: Path) -> int:
    """Highest `run-<n>` already used in the DB (a plain read; writes all go through the store)."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5)
        try:
            rows = conn.execute("SELECT DISTINCT claimed_by FROM issues WHERE claimed_by LIKE 'run-%' "
                                "UNION SELECT new_value FROM issue_events "
                                "WHERE event_type = 'claimed' AND new_value LIKE 'run-%'").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return 0
    best = 0
    for (value,) in rows:
        try:
            best = max(best, int(str(value).split("-", 1)[1]))
        except (ValueError, IndexError):
            pass
    return best


@dataclass
class _Shared:
    stop: threading.Event
    deadline: float | None
    speed: float
    next_run: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    errors: list = field(default_factory=list)

    def run_id(self) -> str:
        with self.lock:
            self.next_run += 1
            return f"run-{self.next_run}"

    def stopped(self) -> bool:
        return self.stop.is_set() or (self.deadline is not None and time.monotonic() >= self.deadline)

    def sleep(self, seconds: float) -> bool:
        """Sleep (scaled by speed) unless asked to stop. True if we should stop."""
        seconds = max(seconds / self.speed, 0.01)
        if self.deadline is not None:
            seconds = min(seconds, max(self.deadline - time.monotonic(), 0))
        self.stop.wait(seconds)
        return self.stopped()


class _Agent:
    def __init__(self, index: int, path: Path, shared: _Shared, rng: random.Random) -> None:
        self.name = AGENT_NAMES[index % len(AGENT_NAMES)]
        self.index = index
        self.path = path
        self.shared = shared
        self.rng = rng
        self.store: Store | None = None
        self.session = None
        self.project = None
        self.spent = 0.0
        self.completed = 0
        self.session_target = 0
        self.current = None  # (issue_id, run_id) being worked on

    # -- store calls that must never kill the demo --------------------------------------------
    def _safe(self, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ConflictError:
            raise
        except StoreError as exc:  # BusyError and friends: note it, back off, carry on
            self.shared.errors.append(exc)
            self.shared.sleep(self.rng.uniform(0.5, 1.5) * self.shared.speed)  # ~1 s, not scaled
            return None

    def _retry(self, fn, *args, **kwargs):
        """Finishing an issue: retry a few times through transient errors, else give the claim back."""
        for _ in range(3):
            result = self._safe(fn, *args, **kwargs)
            if result is not None or self.shared.stopped():
                return result
        if self.current is not None:
            self._safe(self.store.unclaim_issue, self.current[0], actor=self.current[1])
        return None

    def _start_session(self) -> None:
        projects = self._safe(self.store.list_projects) or []
        if not projects:
            self.project = self._safe(self.store.create_project, "openagents", "~/code/openagents",
                                      "Desktop + CLI for autonomous coding agents", "sonnet", 10.0)
            if self.project is None:
                return
        else:
            preferred = sorted(projects, key=lambda p: p.created_at)
            self.project = preferred[self.index % min(len(preferred), 2)]
        self.session = self._safe(self.store.create_session, self.project.id, _prompt(self.project.name, self.name),
                                  _model_for(self.name, self.project.default_model), os.getpid())
        if self.session is not None:
            self._safe(self.store.update_session_trajectory, self.session.id,
                       _trajectory(self.project.path, time.time_ns(), self.rng.randint(100, 999)))
        self.spent = 0.0
        self.completed = 0
        self.session_target = self.rng.randint(3, 8)

    def _end_session(self, status: SessionStatus) -> None:
        if self.session is not None:
            self._safe(self.store.update_session_status, self.session.id, status)
        self.session = None

    def _file_issues(self, count: int, follow_up_of: int | None = None) -> None:
        for _ in range(count):
            spec = _new_issue(self.rng, self.name, follow_up_of)
            self._safe(self.store.create_issue, spec["title"], spec["description"], spec["priority"],
                       spec["issue_type"], spec["agent"], actor=self.session_actor())

    def session_actor(self) -> str:
        return f"autopilot:{self.name}"

    def _work_one(self) -> None:
        waiting = self._safe(self.store.ready_queue, self.name, LOW_WATER + 1)
        if waiting is not None and 0 < len(waiting) <= LOW_WATER and self.rng.random() < 0.4:
            self._file_issues(1)  # new work trickles in, as it does from people and other sessions
        issue = self._safe(self.store.get_next_ready_issue, self.name)
        if issue is None:
            if self.shared.stopped():
                return
            # The queue ran dry (or a read failed): file a few so the demo never goes static.
            self._file_issues(self.rng.randint(2, 4))
            self.shared.sleep(self.rng.uniform(1.0, 2.0))
            return
        run_id = self.shared.run_id()
        if not self._safe(self.store.claim_issue, issue.id, run_id, actor=run_id):
            return  # someone else got it first (or the write failed); take the next one
        self.current = (issue.id, run_id)
        claimed = self._safe(self.store.get_issue_by_id, issue.id)
        if self.shared.sleep(self.rng.uniform(2.0, 6.0)):
            return  # stopping: `_cleanup` releases the claim
        guard = claimed.updated_at if claimed is not None else None
        roll = self.rng.random()
        try:
            if roll < 0.10:
                self._retry(self.store.block_issue, issue.id, self.rng.choice(BLOCK_REASONS),
                            expect_updated_at=guard, actor=run_id)
            else:
                if self._retry(self.store.complete_issue, issue.id, expect_updated_at=guard, actor=run_id):
                    self.completed += 1
                    self.spent += self.rng.uniform(0.05, 0.4)
                    if self.session is not None:
                        self._safe(self.store.update_session_metrics, self.session.id, round(self.spent, 4),
                                   self.completed)
                if roll > 0.90:
                    self._file_issues(1, follow_up_of=issue.number)
        except ConflictError:
            pass  # a person changed the issue while we worked on it: leave it to them
        self.current = None

    def _cleanup(self) -> None:
        """On stop: release the claim we hold (nobody will finish it) and cancel the session."""
        if self.current is not None and self.store is not None:
            try:
                self.store.unclaim_issue(self.current[0], actor=self.current[1])
            except StoreError:
                pass
            self.current = None
        if self.session is not None and self.store is not None:
            try:
                self.store.update_session_status(self.session.id, SessionStatus.CANCELLED)
            except StoreError:
                pass
            self.session = None

    def run(self) -> None:
        try:
            while not self.shared.stopped():
                if self.store is None:
                    try:
                        self.store = Store.open(self.path, create=False, actor=f"autopilot:{self.name}")
                    except StoreError as exc:
                        self.shared.errors.append(exc)
                        self.shared.stop.wait(1.0)
                        continue
                if self.session is None:
                    self._start_session()
                    if self.session is None:
                        continue
                try:
                    self._work_one()
                except StoreError as exc:  # belt and braces: nothing store-related ends the agent
                    self.shared.errors.append(exc)
                    self.shared.stop.wait(1.0)
                if self.shared.stopped():
                    break
                if self.completed >= self.session_target:
                    self._end_session(SessionStatus.FAILED if self.rng.random() < 0.1 else SessionStatus.COMPLETED)
                    if self.shared.sleep(self.rng.uniform(1.0, 3.0)):
                        break
                else:
                    self.shared.sleep(self.rng.uniform(0.5, 1.5))
        finally:
            self._cleanup()
            if self.store is not None:
                try:
                    self.store.close()
                except Exception:
                    pass


def run_autopilot(path: str | os.PathLike, agents: int = 2, speed: float = 1.0,
                  stop_event: threading.Event | None = None, duration: float | None = None,
                  seed: int | None = None) -> list[Exception]:
    """Simulate `agents` autopilots (threads, each with its own connection) working the DB at `path`.

    Runs until `stop_event` is set or `duration` seconds pass (forever if neither), then releases any
    claim it holds, cancels its running sessions and returns the transient store errors it rode out.
    """
    path = Path(path)
    speed = speed if speed and speed > 0 else 1.0
    stop = stop_event or threading.Event()
    deadline = time.monotonic() + duration if duration is not None else None
    shared = _Shared(stop=stop, deadline=deadline, speed=speed, next_run=_max_run_number(path))
    base = random.Random(seed)
    workers = [_Agent(i, path, shared, random.Random(base.random())) for i in range(max(int(agents), 1))]
    threads = [threading.Thread(target=w.run, name=f"demo-agent-{w.name}-{i}", daemon=True)
               for i, w in enumerate(workers)]
    for i, t in enumerate(threads):
        t.start()
        if i + 1 < len(threads) and shared.sleep(0.5):  # stagger the agents a little
            break
    try:
        while any(t.is_alive() for t in threads):
            for t in threads:
                t.join(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    return shared.errors


# ---------------------------------------------------------------------------------------------------
# Process management (used by the dashboard)
# ---------------------------------------------------------------------------------------------------

def spawn_autopilot(path: str | os.PathLike, agents: int = 2, speed: float = 1.0) -> subprocess.Popen:
    """Start the simulated autopilot as its own process (own session/process group, output discarded)."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.Popen(
        [sys.executable, "-m", "tui.demo", "autopilot", str(path), "--agents", str(int(agents)), "--speed", str(speed),
         "--parent-pid", str(os.getpid())],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True, env=env, cwd=root,
    )


def stop_autopilot(proc: subprocess.Popen | None, timeout: float = 3.0) -> int | None:
    """Terminate the autopilot process and wait for it; kill it if it is still there after `timeout` s."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            proc.terminate()
        except ProcessLookupError:
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                proc.kill()
            except ProcessLookupError:
                pass
            proc.wait()
    return proc.returncode


def demo_setup(tmpdir: str | os.PathLike | None = None, seed: int | None = None) -> Path:
    """A new temp folder (under `tmpdir` if given) holding a fresh demo DB `autopilot.db`; returns its path."""
    folder = Path(tempfile.mkdtemp(prefix="issues-tui-demo-", dir=tmpdir))
    db = folder / DEMO_DB_NAME
    make_demo_db(db, seed=seed)
    return db


def demo_cleanup(db: str | os.PathLike) -> None:
    """Remove the temp folder `demo_setup` made for `db` (the DB, its -wal/-shm, anything else in it).
    Only a folder that `demo_setup` could have made is removed."""
    folder = Path(db).parent
    if folder.name.startswith("issues-tui-demo-") and Path(db).name == DEMO_DB_NAME:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------------------------------------------
# python -m tui.demo
# ---------------------------------------------------------------------------------------------------

def _watch_parent(stop: threading.Event, parent: int) -> None:
    while not stop.wait(1.0):
        if os.getppid() != parent:
            stop.set()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tui.demo", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("make", help="write a demo DB to a new file")
    make.add_argument("path")
    make.add_argument("--seed", type=int, default=None)
    auto = sub.add_parser("autopilot", help="run the simulated autopilot against a DB")
    auto.add_argument("path")
    auto.add_argument("--agents", type=int, default=2)
    auto.add_argument("--speed", type=float, default=1.0)
    auto.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    auto.add_argument("--seed", type=int, default=None)
    auto.add_argument("--parent-pid", type=int, default=None,
                      help="exit when this process is no longer our parent (default: the parent at start-up)")
    args = parser.parse_args(argv)

    if args.command == "make":
        try:
            make_demo_db(args.path, seed=args.seed)
        except (FileExistsError, StoreError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        print(args.path)
        return 0

    if args.agents < 1 or args.speed <= 0:
        parser.error("--agents must be at least 1 and --speed positive")
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, on_signal)
    parent = args.parent_pid if args.parent_pid is not None else os.getppid()
    if os.getppid() != parent:
        return 0  # the process that started us is already gone
    threading.Thread(target=_watch_parent, args=(stop, parent), daemon=True, name="parent-watch").start()
    run_autopilot(args.path, agents=args.agents, speed=args.speed, stop_event=stop, duration=args.duration,
                  seed=args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
