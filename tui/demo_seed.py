"""Seeding the demo DB: `make_demo_db` writes a realistic history through the store with a simulated
clock; the description/issue generators here are shared with the simulated autopilot (tui/demo.py)."""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

from store import SessionStatus, Store

from .demo_data import ACCEPTANCE, BLOCK_REASONS, COMMANDS, CRATES, FOLLOW_UP_TEMPLATES, ISSUES, NEW_ISSUE_TITLES, \
    PROJECTS, SEED_BLOCK_REASONS, TESTS

MINUTE_NS = 60 * 1_000_000_000
STALE_CLAIM_MINUTES = 25  # the dead session's claim: older than the 15-minute expiry
DEAD_PID_CANDIDATES = (999_999, 999_998, 999_997, 4_194_303, 4_194_302, 2_147_483_646)


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
