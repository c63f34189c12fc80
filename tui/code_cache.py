"""Compiled dataclass methods kept between runs.

`@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`, ... as source text and compiles it, on every
start: the dashboard's imports create ~290 such functions (ours and Textual's), 13 ms of compiling — a third of
what importing our modules costs. `install()` gives the dataclasses module an `exec` that looks the text up
first: the code object compiled for exactly that text last time (marshal, like a .pyc), else compiles it as
`exec` would and remembers it. Nothing else changes: the same text gives the same code, run the same way.

The file (`tui/cache_files.py`: private, whole or nothing) is per interpreter build (cache tag and bytecode magic
number, as for a .pyc); `save()` writes what was compiled anew, after the first frame. Entries are keyed by the text's length
and two checksums (hashing with hashlib would cost more to import than it saves).
"""

from __future__ import annotations

import builtins
import sys
import threading
import zlib

from .cache_files import cache_folder, read_private, write_private

_exec = builtins.exec
_state: dict = {"known": None, "new": {}, "installed": False}
_lock = threading.Lock()  # imports may run on other threads (the Markdown widget's does) while `save` runs


def _key(source: str) -> tuple[int, int, int]:
    raw = source.encode("utf-8", "surrogatepass")
    return len(raw), zlib.crc32(raw), zlib.adler32(raw)


def path():
    """Per interpreter build: its cache tag and bytecode magic number (what makes a .pyc valid)."""
    import _frozen_importlib_external  # (already loaded: the import system itself)
    magic = _frozen_importlib_external.MAGIC_NUMBER.hex()
    return cache_folder() / f"dataclass-code-{sys.implementation.cache_tag}-{magic}.marshal"


def _known() -> dict:
    known = _state["known"]
    if known is None:
        import marshal
        known = {}
        blob = read_private(path())
        if blob is not None:
            try:
                data = marshal.loads(blob)
                if isinstance(data, dict):
                    known = data
            except Exception:  # torn, or another build's: compile as usual
                known = {}
        _state["known"] = known
    return known


def cached_exec(source, globals=None, locals=None):
    """`exec`, with the compile of a source text skipped when it was compiled before."""
    if not isinstance(source, str):
        return _exec(source, globals, locals)
    key = _key(source)
    blob = _known().get(key)
    code = None
    if blob is not None:
        import marshal
        try:
            code = marshal.loads(blob)
        except Exception:
            code = None
    if code is None:
        code = compile(source, "<string>", "exec")
        with _lock:
            _state["new"][key] = code
    return _exec(code, globals, locals)


def install() -> None:
    """Route dataclasses' `exec` through the cache (once; a no-op for a dataclasses that does not use it)."""
    if _state["installed"]:
        return
    import dataclasses
    _state["installed"] = True
    dataclasses.exec = cached_exec  # a module global: found before the builtin, by dataclasses alone


def save() -> bool:
    """Write what was compiled anew (merged with the file); False when there was nothing or it failed."""
    with _lock:
        new, _state["new"] = _state["new"], {}
    if not new:
        return False
    import marshal
    entries = dict(_known())
    try:
        entries.update((key, marshal.dumps(code)) for key, code in new.items())
        blob = marshal.dumps(entries)
    except ValueError:  # a constant marshal cannot write: compile next time too
        return False
    _state["known"] = entries
    return write_private(path(), blob)
