"""PostgreSQL targets: recognising them, and never showing their password.

A target is a `postgresql://` / `postgres://` URL or a libpq keyword string (`host=/run/pg dbname=issues`), as
psycopg accepts them (a unix socket is `?host=/path` or `host=/path`). `display()` is the form every message
and screen uses: the password removed. `scrub()` removes it from any text (a driver error quoting the string).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

# libpq connection keywords (a keyword string must start with one of them).
_KEYWORDS = {
    "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "channel_binding", "connect_timeout",
    "client_encoding", "options", "application_name", "fallback_application_name", "keepalives",
    "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout", "replication", "gssencmode",
    "sslmode", "requiressl", "sslcompression", "sslcert", "sslkey", "sslpassword", "sslcertmode", "sslrootcert",
    "sslcrl", "sslcrldir", "sslsni", "requirepeer", "ssl_min_protocol_version", "ssl_max_protocol_version",
    "krbsrvname", "gsslib", "service", "target_session_attrs", "load_balance_hosts",
}
_KEYWORD_RE = re.compile(r"^\s*([A-Za-z_]+)\s*=")
_PASSWORD_KW_RE = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)", re.IGNORECASE)
_URL_PASSWORD_RE = re.compile(r"(postgres(?:ql)?://[^:/@?#\s]*:)([^@\s]*)(@)", re.IGNORECASE)
_QUERY_PASSWORD_RE = re.compile(r"([?&]password=)([^&#\s]*)", re.IGNORECASE)


def is_url(target: str) -> bool:
    return bool(re.match(r"^\s*postgres(?:ql)?://", str(target), re.IGNORECASE))


def is_pg_target(target) -> bool:
    """True for a PostgreSQL URL or libpq keyword string; False for anything that names a file."""
    if not isinstance(target, str):
        return False
    if is_url(target):
        return True
    m = _KEYWORD_RE.match(target)
    return bool(m and m.group(1).lower() in _KEYWORDS)


def passwords(target: str) -> list[str]:
    """Every password text the target holds (raw and URL-decoded), longest first."""
    found: set[str] = set()
    for m in _URL_PASSWORD_RE.finditer(target):
        found.add(m.group(2))
    for m in _QUERY_PASSWORD_RE.finditer(target):
        found.add(m.group(2))
    for m in _PASSWORD_KW_RE.finditer(target):
        value = m.group(2)
        found.add(value)
        if value.startswith("'") and value.endswith("'") and len(value) >= 2:
            found.add(value[1:-1].replace("\\'", "'").replace("\\\\", "\\"))
    if is_url(target):
        try:
            pw = urlsplit(target.strip()).password
        except ValueError:
            pw = None
        if pw:
            found.add(pw)
    found |= {unquote(p) for p in list(found)}
    return sorted((p for p in found if p), key=len, reverse=True)


def scrub(text: str, target: str | None = None) -> str:
    """`text` with every password removed (the target's, and any `password=`/URL password in it)."""
    out = str(text)
    if target:
        for pw in passwords(target):
            out = out.replace(pw, "***")
    out = _URL_PASSWORD_RE.sub(r"\1***\3", out)
    out = _QUERY_PASSWORD_RE.sub(r"\1***", out)
    out = _PASSWORD_KW_RE.sub(r"\1***", out)
    return out


def display(target: str) -> str:
    """The target as shown to people: no password (`postgresql://alice@db/issues`, `host=/run/pg dbname=x`)."""
    text = str(target).strip()
    if is_url(text):
        text = _URL_PASSWORD_RE.sub(r"\1\3", text).replace(":@", "@", 1)
        return _QUERY_PASSWORD_RE.sub("", text).replace("?&", "?").rstrip("?")
    return " ".join(_PASSWORD_KW_RE.sub("", text).split())
