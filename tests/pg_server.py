"""A real PostgreSQL server for the tests: initdb into a temp folder, unix socket only, one fresh DB per test.

Started once per test session (lazily, the first time a test asks for it) and stopped at the end with
`pg_ctl -m immediate stop`. If the server cannot start the run fails and says why: never a skip.

As root (CI, containers) the server tools run as the `postgres` user (`initdb` refuses root); as any other
user they run as that user. The binaries come from `$PG_BINDIR`, Debian's `/usr/lib/postgresql/<v>/bin`
(15 preferred), or the PATH.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

TEMPLATE = "tui_template"
PW_USER, PW = "pwuser", "s3cret-Pa55word"


class PgServerError(RuntimeError):
    pass


def find_bindir() -> Path:
    env = os.environ.get("PG_BINDIR")
    candidates = [env] if env else []
    candidates += ["/usr/lib/postgresql/15/bin"] + sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for c in candidates:
        if c and (Path(c) / "initdb").exists() and (Path(c) / "pg_ctl").exists():
            return Path(c)
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    if not env and _install_server():
        return find_bindir()
    raise PgServerError("PostgreSQL server binaries not found (no /usr/lib/postgresql/*/bin/initdb, none on PATH); "
                        "install them: apt-get install -y postgresql (or set $PG_BINDIR)")


def _install_server() -> bool:
    """On a clean Debian/Ubuntu machine run as root (CI), install the server binaries once; True if it worked."""
    if os.geteuid() != 0 or not shutil.which("apt-get") or os.environ.get("ISSUES_TUI_NO_PG_INSTALL"):
        return False
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "postgresql"]):
        if subprocess.run(cmd, env=env, capture_output=True, timeout=900).returncode != 0:
            return False
    return bool(glob.glob("/usr/lib/postgresql/*/bin/initdb"))


def _free_port() -> int:
    # Only a number for the socket file name (.s.PGSQL.<port>); nothing listens on TCP.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgServer:
    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.root = Path(tempfile.mkdtemp(prefix="issues-tui-pg-"))
        self.data = self.root / "data"
        self.sock = self.root / "sock"
        self.port = _free_port()
        self.as_postgres = os.geteuid() == 0
        self._n = itertools.count(1)
        self.started = False
        self.sock.mkdir()
        if self.as_postgres:
            try:
                pw = pwd.getpwnam("postgres")
            except KeyError:
                raise PgServerError("running as root but there is no `postgres` user to run the server as "
                                    "(apt-get install -y postgresql creates it)") from None
            os.chmod(self.root, 0o755)
            for p in (self.root, self.sock):
                os.chown(p, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str, check: bool = True, timeout: float = 120) -> subprocess.CompletedProcess:
        cmd = [str(self.bindir / args[0]) if args[0] != "sh" else "sh", *args[1:]]
        if self.as_postgres:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, cwd=str(self.root))
        if check and proc.returncode != 0:
            out = (proc.stderr or proc.stdout).strip().splitlines()
            raise PgServerError(f"{args[0]} failed (exit {proc.returncode}): {' | '.join(out[-6:])}")
        return proc

    def start(self) -> "PgServer":
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale=C.UTF-8" if _has_c_utf8() else "--locale=C")
        # One role logs in with a password (to test bad credentials and that no message shows it); the rest: trust.
        hba = self.data / "pg_hba.conf"
        self._run("sh", "-c", f"printf 'local all {PW_USER} scram-sha-256\\nlocal all all trust\\n' > {hba}")
        self.opts = opts = (f"-k {self.sock} -c listen_addresses='' -p {self.port} -c fsync=off -c synchronous_commit=off "
                f"-c full_page_writes=off -c max_connections=200 -c shared_buffers=128MB")
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "server.log"),
                  "-o", opts, "start")
        self.started = True
        self._prepare_template()
        return self

    def pause(self) -> None:
        """Stop the server (fast: every connection is cut); `resume()` starts it again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-t", "60", "-l", str(self.root / "server.log"),
                  "-o", self.opts, "start")

    def restart(self) -> None:
        """Stop (fast: every connection is cut) and start again with the same options."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "-l", str(self.root / "server.log"),
                  "restart")

    def url(self, db: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        auth = f"{user}:{password}" if password is not None else user
        return f"postgresql://{auth}@/{db}?host={self.sock}&port={self.port}"

    def admin(self):
        import psycopg
        return psycopg.connect(self.url("postgres"), autocommit=True)

    def _prepare_template(self) -> None:
        from store.postgres import PgStore
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{TEMPLATE}"')
            conn.execute(f"CREATE ROLE {PW_USER} LOGIN SUPERUSER PASSWORD '{PW}'")
        PgStore.open(self.url(TEMPLATE), create=True).close()
        with self.admin() as conn:
            conn.execute(f"ALTER DATABASE \"{TEMPLATE}\" WITH IS_TEMPLATE true")

    def new_db(self, empty: bool = False) -> str:
        """A fresh database (an issues DB cloned from the template, or an empty one); returns its URL."""
        name = f"t{os.getpid()}_{next(self._n)}"
        template = "template0" if empty else TEMPLATE
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}" STRATEGY FILE_COPY')
        return self.url(name)

    def drop_db(self, url: str) -> None:
        name = url.split("/")[3].split("?")[0]
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def stop(self) -> None:
        if self.started:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop", check=False, timeout=60)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join((self.root / "server.log").read_text().splitlines()[-lines:])
        except OSError:
            return ""


def _has_c_utf8() -> bool:
    try:
        out = subprocess.run(["locale", "-a"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return False
    return any(l.lower() in ("c.utf8", "c.utf-8") for l in out.split())


def _pid_alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists() if Path("/proc/self").exists() else True  # unsure: keep it


def reap_orphans() -> None:
    """Stop servers left by earlier runs whose owning process is gone (a run killed before its teardown)."""
    for owner in glob.glob(os.path.join(tempfile.gettempdir(), "issues-tui-pg-*", "owner.pid")):
        root = Path(owner).parent
        try:
            pid = int(Path(owner).read_text().strip())
        except (OSError, ValueError):
            continue
        if pid == os.getpid() or _pid_alive(pid):
            continue
        server = PgServer.__new__(PgServer)
        server.bindir, server.root, server.data = find_bindir(), root, root / "data"
        server.as_postgres, server.started = os.geteuid() == 0, (root / "data" / "postmaster.pid").exists()
        server.stop()


def start_server() -> PgServer:
    server = None
    try:
        reap_orphans()
        server = PgServer()
        (server.root / "owner.pid").write_text(str(os.getpid()))
        return server.start()
    except BaseException as exc:
        tail = server.log_tail() if server else ""
        if server:
            server.stop()
        if isinstance(exc, (KeyboardInterrupt, SystemExit)):
            raise
        raise PgServerError(f"cannot start the test PostgreSQL server: {exc}" + (f"\n{tail}" if tail else "")) from None


def wait_until(pred, timeout: float = 10.0, step: float = 0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = pred()
        if value:
            return value
        time.sleep(step)
    return pred()
