"""Row ids in a multi-repo dashboard: `<source index>/<issue id>` (apart from tui/multi.py, the merge, so that
the single-file start-up does not import it)."""

from __future__ import annotations

SEP = "/"
REPO_KEY = "__repo"  # a merged row's repo name, carried in Issue.extra (not a column of any file)


def composite_id(index: int, issue_id: str) -> str:
    return f"{index}{SEP}{issue_id}"


def split_id(cid: str | None) -> tuple[int | None, str | None]:
    """(source index, real id) of a composite id; (None, id) for a plain one."""
    if not cid:
        return None, cid
    head, sep, rest = cid.partition(SEP)
    if sep and head.isdigit():
        return int(head), rest
    return None, cid
