"""Parsed stylesheets kept between runs: Textual parses app.tcss and every widget's DEFAULT_CSS on each start
(~11 ms here, the largest single cost before the first frame after the imports); the parsed rules, pickled,
load in ~1.5 ms.

`install(stylesheet, folder)` swaps the stylesheet's in-memory parse cache for a `DiskParseCache`: a lookup
it misses in memory is looked for in the file (`$XDG_CACHE_HOME/issues-tui/css-<hash>.pickle`), and what was
parsed anew is written back by `save()` (after the first frame, off the UI thread). An entry's key is Textual's
own (the CSS text itself, where it came from, default or not, tie breaker, scope); the file is per Textual
build and set of CSS variables (the theme), so an edited stylesheet, an upgrade or another theme simply
misses and parses. tui/cache_files.py says when a file is trusted; anything wrong with one counts as a miss.
"""

from __future__ import annotations

import os
import sys
import threading
import zlib
from pathlib import Path

from .cache_files import cache_folder, read_private, write_private

FORMAT = 1


def textual_build() -> tuple:
    """Which Textual parsed the rules: where it is and when its CSS code was written (`textual.__version__`
    would import importlib.metadata: 10 ms, more than the cache saves)."""
    import textual.css.model
    import textual.css.parse
    files = (textual.css.model.__file__, textual.css.parse.__file__)
    return tuple((f, os.stat(f).st_mtime_ns, os.stat(f).st_size) for f in files)


class DiskParseCache:
    """What Stylesheet needs of its `_parse_cache` (`[key]`, `[key] = rules`, `clear()`), backed by a file."""

    def __init__(self, stylesheet, folder: Path) -> None:
        self.stylesheet = stylesheet
        self.folder = Path(folder)
        self.memory: dict = {}
        self.disk: dict[str, dict] = {}  # fingerprint -> the file's entries (read on the first miss)
        self.new: dict[tuple, dict] = {}  # (fingerprint, its text) -> parsed here, not in the file yet
        self._fp: tuple | None = None  # (the variables dict it was computed for, fingerprint, its text)
        self.hits = self.misses = 0
        self._lock = threading.Lock()  # `save` runs on a thread while the UI may parse (a dialog's CSS)

    # -- what Stylesheet calls ------------------------------------------------------------------------
    def __getitem__(self, key):
        try:
            return self.memory[key]
        except KeyError:
            pass
        fp = self.fingerprint()
        if fp not in self.disk:
            self.disk[fp] = read_entries(self.path(fp), self._fp[2])
        rules = self.disk[fp].get(key)
        if rules is None:
            self.misses += 1
            raise KeyError(key)
        self.hits += 1
        self.memory[key] = rules
        return rules

    def __setitem__(self, key, rules) -> None:
        self.memory[key] = rules
        fp = self.fingerprint()
        with self._lock:
            self.new.setdefault((fp, self._fp[2]), {})[key] = rules

    def __len__(self) -> int:
        return len(self.memory)

    def clear(self) -> None:
        """The variables changed (another theme); what was parsed under the old ones stays in `new`."""
        self.memory.clear()

    # -- the file ---------------------------------------------------------------------------------------
    def fingerprint(self) -> str:
        """Textual's build and the CSS variables (Stylesheet.set_variables replaces the dict: computed once
        per dict)."""
        variables = self.stylesheet._variables
        if self._fp is None or self._fp[0] is not variables:
            items = sorted((str(k), str(v)) for k, v in (variables or {}).items())
            text = repr((FORMAT, textual_build(), sys.version_info[:2], items))
            self._fp = (variables, f"{zlib.crc32(text.encode()):08x}", text)  # (hashlib: 4 ms of import)
        return self._fp[1]

    def path(self, fingerprint: str) -> Path:
        return self.folder / f"css-{fingerprint}.pickle"

    def save(self) -> bool:
        """Write what was parsed anew (merged with the file); False when there was nothing or it could not be
        written (then the next start parses again: nothing else happens)."""
        with self._lock:
            new, self.new = self.new, {}
        wrote = False
        for (fp, text), parsed in new.items():
            entries = dict(read_entries(self.path(fp), text))
            entries.update(parsed)
            wrote = write_entries(self.path(fp), text, entries) or wrote
        return wrote


def read_entries(path: Path, fingerprint_text: str) -> dict:
    """The file's entries, if it is ours alone and was written for exactly this fingerprint (else none)."""
    blob = read_private(path)
    if blob is None:
        return {}
    try:
        import pickle
        data = pickle.loads(blob)
    except Exception:  # torn, or written by another version: a miss
        return {}
    if (not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != fingerprint_text
            or not isinstance(data.get("entries"), dict)):
        return {}
    return data["entries"]


def write_entries(path: Path, fingerprint_text: str, entries: dict) -> bool:
    try:
        import pickle
        blob = pickle.dumps({"format": FORMAT, "fingerprint": fingerprint_text, "entries": entries},
                            protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # a rule that does not pickle: parse next time too
        return False
    return write_private(path, blob)


def install(stylesheet, folder: Path | None = None) -> DiskParseCache:
    """Put a DiskParseCache in `stylesheet` (keeping what it had parsed already)."""
    cache = DiskParseCache(stylesheet, folder or cache_folder())
    old = getattr(stylesheet, "_parse_cache", None)
    if old is not None and hasattr(old, "keys"):
        for key in list(old.keys()):
            cache.memory[key] = old.get(key)
    stylesheet._parse_cache = cache
    return cache
