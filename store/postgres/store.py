"""`PgStore`: the store API on a PostgreSQL database (see store/store.py for the SQLite one)."""

from __future__ import annotations

from typing import Callable

from ..store import default_actor
from .connection import PgConnection
from .exchange import PgExchangeOps
from .issues import PgIssueOps
from .records import PgRecordOps
from .views import PgViewOps


class PgStore(PgViewOps, PgRecordOps, PgExchangeOps, PgConnection):
    """Open with `PgStore.open(url)` (or `store.open_store(target)`). Every method is one transaction or read."""

    @classmethod
    def open(cls, target: str, read_only: bool = False, *, create: bool = True,
             clock: Callable[[], int] | None = None, actor: str | None = None) -> "PgStore":
        return cls(target, read_only=read_only, create=create, clock=clock, actor=actor or default_actor("store"))

    def reopen(self) -> "PgStore":
        self.close()
        return PgStore.open(self.target, read_only=self.info.read_only and self.info.read_only_reason == "opened read-only",
                            create=False, clock=self._clock, actor=self.actor)
