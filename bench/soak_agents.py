"""The soak's agent processes (bench/soak.py): each its own Store, claiming, completing, blocking, giving back,
creating and unblocking issues; every write it reports as successful is recorded for the checks."""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from pathlib import Path

KINDS = ("claim", "complete", "block", "unclaim", "unblock", "create")
BLOCK_REASONS = ("waiting on upstream", "needs a decision", "flaky CI", "missing credentials")


def agent_main(idx: int, db: str, seconds: float, think_ms: float, seed: int, go, commits, result_path: str) -> None:
    from store import BusyError, ConflictError, Store, StoreError

    rng = random.Random(seed * 1000 + idx)
    name = f"agent-{idx}"
    ops: list[tuple[str, str, str]] = []  # (kind, issue_id, actor) of every write reported successful
    stats = Counter()
    errors: list[str] = []
    store = None
    try:
        store = Store.open(db, create=False, actor=name)
        go.wait(120)
        deadline = time.time() + seconds
        n = 0

        def done(kind: str, issue_id: str, actor: str) -> None:
            ops.append((kind, issue_id, actor))
            stats[kind] += 1
            commits.put(time.time())

        def guarded(fn, *args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except ConflictError:
                stats["conflicts"] += 1
                return None
            except BusyError as exc:
                stats["busy"] += 1
                errors.append(f"{type(exc).__name__}: {exc}")
                return None
            except StoreError as exc:
                stats["errors"] += 1
                errors.append(f"{type(exc).__name__}: {exc}")
                return None

        while time.time() < deadline:
            n += 1
            issue = guarded(store.get_next_ready_issue)
            if issue is not None:
                run = f"{name}-r{n}"
                if guarded(store.claim_issue, issue.id, run, actor=run):
                    done("claim", issue.id, run)
                    claimed = guarded(store.get_issue_by_id, issue.id)
                    time.sleep(rng.uniform(0, think_ms) / 1000)
                    guard = claimed.updated_at if claimed else None
                    roll = rng.random()
                    if roll < 0.10:
                        if guarded(store.block_issue, issue.id, rng.choice(BLOCK_REASONS), expect_updated_at=guard,
                                   actor=run):
                            done("block", issue.id, run)
                    elif roll < 0.17:
                        if guarded(store.unclaim_issue, issue.id, expect_updated_at=guard, actor=run):
                            done("unclaim", issue.id, run)
                    else:
                        if guarded(store.complete_issue, issue.id, expect_updated_at=guard, actor=run):
                            done("complete", issue.id, run)
                else:
                    stats["claim_races"] += 1
            if rng.random() < (0.9 if issue is None else 0.45):
                made = guarded(store.create_issue, f"{name} follow-up {n}", "made by the soak",
                               rng.choice(["urgent", "high", "medium", "medium", "low"]), actor=name)
                if made is not None:
                    done("create", made.id, name)
            if rng.random() < 0.06:
                blocked = guarded(store.list_view, "blocked", limit=30) or []
                if blocked:
                    target = rng.choice(blocked)
                    if guarded(store.unblock_issue, target.id, expect_updated_at=target.updated_at, actor=name):
                        done("unblock", target.id, name)
            time.sleep(rng.uniform(0, think_ms) / 1000)
    except BaseException as exc:  # noqa: BLE001 - report it instead of dying silently
        errors.append(f"agent crashed: {type(exc).__name__}: {exc}")
        stats["errors"] += 1
    finally:
        if store is not None:
            store.close()
        Path(result_path).write_text(json.dumps({"name": name, "ops": ops, "stats": stats, "errors": errors[:20]}))
