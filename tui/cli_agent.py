"""The agent-facing subcommands (either backend) and `migrate`.

    issues-tui claim --agent A --run RUN [--json]     take the next ready issue (JSON `null` when none; exit 0)
    issues-tui complete N [--run RUN]                 done (with --run: only if RUN holds the claim)
    issues-tui block N REASON [--run RUN]
    issues-tui unblock N
    issues-tui unclaim N [--run RUN]
    issues-tui heartbeat N --run RUN                  keep RUN's claim alive (another run's: refused)
    issues-tui release-stale [--minutes M]            give back claims older than M minutes (default 60)
    issues-tui migrate SRC DST                        SQLite file <-> empty PostgreSQL database

Exit status: 0 done, 1 refused (the issue is not in a state that allows it, or another run holds it; one line
on stderr says why, nothing changed), 2 error. A locked or conflicting database is retried, never an error;
a PostgreSQL server that is restarting is waited for (up to $ISSUES_TUI_CONNECT_WAIT seconds, default 10).
"""

from __future__ import annotations

import argparse
import json
import time

EXIT_REFUSED = 1
STALE_DEFAULT_MINUTES = 60
BUSY_RETRIES = 12
CONNECT_WAIT_S = 10.0
AGENT_COMMANDS = ("claim", "complete", "block", "unblock", "unclaim", "heartbeat", "release-stale", "migrate")


def _number(text: str) -> int:
    try:
        value = int(text.lstrip("#"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an issue number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{value} is not an issue number")
    return value


def _minutes(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of minutes") from None
    if not value > 0 or value != value or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 minutes, not {text}")
    return value


def _run_id(text: str) -> str:
    if not text.strip():
        raise argparse.ArgumentTypeError("a run id must not be empty")
    if len(text) > 200:
        raise argparse.ArgumentTypeError("a run id is at most 200 characters")
    return text


def add_parsers(sub, db_option) -> None:
    p = sub.add_parser("claim", help="claim the next ready issue", description="Atomically claim the next ready "
                       "issue in the crate's order and print it (JSON null / 'No ready issues' when none; exit 0).")
    db_option(p)
    p.add_argument("-a", "--agent", metavar="AGENT", help="only issues for this agent (default: any)")
    p.add_argument("-r", "--run", metavar="RUN", type=_run_id, default=None,
                   help="run id that holds the claim (default: manual-<unix seconds>, as the crate)")
    p.add_argument("--json", action="store_true", help="print the issue as a JSON object in the export shape")

    for name, text in (("complete", "mark an issue done"), ("unclaim", "give an in-progress issue back"),
                       ("unblock", "clear an issue's block")):
        p = sub.add_parser(name, help=text, description=text[0].upper() + text[1:] + ".")
        db_option(p)
        p.add_argument("number", metavar="N", type=_number)
        if name != "unblock":
            p.add_argument("-r", "--run", metavar="RUN", type=_run_id,
                           help="only if this run holds the claim (refused otherwise)")

    p = sub.add_parser("block", help="block an issue", description="Block an issue with a reason.")
    db_option(p)
    p.add_argument("number", metavar="N", type=_number)
    p.add_argument("reason", metavar="REASON")
    p.add_argument("-r", "--run", metavar="RUN", type=_run_id, help="only if this run holds the claim")

    p = sub.add_parser("heartbeat", help="keep a claim alive", description="Extend RUN's claim on issue N "
                       "(its lease runs 15 minutes from the last claim or heartbeat, by the database's clock).")
    db_option(p)
    p.add_argument("number", metavar="N", type=_number)
    p.add_argument("-r", "--run", metavar="RUN", type=_run_id, required=True)

    p = sub.add_parser("release-stale", help="give back stale claims", description="Put in-progress issues whose "
                       "claim is older than M minutes back to open (one event each) and print how many.")
    db_option(p)
    p.add_argument("-m", "--minutes", metavar="M", type=_minutes, default=STALE_DEFAULT_MINUTES,
                   help=f"claims older than this many minutes (default {STALE_DEFAULT_MINUTES})")

    p = sub.add_parser("migrate", help="copy between SQLite and PostgreSQL", description="Copy an issues DB: a "
                       "SQLite file into an empty PostgreSQL database, or a PostgreSQL database into a new SQLite "
                       "file, in one transaction (ids, numbers, events, timestamps to the nanosecond).")
    p.add_argument("source", metavar="SRC")
    p.add_argument("target", metavar="DST")


# -- helpers ---------------------------------------------------------------------------------------------
def _retrying(fn):
    """Run `fn()`, waiting out a database that stays locked (SQLite's busy timeout), so an agent never sees it."""
    from store import BusyError
    delay = 0.05
    for attempt in range(BUSY_RETRIES):
        try:
            return fn()
        except BusyError:
            if attempt == BUSY_RETRIES - 1:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


def _open_store(db: str, create: bool):
    """The store, waiting up to $ISSUES_TUI_CONNECT_WAIT seconds (default 10) for a database server that is
    restarting or full: an agent in a loop rides out a server restart instead of failing its claim."""
    import os
    from store import UnavailableError
    from .cli_text import open_for_writing
    try:
        wait = float(os.environ.get("ISSUES_TUI_CONNECT_WAIT", CONNECT_WAIT_S))
    except ValueError:
        wait = CONNECT_WAIT_S
    deadline, delay = time.monotonic() + wait, 0.1
    while True:
        try:
            return open_for_writing(db, create)
        except UnavailableError:
            if time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 1.0)


def _refused(message: str) -> int:
    from .cli_text import PROG, safe_terminal_text
    print(f"{PROG}: {safe_terminal_text(message)}", file=__import__("sys").stderr)
    return EXIT_REFUSED


def _issue(st, number: int):
    from .cli_text import CliError
    issue = st.get_issue_by_number(number)
    if issue is None:
        raise CliError(f"no issue #{number}")
    return issue


def _held_by_other(issue, run: str | None) -> str | None:
    if run is not None and issue.claimed_by != run:
        holder = f"run {issue.claimed_by}" if issue.claimed_by else "no run"
        return f"issue #{issue.number} is held by {holder}, not {run}; nothing changed"
    return None


def _transition(args, verb: str, call) -> int:
    """One guarded transition on issue N, retried while the DB is busy; exit 1 if it is refused."""
    from store import ConflictError
    from .cli_text import safe_terminal_text

    with _open_store(args.db, create=False) as st:
        def attempt():
            for _ in range(5):
                issue = _issue(st, args.number)
                other = _held_by_other(issue, getattr(args, "run", None))
                if other:
                    return other
                try:
                    if call(st, issue):
                        return None
                    return f"issue #{issue.number} is {issue.status_text}{' and blocked' if issue.is_blocked else ''}; cannot {verb} it"
                except ConflictError:
                    continue  # changed between our read and the write: look again
            return f"issue #{args.number} keeps changing; nothing changed"

        problem = _retrying(attempt)
        if problem:
            return _refused(problem)
        issue = st.get_issue_by_number(args.number)
    print(f"{verb.capitalize()}{'d' if verb.endswith('e') else 'ed'} issue #{issue.number}: {safe_terminal_text(issue.title)}")
    return 0


# -- commands ----------------------------------------------------------------------------------------------
def cmd_claim(args) -> int:
    from store.export import issue_to_export
    from store.issues import validate_agent
    from .cli_text import safe_terminal_json, safe_terminal_text

    agent = validate_agent(args.agent) if args.agent is not None else None
    run = args.run or f"manual-{int(time.time())}"
    with _open_store(args.db, create=False) as st:
        issue = _retrying(lambda: st.claim_next(run, agent=agent))
        if args.json:
            obj = issue_to_export(issue, st._now()) if issue is not None else None
            print(safe_terminal_json(json.dumps(obj, indent=2, ensure_ascii=False)))
        elif issue is None:
            print("No ready issues available")
        else:
            print(f"Claimed issue #{issue.number}: {safe_terminal_text(issue.title)} (run: {safe_terminal_text(run)})")
    return 0


def _actor(args) -> str | None:
    """With --run, the events name the run (as a claim's do); else the CLI user."""
    return getattr(args, "run", None)


def cmd_complete(args) -> int:
    return _transition(args, "complete", lambda st, i: st.complete_issue(i.id, expect_updated_at=i.updated_at,
                                                                         actor=_actor(args)))


def cmd_unclaim(args) -> int:
    return _transition(args, "unclaim", lambda st, i: st.unclaim_issue(i.id, expect_updated_at=i.updated_at,
                                                                       actor=_actor(args)))


def cmd_unblock(args) -> int:
    return _transition(args, "unblock", lambda st, i: st.unblock_issue(i.id, expect_updated_at=i.updated_at))


def cmd_block(args) -> int:
    from store.issues import validate_reason
    reason = validate_reason(args.reason)  # checked before the DB is opened
    return _transition(args, "block", lambda st, i: st.block_issue(i.id, reason, expect_updated_at=i.updated_at,
                                                                   actor=_actor(args)))


def cmd_heartbeat(args) -> int:
    with _open_store(args.db, create=False) as st:
        issue = _issue(st, args.number)
        if not _retrying(lambda: st.heartbeat(issue.id, args.run)):
            fresh = _issue(st, args.number)
            other = _held_by_other(fresh, args.run) or f"issue #{fresh.number} is {fresh.status_text}; nothing changed"
            return _refused(other.replace("nothing changed", "lease not extended"))
    print(f"Extended the claim of run {args.run} on issue #{issue.number}")
    return 0


def cmd_release_stale(args) -> int:
    with _open_store(args.db, create=False) as st:
        n = _retrying(lambda: st.release_stale_claims(args.minutes))
    minutes = f"{args.minutes:g}"
    print(f"Released {n} stale claim{'s' if n != 1 else ''} (older than {minutes} minute{'s' if minutes != '1' else ''})")
    return 0


def cmd_migrate(args) -> int:
    from store.transfer import migrate
    from .cli_text import safe_terminal_text
    print(safe_terminal_text(migrate(args.source, args.target).line()))
    return 0


COMMANDS = {"claim": cmd_claim, "complete": cmd_complete, "block": cmd_block, "unblock": cmd_unblock,
            "unclaim": cmd_unclaim, "heartbeat": cmd_heartbeat, "release-stale": cmd_release_stale,
            "migrate": cmd_migrate}
