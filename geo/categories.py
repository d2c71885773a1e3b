"""Derive each project's ledger category (在谈 … 已投产) and its overdue alerts, by rules.

Categories are never typed in. The rules, with thresholds from ``data/ledger_rules.json``
(overridable by the ``LEDGER_RULES`` setting):

- the stage on the day asked gives the base category: 储备 → 在谈, 签约 → 已签约,
  落地 → 未开工, 开工 and 建设 → 在建, 投产 → 已投产;
- a project in one of ``slow_stages`` (开工, 建设: under construction) is 进展缓慢 instead when,
  on that day, a planned node is more than ``slow_behind_days`` days past its date and not
  met: construction behind its schedule, as the county means it ("形成更多的实物工程量";
  docs/domain.md "Ledger categories");
- a project in one of ``report_stages`` whose last progress entry (else its last transition)
  is more than ``report_due_days`` days old is 未按时报送 (``Assessment.late_report``): a
  failing of its reporter, not of its construction, so its category stays what it is and
  the report lists it apart. "More than": exactly N days late is not yet late, N + 1 days is.
- a node is met when the project has reached its stage: 签约 for planned signing, 落地 for
  land delivery, 开工 for start, 投产 for production; completion is met at 投产 or when a
  progress entry reports 100 %.

Only transitions and progress entries dated on or before the day count, so a past month's
categories can be recomputed (the monthly report compares two months).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from geo.county import DATA_DIR
from geo.lifecycle import stage_index, stage_on
from geo.models import Project

BASE_CATEGORY = {"pipeline": "negotiating", "signed": "signed", "landed": "not_started",
                 "started": "building", "building": "building", "producing": "producing"}
# Planned node → the stage that meets it.
NODE_STAGE = {"plan_sign": "signed", "plan_land": "landed", "plan_start": "started",
              "plan_complete": "producing", "plan_production": "producing"}


@dataclass(frozen=True)
class Rules:
    """Thresholds of the category and idle-land rules, in days."""

    slow_behind_days: int = 30
    report_due_days: int = 45
    slow_stages: tuple[str, ...] = ("started", "building")
    report_stages: tuple[str, ...] = ("signed", "landed", "started", "building")
    # A progress entry whose completed investment exceeds this many times the last one asks
    # for confirmation (geo/ledger.py); 0 turns the check off.
    investment_jump_ratio: float = 3.0


def load_rules(overrides: Mapping[str, object] | None = None) -> Rules:
    """Return the rules of ``data/ledger_rules.json`` with ``overrides`` applied.

    >>> load_rules({"slow_behind_days": 10}).slow_behind_days
    10
    """
    with open(DATA_DIR / "ledger_rules.json", encoding="utf-8") as f:
        values = {k: v for k, v in json.load(f).items() if not k.startswith("_")}
    overrides = dict(overrides or {})
    if "slow_silent_days" in overrides:  # its name before silence became 未按时报送
        overrides.setdefault("report_due_days", overrides.pop("slow_silent_days"))
    values.update(overrides)
    # When land becomes an idle candidate is 令53's rule now (data/idle_law.json); an old
    # site setting of its own day count is not read.
    values.pop("idle_candidate_after_days", None)
    for name in ("slow_stages", "report_stages"):
        values[name] = tuple(values.get(name, getattr(Rules, name)))
    return Rules(**values)


@dataclass(frozen=True)
class Alert:
    """Something overdue: what (a field name), about whom (a code), since when, how long."""

    # node_overdue | silent (未按时报送) | disposal_overdue | recovery_due | idle_candidate
    kind: str
    code: str
    name: str
    what: str
    since: dt.date
    days: int


@dataclass
class Assessment:
    """A project's category on a day, the stage it was in, whether its report is late, and
    the alerts that say why (overdue nodes, the late report)."""

    category: str
    stage: str
    alerts: list[Alert] = field(default_factory=list)
    late_report: bool = False


def _node_met(project: Project, node: str, stage: str, on: dt.date) -> bool:
    if stage_index(stage) >= stage_index(NODE_STAGE[node]):
        return True
    if node == "plan_complete":
        return any(p.date <= on and (p.percent_done or 0) >= 100 for p in project.progress)
    return False


def last_report(project: Project, on: dt.date) -> dt.date | None:
    """Return the date of the last progress entry (else transition) on or before ``on``."""
    dates = [p.date for p in project.progress if p.date <= on]
    if not dates:
        dates = [t.date for t in project.transitions if t.date <= on]
    return max(dates) if dates else None


def assess(project: Project, on: dt.date, rules: Rules) -> Assessment:
    """Return ``project``'s category and alerts at the end of day ``on``.

    >>> p = Project(code="X1", name="x", stage="signed", progress=[], transitions=[])
    >>> assess(p, dt.date(2025, 1, 1), Rules()).category
    'signed'
    """
    stage = stage_on(project, on)
    result = Assessment(BASE_CATEGORY[stage], stage)
    if stage in rules.slow_stages:
        plan = project.plan
        for node in NODE_STAGE:
            due = getattr(plan, node) if plan is not None else None
            if due is None or _node_met(project, node, stage, on):
                continue
            late = (on - due).days
            if late > rules.slow_behind_days:
                result.alerts.append(Alert("node_overdue", project.code, project.name, node,
                                           due, late))
        if result.alerts:
            result.category = "slow"
    if stage in rules.report_stages:
        last = last_report(project, on)
        if last is not None and (on - last).days > rules.report_due_days:
            result.alerts.append(Alert("silent", project.code, project.name, "progress", last,
                                       (on - last).days))
            result.late_report = True
    return result
