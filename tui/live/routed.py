"""`RoutedStore`: the one store the app talks to when it shows several files.

Rows of a multi-repo dashboard carry composite ids (`<source index>/<id>`, tui/multi.py). Every call that
names an issue is routed by that id to the row's own file, with the real id; what comes back (an issue)
gets its composite id again. A composite id is never a real id, so a call that slipped through without
routing reaches no row at all: a triage key, a form or an undo can only ever write the row's own file.
Calls that name no issue go to the *preferred* source (the selected row's repo: new issues, `#N`), or to
every source (release all stale claims).
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from store import Issue, StoreError
from store.issues import DeletedIssue

from ..multi import composite_id, order_key, split_id

if TYPE_CHECKING:
    from store import Store

    from .source import Source

# Store methods whose first argument is an issue id.
ROUTED = ("claim_issue", "unclaim_issue", "complete_issue", "reopen_issue", "block_issue", "unblock_issue",
          "update_issue", "delete_issue", "delete_issue_keeping", "restore_issue", "release_claim")
ROUTED_READS = ("issue_events", "recent_issue_events")
SCAN_PAGE = 2000


class RoutedStore:
    def __init__(self, sources: list["Source"], names: list[str]) -> None:
        self.sources = sources
        self.names = names
        self.prefer: int | None = None  # the selected row's source (new issues, `#N` go there)
        self.last_index: int | None = None  # the source of the last routed call (its last_written_at)

    # -- routing ---------------------------------------------------------------------------------------
    def _store(self, index: int, writing: bool = True) -> "Store":
        if index is None or not 0 <= index < len(self.sources):
            raise StoreError("that row belongs to no open repo; nothing was written")
        store = self.sources[index].store
        if store is None:
            problem = self.sources[index].problem or "it is not open"
            raise StoreError(f"{self.names[index]}: {problem}; nothing was written")
        if writing and (not store.file_exists() or store.file_replaced()):
            # the connection would write into a deleted (or replaced) file, where nobody would ever see it
            raise StoreError(f"{self.names[index]}: {store.path} was deleted or replaced; nothing was written")
        return store

    def route(self, cid: str, writing: bool = True) -> tuple["Store", str, int]:
        index, real = split_id(cid)
        if index is None:
            raise StoreError(f"{cid!r} names no repo's row; nothing was written")
        if writing:
            self.last_index = index
        return self._store(index, writing), real, index

    def _wrap(self, index: int, value):
        if isinstance(value, (Issue, DeletedIssue)):  # its id names its file from now on (undo comes back here)
            return replace(value, **{"id" if isinstance(value, Issue) else "issue_id": composite_id(index, value.id
                                     if isinstance(value, Issue) else value.issue_id)})
        return value

    def undelete_issue(self, deleted: DeletedIssue, **kwargs) -> None:
        """Undo of a delete: the row goes back into the file it was deleted from."""
        store, real, _ = self.route(deleted.issue_id)
        store.undelete_issue(replace(deleted, issue_id=real), **kwargs)

    def __getattr__(self, name: str):
        if name in ROUTED or name in ROUTED_READS:
            def call(issue_id: str, *args, **kwargs):
                store, real, index = self.route(issue_id, writing=name in ROUTED)
                return self._wrap(index, getattr(store, name)(real, *args, **kwargs))
            return call
        raise AttributeError(name)

    def get_issue_by_id(self, cid: str) -> Issue | None:
        index, real = split_id(cid)
        if index is None or not 0 <= index < len(self.sources) or self.sources[index].store is None:
            return None
        return self._wrap(index, self.sources[index].store.get_issue_by_id(real))

    def _preferred(self) -> int:
        order = ([self.prefer] if self.prefer is not None else []) + list(range(len(self.sources)))
        for index in order:
            source = self.sources[index]
            if source.store is not None and not source.store.read_only:
                return index
        for index in order:
            if self.sources[index].store is not None:
                return index
        raise StoreError("no repo is open")

    def get_issue_by_number(self, number: int) -> Issue | None:
        """`#N` in the preferred repo first, then in the others in order."""
        order = ([self.prefer] if self.prefer is not None else []) + list(range(len(self.sources)))
        for index in dict.fromkeys(order):
            store = self.sources[index].store
            if store is not None:
                issue = store.get_issue_by_number(number)
                if issue is not None:
                    return self._wrap(index, issue)
        return None

    def create_issue(self, *args, **kwargs) -> Issue:
        index = self._preferred()
        self.last_index = index
        return self._wrap(index, self._store(index).create_issue(*args, **kwargs))

    def import_json(self, text: str, force: bool = False, **kwargs) -> dict:
        """Undo of a delete: each exported row goes back into its own file (by its composite id)."""
        rows = json.loads(text)
        by_source: dict[int, list] = {}
        for row in rows:
            index, real = split_id(row.get("id"))
            if index is None:
                raise StoreError("an exported row names no repo; nothing was imported")
            by_source.setdefault(index, []).append({**row, "id": real})
        total = {"imported": 0, "updated": 0, "skipped": 0}
        for index, part in by_source.items():
            got = self._store(index).import_json(json.dumps(part), force, **kwargs)
            for k in total:
                total[k] += got.get(k, 0)
        return total

    def release_stale_claims(self, *args, **kwargs) -> int:
        return len(self.release_stale(*args, **kwargs))

    def release_stale(self, *args, **kwargs) -> list[Issue]:
        """Every writable file's stale claims, each file in its own transaction; `written_at_for(issue)` says
        the `updated_at` each file's release wrote (undo guards each row with its own)."""
        out: list[Issue] = []
        self._written: dict[int, str | None] = {}
        for index, source in enumerate(self.sources):
            store = source.store
            if store is None or store.read_only:
                continue
            out += [self._wrap(index, i) for i in store.release_stale(*args, **kwargs)]
            self._written[index] = getattr(store, "last_written_at", None)
        return out

    def written_at_for(self, issue: Issue) -> str | None:
        index, _ = split_id(issue.id)
        return getattr(self, "_written", {}).get(index)

    def view_position(self, view: str, cid: str, **filters) -> int | None:
        """The row's position in the merged view: its position in its own file plus, for every other file,
        how many of that file's rows come before it in the merged order (read page by page)."""
        index, real = split_id(cid)
        if index is None or self.sources[index].store is None:
            return None
        project_index, project_real = split_id(filters.get("project_id"))
        only_own = project_index is not None  # a project belongs to one repo: the others show no rows
        if only_own:
            if project_index != index:
                return None
            filters = {**filters, "project_id": project_real}
        own = self.sources[index].store
        position = own.view_position(view, real, **filters)
        if position is None:
            return None
        issue = own.get_issue_by_id(real)
        key = order_key(view)
        target = (key(issue), index)
        for j, source in enumerate(self.sources):
            if j == index or source.store is None or only_own:
                continue
            offset = 0
            while True:
                rows = source.store.list_view(view, limit=SCAN_PAGE, offset=offset, **filters)
                before = sum(1 for r in rows if (key(r), j) < target)
                position += before
                if before < len(rows) or len(rows) < SCAN_PAGE:
                    break
                offset += SCAN_PAGE
        return position

    # -- what the app reads ------------------------------------------------------------------------------
    @property
    def last_written_at(self):
        if self.last_index is None:
            return None
        store = self.sources[self.last_index].store
        return getattr(store, "last_written_at", None) if store is not None else None

    def _any(self) -> "Store":
        for source in self.sources:
            if source.store is not None:
                return source.store
        raise StoreError("no repo is open")

    def _now(self) -> str:
        return self._any()._now()

    @property
    def read_only(self) -> bool:
        """Read-only only when every open file is (a write to one read-only file is refused by that file)."""
        open_ = [s.store for s in self.sources if s.store is not None]
        return bool(open_) and all(s.read_only for s in open_)

    @property
    def info(self):
        return self._any().info

    @property
    def path(self):
        return self._any().path

    def for_each(self, fn: Callable[["Store"], object]) -> list:
        return [fn(s.store) for s in self.sources if s.store is not None]
