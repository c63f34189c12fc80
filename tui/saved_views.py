"""Saved views: `[[views]]` in the config become tabs beside Ready … All (pure: no Textual).

    [[views]]
    name = "My bugs"
    filter = "type:bug is:mine"      # the search language (store/search.py)
    view = "all"                     # which rows it starts from (ready, in_progress, blocked, done, stale, all)
    sort = "-updated"                # a sort key, `-` for descending (store/views.py SORT_KEYS)
    columns = ["number", "pri", "updated", "title"]

The palette's "Save view" appends such a block to the config file (TOML written by hand: strings are
quoted with JSON's escapes, which are valid TOML basic strings).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from store import VIEWS
from store.errors import ValidationError
from store.views import parse_sort

from .columns import Layout, parse_columns


@dataclass(frozen=True, slots=True)
class SavedView:
    name: str
    filter: str = ""
    view: str = "all"
    sort: tuple[str, bool] | None = None
    columns: Layout | None = None
    column_ids: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"saved:{self.name}"


def parse_views(raw, problems: list[str], where: str) -> list[SavedView]:
    if not raw:
        return []
    if not isinstance(raw, list):
        problems.append(f"config {where}: views must be [[views]] tables")
        return []
    out: list[SavedView] = []
    names: set[str] = set()
    for n, item in enumerate(raw, 1):
        label = f"{where} [[views]] #{n}"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"].strip():
            problems.append(f"config {label}: needs a name")
            continue
        name = item["name"].strip()[:40]
        if name in names:
            problems.append(f"config {label}: a view named {name!r} exists already; skipped")
            continue
        base = item.get("view", "all")
        if base not in VIEWS:
            problems.append(f"config {label} ({name}): view must be one of {', '.join(VIEWS)}; using all")
            base = "all"
        filt = item.get("filter", "")
        if not isinstance(filt, str):
            problems.append(f"config {label} ({name}): filter must be text")
            filt = ""
        sort = None
        if item.get("sort"):
            try:
                sort = parse_sort(str(item["sort"]))
            except ValidationError as exc:
                problems.append(f"config {label} ({name}): {exc}")
        layout = None
        ids: tuple[str, ...] = ()
        if "columns" in item:
            layout = parse_columns(item["columns"], problems, f"{label} ({name})")
            ids = tuple(str(c) for c in item["columns"]) if layout else ()
        names.add(name)
        out.append(SavedView(name, filt, base, sort, layout, ids))
    return out


def toml_block(view: SavedView) -> str:
    lines = ["", "[[views]]", f"name = {json.dumps(view.name, ensure_ascii=False)}",
             f"filter = {json.dumps(view.filter, ensure_ascii=False)}", f"view = {json.dumps(view.view)}"]
    if view.sort is not None:
        lines.append(f"sort = {json.dumps(('-' if view.sort[1] else '') + view.sort[0])}")
    if view.column_ids:
        lines.append("columns = [" + ", ".join(json.dumps(c) for c in view.column_ids) + "]")
    return "\n".join(lines) + "\n"


def append_to_config(path: Path, view: SavedView) -> None:
    """Append the view's `[[views]]` block (creating the file and its folder if needed)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    with open(path, "a", encoding="utf-8") as fh:
        if existing and not existing.endswith("\n"):
            fh.write("\n")
        fh.write(toml_block(view))
        fh.flush()
        os.fsync(fh.fileno())
