"""The monthly report (月月通报): ledger, categories, changes since last month, ranking.

Projects behind their planned nodes (进展缓慢) and projects whose report is late (未按时报送)
are listed apart: they are different failings (geo/categories.py). Every alert, of projects
and of idle land, is either new this month (absent on the previous month's last day) or
carried over, and the report lists the new ones first and apart, so that last year's alerts
do not drown them.

Idle-land alerts (geo/idle.py) are computed on the month's last day, and on the previous
month's, from the parcels as they are now: the register keeps no history of parcels.

Ranking (定期排队) of lead units and of towns, for the report's year up to the month's end:

1. annual completion rate, highest first: investment completed this year (each project's
   cumulative completed investment at the month's end minus that at the end of last year)
   divided by the investment planned for this year; groups without a plan rank after the rest;
2. then fewer 进展缓慢 projects first;
3. then the group's name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from geo.categories import Alert, Rules
from geo.errors import N_, FieldError
from geo.fields import CATEGORIES, STAGES, get_field
from geo.idle import idle_alerts
from geo.ledger import Row, load_projects, row_for, totals
from geo.models import Project

# Fixed words of the report, in both languages (the web layer is not available here).
WORDS = {
    "ledger": ("台账", "Ledger"), "categories": ("分类统计", "Categories"),
    "changes": ("本月变化", "Changes"), "units": ("单位排队", "Units ranked"),
    "towns": ("乡镇排队", "Towns ranked"), "alerts": ("预警", "Alerts"),
    "title": ("重点项目月度通报", "Key projects, monthly report"),
    "rank": ("名次", "Rank"), "group_unit": ("责任单位", "Lead unit"),
    "group_town": ("所在乡镇", "Town"), "count": ("项目数", "Projects"),
    "planned": ("年度计划投资（万元）", "Planned this year (10k CNY)"),
    "done": ("本年完成投资（万元）", "Completed this year (10k CNY)"),
    "rate": ("年度计划完成率（%）", "Share of the year's plan done (%)"),
    "slow": ("进展缓慢项目数", "Projects behind plan"),
    "investment": ("总投资（万元）", "Total investment (10k CNY)"),
    "completed": ("累计完成投资（万元）", "Completed to date (10k CNY)"),
    "code": ("项目编号", "Project code"), "name": ("项目名称", "Project name"),
    "what": ("变化", "Change"), "before": ("上月", "Last month"), "after": ("本月", "This month"),
    "date": ("日期", "Date"), "kind": ("类型", "Kind"), "since": ("起始日期", "Since"),
    "days": ("天数", "Days"), "stage": ("项目阶段", "Stage"), "category": ("项目类别", "Category"),
    "node_overdue": ("计划节点逾期", "Planned node overdue"),
    "silent": ("未按时报送", "Late report"),
    "slow_projects": ("进展缓慢", "Behind plan"), "late_reports": ("未按时报送", "Late reports"),
    "new": ("本月新增", "New this month"), "carried": ("延续", "Carried over"),
    "fresh": ("新增/延续", "New or carried"), "serial": ("序号", "No."),
    "total": ("合计", "Total"), "node": ("逾期节点", "Overdue node"),
    "due": ("计划日期", "Planned date"), "late_days": ("逾期天数", "Days overdue"),
    "last_report": ("最后报送日期", "Last report"), "silent_days": ("未报送天数", "Days silent"),
    "leader": ("包联领导", "Responsible leader"), "lead_unit": ("责任单位", "Lead unit"),
    "idle_new": ("闲置土地预警（本月新增）", "Idle land, new alerts"),
    "idle_carried": ("闲置土地预警（延续）", "Idle land, carried over"),
    "idle_alerts": ("闲置土地预警", "Idle-land alerts"),
    "disposal_overdue": ("处置逾期", "Disposal overdue"),
    "recovery_due": ("可依法无偿收回", "May be taken back without compensation"),
    "idle_candidate": ("疑似闲置（约定动工满一年未动工）", "Idle candidate (no start a year on)"),
    "parcel": ("地块编号", "Parcel code"), "parcel_name": ("地块名称", "Parcel name"),
}


def word(key: str, lang: str = "zh") -> str:
    """Return one fixed word of the report in ``lang``."""
    zh, en = WORDS[key]
    return en if lang == "en" else zh


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of ``month`` ("2026-10"); FieldError if malformed.

    >>> month_bounds("2024-02")
    (datetime.date(2024, 2, 1), datetime.date(2024, 2, 29))
    """
    try:
        first = dt.date.fromisoformat(f"{month.strip()}-01")
    except (ValueError, AttributeError):
        raise FieldError("month", N_("%(field)s must be a month like 2026-10.")) from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, following - dt.timedelta(days=1)


@dataclass
class Ranked:
    """One group (a unit or a town) in the ranking."""

    rank: int
    name: str
    count: int
    planned: float
    done: float
    rate: float | None
    slow: int


@dataclass
class Change:
    """A project's stage or category that differs from last month."""

    code: str
    name: str
    what: str  # "stage" | "category"
    before: str
    after: str
    date: dt.date | None = None


@dataclass
class MonthlyReport:
    """Everything the monthly report shows, for one month."""

    month: str
    first: dt.date
    last: dt.date
    rows: list[Row]
    totals: dict
    by_category: list[tuple[str, int, float, float]]
    changes: list[Change]
    units: list[Ranked]
    towns: list[Ranked]
    alerts: list[Alert] = field(default_factory=list)
    idle_alerts: list[Alert] = field(default_factory=list)
    # (kind, code, what) of the alerts already raised on the previous month's last day
    before: set[tuple[str, str, str]] = field(default_factory=set)
    county: str = ""

    def is_new(self, alert: Alert) -> bool:
        """Return True when ``alert`` was not raised at the end of the previous month."""
        return (alert.kind, alert.code, alert.what) not in self.before

    def _split(self, alerts: list[Alert]) -> list[Alert]:
        return sorted(alerts, key=lambda a: (not self.is_new(a), -a.days, a.code))

    def slow(self) -> list[Alert]:
        """Return the planned nodes overdue of projects under construction, new first."""
        return self._split([a for a in self.alerts if a.kind == "node_overdue"])

    def late(self) -> list[Alert]:
        """Return the late reports (未按时报送), new first."""
        return self._split([a for a in self.alerts if a.kind == "silent"])

    def idle_new(self) -> list[Alert]:
        """Return the idle-land alerts raised this month."""
        return [a for a in self.idle_alerts if self.is_new(a)]

    def idle_carried(self) -> list[Alert]:
        """Return the idle-land alerts carried over from earlier months."""
        return [a for a in self.idle_alerts if not self.is_new(a)]

    def project(self, code: str) -> Project | None:
        """Return the project of a ledger line by its code."""
        return next((r.project for r in self.rows if r.project.code == code), None)


def _cumulative(project: Project, on: dt.date) -> float:
    entries = [p for p in project.progress if p.date <= on and p.completed_investment is not None]
    return entries[-1].completed_investment if entries else 0.0


def rank(rows: list[Row], key: str, year_start: dt.date, last: dt.date) -> list[Ranked]:
    """Return the groups of ``rows`` by project attribute ``key``, ranked as documented above."""
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(getattr(r.project, key) or "—", []).append(r)
    ranked = []
    for name, members in groups.items():
        planned = sum(a.planned_investment for r in members for a in r.project.annual_plans
                      if a.year == last.year)
        done = sum(_cumulative(r.project, last) - _cumulative(r.project, year_start)
                   for r in members)
        rate = round(100 * done / planned, 1) if planned else None
        ranked.append(Ranked(0, name, len(members), round(planned, 1), round(done, 1), rate,
                             sum(r.category == "slow" for r in members)))
    ranked.sort(key=lambda g: (g.rate is None, -(g.rate or 0), g.slow, g.name))
    for i, g in enumerate(ranked, 1):
        g.rank = i
    return ranked


def monthly_report(session: Session, month: str, rules: Rules,
                   county: str = "") -> MonthlyReport:
    """Return the report of ``month`` ("2026-10"), as the ledger stood on its last day;
    ``county`` (襄汾县) names it."""
    first, last = month_bounds(month)
    before = first - dt.timedelta(days=1)
    year_start = dt.date(last.year - 1, 12, 31)
    projects = load_projects(session, [last, before, year_start])
    rows = [row_for(p, last, rules) for p in projects]
    previous = {p.code: row_for(p, before, rules) for p in projects}
    changes = []
    for r in rows:
        p = r.project
        for t in p.transitions:
            if first <= t.date <= last:
                changes.append(Change(p.code, p.name, "stage", t.from_stage, t.to_stage, t.date))
        if previous[p.code].category != r.category:
            changes.append(Change(p.code, p.name, "category", previous[p.code].category,
                                  r.category))
    by_category = [(c.value, sum(r.category == c.value for r in rows),
                    round(sum(r.project.total_investment or 0 for r in rows
                              if r.category == c.value), 1),
                    round(sum(r.completed_investment or 0 for r in rows
                              if r.category == c.value), 1)) for c in CATEGORIES]
    earlier = [a for r in previous.values() for a in r.alerts]
    earlier += idle_alerts(session, before, rules)
    return MonthlyReport(
        month, first, last, rows, totals(rows), by_category, changes,
        rank(rows, "lead_unit", year_start, last), rank(rows, "town", year_start, last),
        sorted((a for r in rows for a in r.alerts), key=lambda a: (-a.days, a.code)),
        idle_alerts(session, last, rules), {(a.kind, a.code, a.what) for a in earlier}, county)


def node_label(name: str, lang: str) -> str:
    """Return what an alert is about: a planned node's label, or the late report."""
    if name == "progress":
        return word("silent", lang)
    return get_field("plan", name).label(lang)


__all__ = ["MonthlyReport", "STAGES", "month_bounds", "monthly_report", "node_label", "rank",
           "word"]
