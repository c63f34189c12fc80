"""`issues-tui`: the dashboard, plus `autopilot issue`-style subcommands over the same DB.

    issues-tui [DB] [--db PATH] [--create] [--demo] [--read-only]    start the dashboard
    issues-tui [--db PATH] add TITLE [-d DESC] [-p PRIORITY] [-t TYPE] [-a AGENT]
    issues-tui [--db PATH] list [-s STATUS] [--json] [--create]
    issues-tui [--db PATH] ready [-a AGENT] [-n LIMIT] [--json] [--create]
    issues-tui [--db PATH] export [-o PATH|-] [--include-completed] [--create]
    issues-tui [--db PATH] import [-i PATH|-] [--force]
    issues-tui [--db PATH] claim|complete|block|unblock|unclaim|heartbeat|release-stale ...   (tui/cli_agent.py)
    issues-tui migrate SRC DST

`--db` may come before or after the subcommand; its default is `$ISSUES_DB`, else `./autopilot.db`. A DB is a
SQLite file path or a PostgreSQL target (`postgresql://user@host/db`, `postgres://...`, a libpq keyword string,
a unix socket as `?host=/path`); a password in it is never shown.
Every error is one line `issues-tui: error: ...` on stderr and exit status 2. Input is checked before
the DB is opened, so a bad value never creates or changes a file. Text read from the DB is printed
with control characters made visible (an agent's title cannot drive the terminal).
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import NoReturn, Sequence

from .cli_agent import AGENT_COMMANDS
from .cli_agent import COMMANDS as AGENT_HANDLERS
from .cli_agent import add_parsers as add_agent_parsers
from .cli_text import (EXIT_ERROR, PROG, CliError, _one_line, _print_error,  # noqa: F401 (re-exported)
                       open_for_writing, safe_terminal_json, safe_terminal_text)

SUBCOMMANDS = ("add", "list", "ready", "export", "import") + AGENT_COMMANDS
DEFAULT_DB = "autopilot.db"
DEFAULT_EXCHANGE = os.path.join(".openagents", "issues.json")


class _Parser(argparse.ArgumentParser):
    """argparse, but an error is one line (no usage dump) and never exits with a traceback."""

    def error(self, message: str) -> NoReturn:
        hint = f" (see `{self.prog} --help`)"
        print(f"{PROG}: error: {_one_line(message)}{hint}", file=sys.stderr)
        raise SystemExit(EXIT_ERROR)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


# -- argument parsing -------------------------------------------------------------------------------
def _db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="PATH|URL", default=argparse.SUPPRESS,
                        help=f"issues database: a SQLite file or a postgresql:// URL (default: $ISSUES_DB, else ./{DEFAULT_DB})")


def build_command_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Work with the autopilot's issue database (the `issues` crate's file).")
    _db_option(parser)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("add", help="create an issue", description="Create an issue (creates the DB if missing).")
    _db_option(p)
    p.add_argument("title", metavar="TITLE")
    p.add_argument("-d", "--description", metavar="DESC")
    p.add_argument("-p", "--priority", metavar="PRIORITY", default="medium", help="urgent, high, medium (default), low")
    p.add_argument("-t", "--type", dest="issue_type", metavar="TYPE", default="task", help="task (default), bug, feature")
    p.add_argument("-a", "--agent", metavar="AGENT", default=None, help="agent that should work on it (default: codex)")

    p = sub.add_parser("list", help="list issues", description="List issues by number.")
    _db_option(p)
    p.add_argument("-s", "--status", metavar="STATUS", help="open, in_progress or done (default: all)")
    p.add_argument("--json", action="store_true", help="a JSON array in the crate's export shape")
    p.add_argument("--create", action="store_true", help="create the DB if it is missing or empty")

    p = sub.add_parser("ready", help="show the ready queue", description="The ready queue, in the order agents get it.")
    _db_option(p)
    p.add_argument("-a", "--agent", metavar="AGENT")
    p.add_argument("-n", "--limit", metavar="LIMIT", type=_positive_int, default=20, help="how many (default 20)")
    p.add_argument("--json", action="store_true", help="a JSON array in the crate's export shape")
    p.add_argument("--create", action="store_true", help="create the DB if it is missing or empty")

    p = sub.add_parser("export", help="export issues as JSON", description="Write the crate's export JSON.")
    _db_option(p)
    p.add_argument("-o", "--output", metavar="PATH", default=DEFAULT_EXCHANGE,
                   help=f"output file, or - for stdout (default: {DEFAULT_EXCHANGE})")
    p.add_argument("--include-completed", action="store_true", help="include done issues")
    p.add_argument("--create", action="store_true", help="create the DB if it is missing or empty")

    p = sub.add_parser("import", help="import issues from JSON", description="Import a crate export (creates the DB if missing).")
    _db_option(p)
    p.add_argument("-i", "--input", metavar="PATH", default=DEFAULT_EXCHANGE,
                   help=f"input file, or - for stdin (default: {DEFAULT_EXCHANGE})")
    p.add_argument("--force", action="store_true", help="update issues that already exist")
    add_agent_parsers(sub, _db_option)
    return parser


def build_dashboard_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Live dashboard over the autopilot's issue database. "
                    f"Subcommands: {', '.join(SUBCOMMANDS)} (see `{PROG} COMMAND --help`).",
    )
    parser.add_argument("path", metavar="DB", nargs="?", default=None,
                        help="issues database: a SQLite file, a repo folder (its .openagents/autopilot.db), "
                             "or a postgresql:// URL / libpq string "
                             f"(default: --db, the config file, $ISSUES_DB, else ./{DEFAULT_DB})")
    parser.add_argument("more", metavar="DB", nargs="*", default=[],
                        help="more databases or repo folders: every repo's issues in one dashboard "
                             "(also [[sources]] in the config)")
    _db_option(parser)
    parser.add_argument("--create", action="store_true", help="create the DB if it is missing or empty")
    parser.add_argument("--demo", action="store_true", help="show a demo database with a simulated agent")
    parser.add_argument("--read-only", action="store_true", help="never write to the database")
    return parser


def first_positional(argv: Sequence[str]) -> str | None:
    """The first token that is neither an option nor the value of `--db` (None if there is none)."""
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token == "--":
            return None  # whatever follows is an operand (a DB path), never a subcommand
        if token == "--db":
            skip = True
            continue
        if token.startswith("-") and token != "-":
            continue
        return token
    return None


def default_db_path() -> str:
    return os.environ.get("ISSUES_DB") or DEFAULT_DB


# -- commands ---------------------------------------------------------------------------------------
_open_store = open_for_writing


def _open_for_reading(db: str, create: bool):
    """A reading command's store: `mode=ro`, so the file stays byte for byte as it was (no WAL switch, no
    store objects), works in a read-only folder, and never waits for a writer. An older schema (v1-v4) is
    migrated in memory only. With --create a missing or empty file is first made (that is a write)."""
    from store import Store, default_actor, is_server_target, open_store
    if is_server_target(db):  # PostgreSQL: a read-only session (the server refuses any write in it)
        if create:
            open_store(db, create=True, actor=default_actor("cli")).close()
        return open_store(db, read_only=True, create=False, actor=default_actor("cli"))
    path = Path(db)
    if create and (not path.exists() or (path.is_file() and path.stat().st_size == 0)):
        Store.open(db, create=True, actor=default_actor("cli")).close()
    return Store.open(db, read_only=True, create=False, actor=default_actor("cli"), migrate_in_memory=True)


def _table(issues) -> str:
    headers = ("#", "STATUS", "PRIORITY", "TYPE", "AGENT", "BLOCKED", "TITLE")
    rows = []
    for i in issues:
        rows.append((
            safe_terminal_text(i.number),
            safe_terminal_text(i.status) or "-",
            safe_terminal_text(i.priority) if i.priority is not None else "-",
            safe_terminal_text(i.issue_type) if i.issue_type is not None else "-",
            safe_terminal_text(i.agent) or "-",
            "blocked" if i.is_blocked else "",
            safe_terminal_text(i.title),
        ))
    widths = [max([len(h)] + [len(r[c]) for r in rows]) for c, h in enumerate(headers)]
    widths[0] = max(widths[0], 1)

    def fmt(cells) -> str:
        first = cells[0].rjust(widths[0])
        middle = [cell.ljust(widths[c]) for c, cell in enumerate(cells[1:-1], start=1)]
        return "  ".join([first, *middle, cells[-1]]).rstrip()

    return "\n".join([fmt(headers)] + [fmt(r) for r in rows])


def _json_array(issues, store) -> str:
    from store.export import NEWER_COLUMNS, dumps, issue_to_export
    now = store._now()
    has = getattr(store, "has_column", None)  # SQLite files of v6-v11: the crate's later fields
    newer = tuple(c for c in NEWER_COLUMNS if has(c)) if has else ()
    return safe_terminal_json(dumps([issue_to_export(i, now, newer) for i in issues]))


def cmd_add(args) -> int:
    from store import IssueType, Priority
    from store.issues import validate_agent, validate_description, validate_title
    # Check everything before the DB is opened: a bad value must not even create the file.
    title = validate_title(args.title)
    description = validate_description(args.description)
    priority = Priority.parse(args.priority, "priority")
    issue_type = IssueType.parse(args.issue_type, "type")
    agent = validate_agent(args.agent)
    with _open_store(args.db, create=True) as st:
        issue = st.create_issue(title, description, priority, issue_type, agent)
    print(f"Created issue #{issue.number}: {safe_terminal_text(issue.title)} (agent: {safe_terminal_text(issue.agent)})")
    return 0


def cmd_list(args) -> int:
    from store import Status
    status = Status.parse(args.status, "status") if args.status is not None else None
    with _open_for_reading(args.db, create=args.create) as st:
        issues = st.list_issues(status)
        out = _json_array(issues, st) if args.json else (_table(issues) if issues else "No issues found")
    print(out)
    return 0


def cmd_ready(args) -> int:
    from store.issues import validate_agent
    agent = validate_agent(args.agent) if args.agent is not None else None
    with _open_for_reading(args.db, create=args.create) as st:
        issues = st.ready_queue(agent=agent, limit=args.limit, offset=0)
        out = _json_array(issues, st) if args.json else (_table(issues) if issues else "No ready issues available")
    print(out)
    return 0


SIDE_FILES = ("", "-wal", "-shm", "-journal")


def _is_db_file(target: Path, db: str) -> str | None:
    """Which of the DB's files (`x.db`, `x.db-wal`, ...) `target` names, through any spelling (`./x.db`,
    a symlink, a hard link), or None."""
    for suffix in SIDE_FILES:
        for candidate in (Path(db + suffix), Path(os.path.realpath(db) + suffix)):
            try:
                if os.path.realpath(target) == os.path.realpath(candidate):
                    return str(candidate)
                if target.exists() and candidate.exists() and os.path.samefile(target, candidate):
                    return str(candidate)
            except OSError:
                continue
    return None


def cmd_export(args) -> int:
    if args.output != "-":
        clash = _is_db_file(Path(args.output), args.db)
        if clash:
            raise CliError(f"-o {args.output} is the database itself ({clash}); exporting there would destroy it. "
                           "Give another file, or -o - for stdout")
    with _open_for_reading(args.db, create=args.create) as st:
        text = st.export_json(include_completed=args.include_completed)
    if args.output == "-":
        out = safe_terminal_json(text) if sys.stdout.isatty() else text
        sys.stdout.write(out)
        sys.stdout.flush()
        return 0
    target = Path(args.output)
    if target.is_dir():
        raise CliError(f"{args.output} is a directory; give a file path with -o")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(text.encode("utf-8"))
    count = len(json.loads(text))
    print(f"Exported {count} issue{'s' if count != 1 else ''} to {safe_terminal_text(target)}")
    return 0


def cmd_import(args) -> int:
    from store.export import parse_import
    if args.input == "-":
        data = sys.stdin.buffer.read()
        source = "stdin"
    else:
        source = args.input
        path = Path(args.input)
        if not path.exists():
            raise CliError(f"import file {args.input} does not exist")
        if path.is_dir():
            raise CliError(f"import file {args.input} is a directory")
        data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise CliError(f"{source} is not UTF-8 text (byte {exc.start}); nothing was imported") from None
    parse_import(text)  # a file that does not parse must not even create the DB
    with _open_store(args.db, create=True) as st:
        result = st.import_json(text, force=args.force)
    print(f"Imported: {result['imported']}, Updated: {result['updated']}, Skipped: {result['skipped']}")
    return 0


COMMANDS = {"add": cmd_add, "list": cmd_list, "ready": cmd_ready, "export": cmd_export, "import": cmd_import,
            **AGENT_HANDLERS}


def _no_empty_db(value: str | None, what: str = "--db") -> None:
    if value is not None and not value.strip():
        raise CliError(f"{what} is empty; give the path of the issues database (e.g. --db ./autopilot.db)")


def run_command(argv: list[str]) -> int:
    args = build_command_parser().parse_args(argv)
    _no_empty_db(getattr(args, "db", None))
    args.db = getattr(args, "db", None) or default_db_path()
    return COMMANDS[args.command](args)


def run_dashboard_cli(argv: list[str]) -> int:
    args = build_dashboard_parser().parse_args(argv)
    explicit = getattr(args, "db", None)
    _no_empty_db(explicit)
    _no_empty_db(args.path, "the database path")
    if args.path is not None and explicit is not None and args.path != explicit:
        from store import display_target
        raise CliError(f"two databases given ({display_target(args.path)} and --db {display_target(explicit)}); give one")
    path = args.path or explicit
    if args.read_only and args.create:
        raise CliError("--read-only and --create contradict each other (read-only never creates a file); "
                       "give one")
    if args.demo and (args.create or path is not None):
        raise CliError("--demo makes its own temporary database; give it no DB path and no --create")
    from store import is_server_target
    if path is not None and not is_server_target(path) and not os.path.exists(path) and not args.create:
        # `issues-tui lsit`: a mistyped command, not a DB path.
        close = difflib.get_close_matches(path, SUBCOMMANDS, n=1, cutoff=0.6)
        if close and path not in SUBCOMMANDS and os.sep not in path and "." not in path:
            raise CliError(f"unknown command {path!r}; did you mean {close[0]!r}? "
                           f"(commands: {', '.join(SUBCOMMANDS)})")
    # No path given: pass None and let the dashboard resolve it (its config file, then $ISSUES_DB, then
    # ./autopilot.db), so a configured DB is not overridden by our default.
    try:
        from tui.app import run_dashboard
    except ImportError:
        print(f"{PROG}: the dashboard is not available", file=sys.stderr)
        return EXIT_ERROR
    extra = {"read_only": True} if args.read_only else {}
    if args.more:
        extra["more"] = args.more
    return run_dashboard(db_path=path, create=args.create, demo=args.demo, **extra)


def _check_utf8(argv: list[str]) -> None:
    for token in argv:
        try:
            token.encode("utf-8")
        except UnicodeEncodeError:
            raise CliError(f"argument '{safe_terminal_text(token)}' is not valid UTF-8; nothing was done") from None


def main(argv: Sequence[str] | None = None) -> int:
    from store import StoreError
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        _check_utf8(argv)
        if first_positional(argv) in SUBCOMMANDS:
            return run_command(argv)
        return run_dashboard_cli(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2, already printed)
        return exc.code if isinstance(exc.code, int) else EXIT_ERROR
    except (StoreError, CliError) as exc:
        return _print_error(exc)
    except BrokenPipeError:
        # `issues-tui list | head`: the reader went away; say nothing more.
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except OSError as exc:
        where = f"{exc.filename}: " if getattr(exc, "filename", None) else ""
        return _print_error(f"{where}{exc.strerror or exc}")
    except sqlite3.Error as exc:
        return _print_error(f"database error: {exc}")
    except UnicodeError as exc:  # e.g. a terminal encoding that cannot show a title
        return _print_error(f"text encoding problem: {exc}")
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
