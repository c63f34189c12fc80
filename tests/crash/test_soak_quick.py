"""A short soak (bench/soak.py): 3 agent processes + the headless dashboard triaging, for 5 s.

Proves, from issue_events: no double claim (a claim while someone else still held it), no lost update
(every write an agent reported as successful has its event, and the row shows it unless a later event
explains the change), no BusyError/"database is locked" reaching an agent or the dashboard, and the file
is whole afterwards (integrity, trigger-kept counts, counter). The long run is `python bench/soak.py`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def _soak_module():
    sys.path.insert(0, str(SOAK.parent))  # soak imports gen; spawned agents import `soak` by name
    if "soak" in sys.modules:
        return sys.modules["soak"]
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    mod = importlib.util.module_from_spec(spec)
    sys.modules["soak"] = mod
    spec.loader.exec_module(mod)
    return mod


def _run(tmp_path, agents, seconds, issues):
    soak = _soak_module()
    report = soak.run_soak(agents=agents, seconds=seconds, issues=issues, db=tmp_path / "soak.db", seed=7)
    print(soak.table(report))
    c = report["checks"]
    assert c["double_claims"] == []
    assert c["lost_updates"] == []
    assert report["busy"] == 0
    assert soak.failures(report) == []
    agents_ops = sum(r["stats"].get("claim", 0) for r in report["results"])
    assert agents_ops > 0, "the agents did no work"
    assert report["dash"]["load_count"] > 1, "the dashboard never refreshed"
    return report


def test_soak_quick(tmp_path):
    _run(tmp_path, agents=3, seconds=5, issues=1500)


@pytest.mark.slow
def test_soak_full(tmp_path):
    _run(tmp_path, agents=8, seconds=60, issues=3000)
