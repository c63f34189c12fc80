"""Which issues files the dashboard shows, and what each is called (no Textual here).

`issues-tui A.db B.db ~/code/api` and the config's `[[sources]]` name one file or folder each:

- a file is used as it is;
- a folder means its `.openagents/autopilot.db` (the autopilot's layout); a folder that is itself named
  `.openagents`, or holds an `autopilot.db`, is taken at its word.

Each source is named for its repo: the folder that holds `.openagents`, else the file's name. Names are made unique by adding parent folders (`work/api`, `home/api`) and, if still equal, a
number. A config entry may set the name itself:

    [[sources]]
    path = "~/code/api"
    name = "api"
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

AUTOPILOT_DIR = ".openagents"
AUTOPILOT_DB = "autopilot.db"
NAME_MAX = 40


@dataclass(frozen=True, slots=True)
class SourceSpec:
    path: Path  # the DB file
    name: str  # the repo name shown on its rows
    given: str  # what the user typed (for messages)


def resolve_db(arg: str | os.PathLike) -> Path | str:
    """The DB file a command-line or config entry means (it need not exist yet); a server URL stays as it is."""
    from store import is_server_target

    if isinstance(arg, str) and is_server_target(arg):
        return arg
    p = Path(os.path.expanduser(str(arg)))
    if p.is_dir():
        if p.name == AUTOPILOT_DIR or (p / AUTOPILOT_DB).is_file() and not (p / AUTOPILOT_DIR).is_dir():
            return p / AUTOPILOT_DB
        return p / AUTOPILOT_DIR / AUTOPILOT_DB
    return p


def repo_name(db: Path) -> str:
    """The folder that holds `.openagents` (`~/code/api/.openagents/autopilot.db` -> `api`), else the file's name."""
    resolved = Path(os.path.abspath(db))
    if resolved.parent.name == AUTOPILOT_DIR and resolved.parent.parent.name:
        return resolved.parent.parent.name
    return resolved.name


def _candidates(db: Path) -> list[str]:
    """Ever longer names for one file: `api`, `code/api`, `home/code/api` ..."""
    resolved = Path(os.path.abspath(db))
    base = repo_name(db)
    repo_dir = resolved.parent.parent if resolved.parent.name == AUTOPILOT_DIR else None
    above = (repo_dir.parent if repo_dir is not None else resolved.parent)
    parts = [p for p in above.parts if p not in ("/", "")]
    out = [base]
    for k in range(1, len(parts) + 1):
        out.append("/".join(parts[-k:] + [base]))
    return out


def unique_names(paths: list[Path], given: list[str | None] | None = None) -> list[str]:
    """One distinct display name per path (names the user gave are kept as they are, if distinct)."""
    given = given or [None] * len(paths)
    cands = [_candidates(p) for p in paths]
    level = [0] * len(paths)
    names = [g or c[0] for g, c in zip(given, cands)]
    for _ in range(64):
        clashes = {n for n in names if names.count(n) > 1}
        if not clashes:
            break
        progressed = False
        for i, n in enumerate(names):
            if n in clashes and given[i] is None and level[i] + 1 < len(cands[i]):
                level[i] += 1
                names[i] = cands[i][level[i]]
                progressed = True
        if not progressed:
            break
    seen: dict[str, int] = {}
    out = []
    for n in names:
        seen[n] = seen.get(n, 0) + 1
        out.append(n if names.count(n) == 1 else f"{n}#{seen[n]}")
    return out


def specs(args: Iterable[str | os.PathLike], names: Iterable[str | None] | None = None) -> list[SourceSpec]:
    """Sources for the given paths, in order; the same file named twice is kept once."""
    args = list(args)
    names = list(names) if names is not None else [None] * len(args)
    paths: list[Path] = []
    kept_names: list[str | None] = []
    kept_given: list[str] = []
    seen: set[str] = set()
    for arg, name in zip(args, names):
        db = resolve_db(arg)
        key = os.path.realpath(db)
        if key in seen:
            continue
        seen.add(key)
        paths.append(db)
        kept_names.append(name)
        kept_given.append(str(arg))
    return [SourceSpec(p, n, g) for p, n, g in zip(paths, unique_names(paths, kept_names), kept_given)]


def sources_from_config(value, where: str = "config") -> tuple[list[tuple[str, str | None]], list[str]]:
    """`[[sources]]` (tables with `path` and optional `name`, or plain path strings) ->
    ([(path, name)], problems). A bad entry is reported and skipped; the others still count."""
    out: list[tuple[str, str | None]] = []
    problems: list[str] = []
    if not isinstance(value, list):
        return out, [f"{where}: sources: must be a list of [[sources]] tables; ignored"]
    for n, item in enumerate(value, 1):
        if isinstance(item, str) and item.strip():
            out.append((os.path.expanduser(item), None))
            continue
        if not isinstance(item, dict):
            problems.append(f"{where}: [[sources]] #{n}: must be a table with `path`, not {item!r}; ignored")
            continue
        path, name = item.get("path"), item.get("name")
        unknown = sorted(set(item) - {"path", "name"})
        if unknown:
            problems.append(f"{where}: [[sources]] #{n}: unknown key(s) {', '.join(unknown)}; ignored")
        if not isinstance(path, str) or not path.strip():
            problems.append(f"{where}: [[sources]] #{n}: needs `path = \"...\"` (a DB file or a repo folder); ignored")
            continue
        if name is not None and (not isinstance(name, str) or not name.strip() or len(name) > NAME_MAX):
            problems.append(f"{where}: [[sources]] #{n}: `name` must be text of 1-{NAME_MAX} characters; "
                            "using the folder's name")
            name = None
        out.append((os.path.expanduser(path), name.strip() if isinstance(name, str) else None))
    return out, problems


def dashboard_targets(db_path: str | None, more, config, create: bool, read_only: bool):
    """What the dashboard opens: (path, several SourceSpecs or None, error lines). One DB (the argument, a
    folder's `.openagents/autopilot.db`, the config's `db`, `$ISSUES_DB`, ./autopilot.db) is checked as
    always; with several (arguments, or the config's `[[sources]]` when none is given) the ones that cannot
    be opened show their problem in the Repos pane, and only all of them failing is an error."""
    from .paths import check_dashboard_path, dashboard_target

    given = ([db_path] if db_path else []) + list(more)
    names = None
    if not given and getattr(config, "sources", None):
        given = [p for p, _ in config.sources]
        names = [n for _, n in config.sources]
    sources = specs(given, names) if len(given) > 1 else []
    if len(sources) > 1:
        problems = [_folder_problem(s.given, s.path) or check_dashboard_path(s.path, create, read_only)
                    for s in sources]
        if all(problems):
            return None, None, [f"{s.name}: {p}" for s, p in zip(sources, problems)]
        return sources[0].path, sources, []
    path = resolve_db(given[0]) if given else dashboard_target(None, config.db)
    problem = (_folder_problem(given[0], path) if given else None) or check_dashboard_path(path, create, read_only)
    return path, None, [problem] if problem else []


def _folder_problem(given, path) -> str | None:
    """A folder given where a DB was expected, that has no autopilot DB in it: say so (not just "missing")."""
    folder = Path(os.path.expanduser(str(given)))
    if isinstance(path, Path) and folder.is_dir() and not path.exists():
        return (f"{folder} is a directory, not an issues database, and has no {AUTOPILOT_DIR}/{AUTOPILOT_DB} "
                "(give the DB file, or a repo folder that has one)")
    return None
