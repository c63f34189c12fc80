"""Files the dashboard keeps to start faster next time (parsed CSS, compiled dataclass methods), in
`$XDG_CACHE_HOME/issues-tui/`. They are read only when they are this user's own and nobody else may write
them (both kinds run code when loaded, as a .pyc does), and written whole or not at all. Losing one costs
one slower start, never a wrong screen: what cannot be read or written is simply made again."""

from __future__ import annotations

import os
from pathlib import Path


def cache_folder() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "issues-tui"


def read_private(path: Path) -> bytes | None:
    """The file's bytes if it exists, is ours and is not group/world writable (else None)."""
    try:
        with open(path, "rb") as fh:
            st = os.fstat(fh.fileno())
            if st.st_uid != os.geteuid() or st.st_mode & 0o022:
                return None
            return fh.read()
    except OSError:
        return None


def write_private(path: Path, blob: bytes) -> bool:
    """Replace `path` with `blob` atomically (mode 0600, folder 0700); False when it cannot be written."""
    import tempfile
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", dir=str(path.parent))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(blob)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
        return True
    except OSError:
        return False
