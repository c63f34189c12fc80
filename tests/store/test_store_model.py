"""Property-based: random operation sequences against a small Python model of the contract."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from store import Status, Store
from store.timestamps import format_ns
from storetest_helpers import T0, Clock

RANK = {"urgent": 0, "high": 1, "medium": 2, "low": 3}
CLAIM_NS = 15 * 60 * 10**9


class IssueModel(RuleBasedStateMachine):
    """Each issue: status, blocked, claimed_by, claimed_at (ns), priority, agent, created_at (ns), number."""

    @initialize()
    def setup(self):
        self.dir = Path(tempfile.mkdtemp(prefix="store-model-"))
        self.clock = Clock(T0)
        self.store = Store.open(self.dir / "model.db", clock=self.clock, actor="model")
        self.model: dict[str, dict] = {}
        self.next_number = 1

    def teardown(self):
        if hasattr(self, "store"):
            self.store.close()
            shutil.rmtree(self.dir, ignore_errors=True)

    # -- helpers -----------------------------------------------------------------------------
    def _pick(self, data):
        ids = sorted(self.model)
        return data.draw(st.sampled_from(ids)) if ids else None

    def _live(self, m) -> bool:
        return m["claimed_by"] is not None and m["claimed_at"] >= self.clock() - CLAIM_NS

    # -- operations --------------------------------------------------------------------------
    @rule(priority=st.sampled_from(list(RANK)), agent=st.sampled_from(["claude", "codex"]))
    def create(self, priority, agent):
        issue = self.store.create_issue(f"issue {self.next_number}", priority=priority, agent=agent)
        assert issue.number == self.next_number
        self.next_number += 1
        self.model[issue.id] = dict(number=issue.number, status="open", blocked=False, claimed_by=None,
                                    claimed_at=None, priority=priority, agent=agent, created_at=self.clock())

    @rule(seconds=st.sampled_from([7, 70, 301, 602, 903, 1204]))
    def advance(self, seconds):
        self.clock.advance(seconds=seconds)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), run=st.sampled_from(["run-1", "run-2"]))
    def claim(self, data, run):
        iid = self._pick(data)
        m = self.model[iid]
        ok = m["status"] == "open" and not m["blocked"] and not self._live(m)
        assert self.store.claim_issue(iid, run) == ok
        if ok:
            m.update(status="in_progress", claimed_by=run, claimed_at=self.clock())

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def claim_next(self, data):
        agent = data.draw(st.sampled_from([None, "claude", "codex"]))
        nxt = self.store.get_next_ready_issue(agent)
        expected = self._ready(agent)
        assert (nxt.id if nxt else None) == (expected[0] if expected else None)
        if nxt:
            assert self.store.claim_issue(nxt.id, "run-next")
            self.model[nxt.id].update(status="in_progress", claimed_by="run-next", claimed_at=self.clock())

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def unclaim(self, data):
        iid = self._pick(data)
        m = self.model[iid]
        ok = m["status"] == "in_progress"
        assert self.store.unclaim_issue(iid) == ok
        if ok:
            m.update(status="open", claimed_by=None, claimed_at=None)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def complete(self, data):
        iid = self._pick(data)
        m = self.model[iid]
        ok = m["status"] in ("open", "in_progress")
        assert self.store.complete_issue(iid) == ok
        if ok:
            m.update(status="done", claimed_by=None, claimed_at=None, blocked=False)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def reopen(self, data):
        iid = self._pick(data)
        m = self.model[iid]
        ok = m["status"] == "done"
        assert self.store.reopen_issue(iid) == ok
        if ok:
            m.update(status="open")

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def block(self, data):
        iid = self._pick(data)
        m = self.model[iid]
        ok = m["status"] in ("open", "in_progress")
        assert self.store.block_issue(iid, "reason") == ok
        if ok:
            m.update(status="open", blocked=True, claimed_by=None, claimed_at=None)

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def unblock(self, data):
        iid = self._pick(data)
        m = self.model[iid]
        ok = m["blocked"]
        assert self.store.unblock_issue(iid) == ok
        if ok:
            m.update(blocked=False)

    @precondition(lambda self: self.model)
    @rule(data=st.data(), priority=st.sampled_from(list(RANK)))
    def update(self, data, priority):
        iid = self._pick(data)
        assert self.store.update_issue(iid, priority=priority)
        self.model[iid]["priority"] = priority

    @precondition(lambda self: self.model)
    @rule(data=st.data())
    def delete(self, data):
        iid = self._pick(data)
        assert self.store.delete_issue(iid)
        del self.model[iid]

    @rule()
    def release_stale(self):
        stale = [iid for iid, m in self.model.items() if m["status"] == "in_progress" and not self._live(m)]
        assert self.store.release_stale_claims() == len(stale)
        for iid in stale:
            self.model[iid].update(status="open", claimed_by=None, claimed_at=None)

    # -- checks ------------------------------------------------------------------------------
    def _ready(self, agent=None):
        rows = [(RANK[m["priority"]], format_ns(m["created_at"]), m["number"], iid) for iid, m in self.model.items()
                if m["status"] == "open" and not m["blocked"] and not self._live(m)
                and (agent is None or m["agent"] == agent)]
        return [r[3] for r in sorted(rows)]

    @invariant()
    def rows_match_model(self):
        if not hasattr(self, "store"):
            return
        issues = {i.id: i for i in self.store.list_issues()}
        assert set(issues) == set(self.model)
        for iid, m in self.model.items():
            i = issues[iid]
            assert (str(i.status), i.is_blocked, i.claimed_by, str(i.priority), i.number) == \
                (m["status"], m["blocked"], m["claimed_by"], m["priority"], m["number"])
            assert i.claimed_at == (format_ns(m["claimed_at"]) if m["claimed_at"] is not None else None)
            assert (i.completed_at is not None) == (m["status"] == "done")
            if m["blocked"]:
                assert i.blocked_reason == "reason"
            else:
                assert i.blocked_reason is None

    @invariant()
    def queues_match_model(self):
        if not hasattr(self, "store"):
            return
        for agent in (None, "claude", "codex"):
            assert [i.id for i in self.store.ready_queue(agent=agent, limit=1000)] == self._ready(agent)
        stale = sorted((m["claimed_at"], m["number"], iid) for iid, m in self.model.items()
                       if m["status"] == "in_progress" and not self._live(m))
        assert [i.id for i in self.store.stale_claims()] == [s[2] for s in stale]
        c = self.store.counts()
        ms = [m for m in self.model.values()]
        assert c.total == len(ms)
        assert c.ready == len(self._ready())
        assert c.blocked == sum(1 for m in ms if m["status"] == "open" and m["blocked"])
        assert c.in_progress == sum(1 for m in ms if m["status"] == "in_progress")
        assert c.done == sum(1 for m in ms if m["status"] == "done")
        assert c.stale == len(stale)


TestIssueModel = IssueModel.TestCase
TestIssueModel.settings = settings(max_examples=40, stateful_step_count=40, deadline=None)
