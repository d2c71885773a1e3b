"""The monthly report (月月通报): ledger, categories, changes since last month, ranking.

Idle-land alerts (geo/idle.py) are computed on the month's last day from the parcels as they
are now: the register keeps no history of parcels.

Ranking (定期排队) of lead units and of towns, for the report's year up to the month's end:

1. annual completion rate, highest first: investment completed this year (each project's
   cumulative completed investment at the month's end minus that at the end of last year)
   divided by the investment planned for this year; groups without a plan rank after the rest;
2. then fewer 进展缓慢 projects first;
3. then the group's name.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from geo.categories import Alert, Rules
from geo.errors import N_, FieldError
from geo.fields import CATEGORIES, CATEGORY_FIELD, STAGES, get_field
from geo.idle import idle_alerts
from geo.ledger import Row, load_projects, row_for, totals
from geo.ledger_xlsx import write_ledger_sheet
from geo.models import Project
from geo.sheets import append_row

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
    "silent": ("未按期报送进展", "No progress reported"),
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


def monthly_report(session: Session, month: str, rules: Rules) -> MonthlyReport:
    """Return the report of ``month`` ("2026-10"), as the ledger stood on its last day."""
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
    return MonthlyReport(
        month, first, last, rows, totals(rows), by_category, changes,
        rank(rows, "lead_unit", year_start, last), rank(rows, "town", year_start, last),
        sorted((a for r in rows for a in r.alerts), key=lambda a: (-a.days, a.code)),
        idle_alerts(session, last, rules))


def _sheet(wb, title: str, headers: list[str], lines: list[list]) -> None:
    from openpyxl.styles import Font

    ws = wb.create_sheet(title)
    append_row(ws, headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for line in lines:
        append_row(ws, line)
    ws.freeze_panes = "A2"


def report_xlsx(report: MonthlyReport, lang: str = "zh") -> bytes:
    """Return the monthly report as an XLSX workbook (openpyxl), one sheet per part."""
    from openpyxl import Workbook  # here, not above: the web workers need not load it

    w = lambda k: word(k, lang)  # noqa: E731
    stage = get_field("project", "stage").choice_label
    category = CATEGORY_FIELD.choice_label
    wb = Workbook()
    ws = wb.active
    ws.title = w("ledger")
    write_ledger_sheet(ws, report.rows, report.last, lang,
                       title=f"{w('title')} {report.month}")
    _sheet(wb, w("categories"), [w("category"), w("count"), w("investment"), w("completed")],
           [[category(c, lang), n, inv, done] for c, n, inv, done in report.by_category])
    _sheet(wb, w("changes"), [w("code"), w("name"), w("what"), w("before"), w("after"),
                              w("date")],
           [[c.code, c.name, w(c.what), (stage if c.what == "stage" else category)(c.before, lang),
             (stage if c.what == "stage" else category)(c.after, lang), c.date]
            for c in report.changes])
    for key, groups in (("units", report.units), ("towns", report.towns)):
        _sheet(wb, w(key), [w("rank"), w("group_unit" if key == "units" else "group_town"),
                            w("count"), w("planned"), w("done"), w("rate"), w("slow")],
               [[g.rank, g.name, g.count, g.planned, g.done, g.rate, g.slow] for g in groups])
    _sheet(wb, w("alerts"), [w("code"), w("name"), w("kind"), w("what"), w("since"), w("days")],
           [[a.code, a.name, w(a.kind), _node_label(a.what, lang), a.since, a.days]
            for a in report.alerts])
    _sheet(wb, w("idle_alerts"), [w("parcel"), w("parcel_name"), w("kind"), w("since"),
                                  w("days")],
           [[a.code, a.name, w(a.kind), a.since, a.days] for a in report.idle_alerts])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _node_label(name: str, lang: str) -> str:
    if name == "progress":
        return word("silent", lang)
    return get_field("plan", name).label(lang)


__all__ = ["MonthlyReport", "STAGES", "month_bounds", "monthly_report", "rank", "report_xlsx",
           "word"]
