"""issues-tui's dashboard and command line (the data layer is `store`, which never imports this package)."""

from . import code_cache as _code_cache

_code_cache.install()  # before anything defines a dataclass: see tui/code_cache.py
