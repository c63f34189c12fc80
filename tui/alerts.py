"""Alerts: what deserves the user's attention while the dashboard sits beside their agents (pure: no Textual).

Kinds (each can be turned off in the config's `[alerts]`):
- `stale_claim`: an in-progress claim crossed 15 minutes (also while nobody writes: `detect` runs on the clock),
- `session_failed`: a session's status became `failed`,
- `pid_dead`: a session marked running whose process is gone,
- `ready_empty`: the ready queue ran empty (raised again only after it refilled),
- `spend`: a session's spend crossed the threshold (default 80 %) of its project's budget.

Every alert has a key; a key is raised once per dashboard run (`AlertState.seen`). On the first observation,
conditions that already held (claims stale before the dashboard opened, sessions that failed yesterday) are
noted silently, except one summary for the stale claims; what is raised at open (that summary, a dead pid,
an empty queue) is listed under `!` without a toast (`at_open`), so opening the dashboard is not a flood.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from store import Issue, Project, Session, timestamps

from .format import ratio

CLAIM_NS = 15 * 60 * 1_000_000_000
KINDS = ("stale_claim", "session_failed", "pid_dead", "ready_empty", "spend")
GROUP_OVER = 5  # more new alerts of one kind at once than this: one alert that counts them


@dataclass(frozen=True, slots=True)
class AlertConfig:
    enabled: frozenset[str] = frozenset(KINDS)
    spend_threshold: float = 0.8
    desktop: bool = True


@dataclass(frozen=True, slots=True)
class Alert:
    kind: str
    key: tuple
    message: str  # plain text; shown through Text/Content, never markup
    at_ns: int
    issue_id: str | None = None
    session_id: str | None = None
    severity: str = "warning"
    at_open: bool = False  # a condition that already held when the dashboard opened: listed under `!`, no toast


@dataclass(slots=True)
class Observation:
    """What the last load saw (the store's watched claims, the ready depth, sessions with their projects)."""

    live_claims: list[Issue] = field(default_factory=list)
    stale_claims: list[Issue] = field(default_factory=list)
    stale_count: int = 0
    ready: int | None = None
    sessions: list[Session] = field(default_factory=list)
    projects: dict[str, Project] = field(default_factory=dict)


@dataclass(slots=True)
class AlertState:
    seen: set = field(default_factory=set)
    started: bool = False
    ready_empty_raised: bool = False
    history: list[Alert] = field(default_factory=list)


def _claim_key(issue: Issue) -> tuple:
    return ("stale_claim", issue.id, issue.claimed_at)


def _who(issue: Issue) -> str:
    return f"#{issue.number} {issue.title}"


def detect(state: AlertState, obs: Observation, now_ns: int, cfg: AlertConfig = AlertConfig(),
           alive: Callable[[int | None], bool | None] | None = None) -> list[Alert]:
    """New alerts for this observation at this instant (and remember them in `state`)."""
    first = not state.started
    state.started = True
    found: dict[str, list[Alert]] = {k: [] for k in KINDS}

    def add(alert: Alert, silent: bool = False) -> None:
        if alert.key in state.seen:
            return
        state.seen.add(alert.key)
        if not silent and alert.kind in cfg.enabled:
            found[alert.kind].append(alert)

    # Claims: stale ones the store already lists, and live ones the clock has carried past 15 minutes.
    crossed = [i for i in obs.live_claims
               if (timestamps.parse_ns(i.claimed_at) or 0) + CLAIM_NS <= now_ns]
    for issue in obs.stale_claims + crossed:
        at = timestamps.parse_ns(issue.claimed_at)
        age = f"{(now_ns - at) // 60_000_000_000} min" if at is not None else "an unreadable time"
        add(Alert("stale_claim", _claim_key(issue),
                  f"Claim went stale: {_who(issue)} (claimed by {issue.claimed_by or '?'} {age} ago)",
                  now_ns, issue_id=issue.id), silent=first)
    if first and obs.stale_count and "stale_claim" in cfg.enabled:
        n = obs.stale_count
        found["stale_claim"].append(Alert("stale_claim", ("stale_claim", "at-open"),
                                          f"{n:,} claim{'s' if n != 1 else ''} already stale (view S)", now_ns))

    for s in obs.sessions:
        if s.status == "failed":
            add(Alert("session_failed", ("session_failed", s.id), f"Session failed: {s.model} {s.id[:8]}"
                      f"{f' (pid {s.pid})' if s.pid is not None else ''}", now_ns, session_id=s.id,
                      severity="error"), silent=first)
        if s.status == "running" and alive is not None and s.pid is not None and alive(s.pid) is False:
            add(Alert("pid_dead", ("pid_dead", s.id, s.pid), f"Session {s.model} {s.id[:8]}: pid {s.pid} is gone "
                      "but it is still marked running", now_ns, session_id=s.id))
        project = obs.projects.get(s.project_id)
        budget = project.default_budget if project is not None else None
        share = ratio(s.budget_spent, budget)  # None for a missing budget or a value that is not a number
        if share is not None and budget > 0 and share >= cfg.spend_threshold:
            pct = 100 * share
            add(Alert("spend", ("spend", s.id), f"Session {s.model} {s.id[:8]} has spent {pct:.0f}% of "
                      f"{project.name}'s budget (${s.budget_spent:,.2f} of ${budget:,.2f})", now_ns, session_id=s.id),
                silent=first and s.status != "running")

    if obs.ready is not None:
        if obs.ready > 0:
            state.ready_empty_raised = False
        elif not state.ready_empty_raised:
            state.ready_empty_raised = True
            if "ready_empty" in cfg.enabled:
                found["ready_empty"].append(Alert("ready_empty", ("ready_empty", now_ns),
                                                  "Ready queue is empty: agents have nothing to claim", now_ns))

    if first:  # what already held at open is listed, not announced (the status line and panes show it too)
        found = {k: [replace(a, at_open=True) for a in v] for k, v in found.items()}
    out: list[Alert] = []
    for kind, alerts in found.items():
        if len(alerts) > GROUP_OVER:
            out.append(Alert(kind, (kind, "group", now_ns), f"{len(alerts)} new alerts: " + "; ".join(
                a.message for a in alerts[:3]) + " …", now_ns, severity=alerts[0].severity, at_open=first))
        else:
            out.extend(alerts)
    state.history.extend(out)
    del state.history[:-500]
    return out


def next_crossing_ns(obs: Observation) -> int | None:
    """When the next live claim turns stale (for a timer; the 1 s tick also catches it)."""
    times = [timestamps.parse_ns(i.claimed_at) for i in obs.live_claims]
    times = [t for t in times if t is not None]
    return min(times) + CLAIM_NS if times else None


def osc_notification(title: str, body: str) -> str:
    """A desktop notification through the terminal: OSC 777 (urxvt, foot, WezTerm, kitty's compat) then
    OSC 9 (iTerm2, Windows Terminal, WezTerm). Control characters and `;` are removed from the text, so
    DB text can never end the sequence early or start another one."""
    def clean(text: str, limit: int) -> str:
        out = "".join(ch if ch.isprintable() and ch != ";" else " " for ch in text)
        return out[:limit]
    t, b = clean(title, 60), clean(body, 200)
    return f"\x1b]777;notify;{t};{b}\x1b\\" + f"\x1b]9;{t}: {b}\x1b\\"


def load_alert_config(section: dict | None, problems: list[str]) -> AlertConfig:
    """`[alerts]` from the config: `stale_claim = false` … `spend_threshold = 0.9`, `desktop = false`."""
    if not section:
        return AlertConfig()
    enabled = set(KINDS)
    threshold = 0.8
    desktop = True
    for key, value in section.items():
        if key in KINDS and isinstance(value, bool):
            if not value:
                enabled.discard(key)
        elif key == "spend_threshold" and isinstance(value, (int, float)) and not isinstance(value, bool):
            threshold = float(value) / 100 if value > 1 else float(value)
        elif key == "desktop" and isinstance(value, bool):
            desktop = value
        else:
            problems.append(f"config [alerts]: {key} = {value!r} is not understood (kinds: {', '.join(KINDS)} = "
                            "true/false; spend_threshold = 0.8; desktop = true/false)")
    return AlertConfig(frozenset(enabled), threshold, desktop)
