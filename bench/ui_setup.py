"""What every part of bench/ui_bench.py works on: the generated files (cached under bench/out/), their work
copies, and the environment of the processes it starts."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
BIG_FIXTURE = Path("/work/shared/fixtures/crate-v5-big.db")
CSS = str(ROOT / "tui" / "app.tcss")
ENV = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
# Started processes use compiled bytecode, as an installed app does (site-packages, Textual included, always
# has its .pyc): with PYTHONDONTWRITEBYTECODE set, our own modules would be compiled from source on every
# start (~25 ms) while the bare-app anchor's Textual is not. The cache goes to bench/out, not the tree.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV["PYTHONPYCACHEPREFIX"] = str(OUT / "pycache")


# -- files ---------------------------------------------------------------------------------------------
def generated(n: int, regen: bool = False) -> Path:
    """A cached generated file with the store's indexes already built (bench/gen.py), or a local fallback."""
    path = OUT / f"ui-{n}.db"
    if path.exists() and not regen:
        return path
    OUT.mkdir(exist_ok=True)
    if (HERE / "gen.py").exists():  # bench/gen.py, in a subprocess: its 1 GiB page cache must not inflate us
        subprocess.run([sys.executable, str(HERE / "gen.py"), str(path), str(n), "--force"], check=True, env=ENV,
                       stdout=sys.stderr)
    else:
        _local_generate(path, n)
    return path


def _local_generate(path: Path, n: int) -> None:
    """Minimal fallback generator: n issues via the crate schema, 30 % open."""
    import random
    import sqlite3
    import uuid

    from store import Store, migrations, timestamps

    if path.exists():
        path.unlink()
    conn = sqlite3.connect(str(path), isolation_level=None)
    migrations.migrate(conn)
    conn.execute("BEGIN")
    rng = random.Random(0)
    now = time.time_ns() - n * 1_000_000
    rows = []
    for i in range(1, n + 1):
        ts = timestamps.format_ns(now + i * 1_000_000)
        status = "open" if rng.random() < 0.3 else "done"
        rows.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), i, f"Issue {i}", None, status,
                     rng.choice(["urgent", "high", "medium", "low"]), "task", 0, ts, ts, rng.choice(["claude", "codex"])))
    conn.executemany("INSERT INTO issues (id, number, title, description, status, priority, issue_type, is_blocked, "
                     "created_at, updated_at, agent) VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows)
    conn.execute("UPDATE issue_counter SET next_number = ? WHERE id = 1", (n + 1,))
    conn.execute("COMMIT")
    conn.close()
    Store.open(path, create=False).close()


def work_copy(src: Path, name: str) -> Path:
    dst = OUT / name
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(dst) + suffix)
        if p.exists():
            p.unlink()
    shutil.copyfile(src, dst)
    return dst
