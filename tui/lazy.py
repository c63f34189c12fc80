"""`lazy("pkg.mod")`: a module imported on its first attribute read, not at start-up.

For modules a key or a rare case needs (the triage writes, the help and sort dialogs, the search index, the
multi-repo merge): imported eagerly they cost the start-up their import time before the first frame.
"""

from __future__ import annotations

import importlib


class LazyModule:
    __slots__ = ("_name", "_module")

    def __init__(self, name: str) -> None:
        self._name = name
        self._module = None

    def __getattr__(self, attr: str):
        module = self._module
        if module is None:
            module = self._module = importlib.import_module(self._name)
        return getattr(module, attr)

    def __repr__(self) -> str:
        return f"<lazy module {self._name}{' (loaded)' if self._module is not None else ''}>"


def lazy(name: str) -> LazyModule:
    return LazyModule(name)
