"""The ledger (台账): plans and progress entries of key projects, and the filtered ledger table."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import CompoundSelect, Select, select, union
from sqlalchemy.orm import Session, selectinload

from geo.audit import acting_user, record
from geo.categories import Alert, Rules, assess
from geo.errors import N_, FieldError, GeoError
from geo.fields import CATEGORIES, clean_record, fields_for, get_field
from geo.lifecycle import get_project
from geo.models import AnnualPlan, ProgressEntry, Project, ProjectPlan

FILTERS = ("stage", "category", "chain", "industry", "town", "leader", "lead_unit")
SORTS = ("code", "name", "stage", "category", "chain", "town", "leader", "lead_unit",
         "total_investment", "completed_investment", "percent_done", "last_report")


PLAN_ORDER = tuple(f.name for f in fields_for("plan"))


class NeedsConfirmation(GeoError):
    """A value that is allowed but unlikely: saved only when the user confirms it."""

    status = 409
    code = "confirmation_required"


def check_plan_order(values: Mapping[str, dt.date | None]) -> None:
    """Raise FieldError when a planned node is dated before an earlier one.

    Nodes follow the stages (签约, 供地, 开工, 竣工, 投产); equal dates are allowed, missing
    ones skipped.

    >>> check_plan_order({"plan_sign": dt.date(2026, 1, 1), "plan_start": dt.date(2026, 5, 1)})
    >>> check_plan_order({"plan_start": dt.date(2026, 5, 1), "plan_production": dt.date(2025,
    ...                   1, 1)})
    Traceback (most recent call last):
    ...
    geo.errors.FieldError: plan_production (2025-01-01) is before plan_start (2026-05-01): \
planned dates follow the stages, signing, land, start, completion, production.
    """
    before: tuple[str, dt.date] | None = None
    for name in PLAN_ORDER:
        date = values.get(name)
        if date is None:
            continue
        if before is not None and date < before[1]:
            raise FieldError(name, N_("%(field)s (%(value)s) is before %(other)s (%(date)s): "
                                      "planned dates follow the stages, signing, land, start, "
                                      "completion, production."),
                             value=date.isoformat(), other=before[0],
                             date=before[1].isoformat())
        before = (name, date)


def set_plan(session: Session, code: str, values: Mapping[str, object]) -> ProjectPlan:
    """Set the planned nodes given in ``values`` (PLAN_FIELDS) of project ``code``; commit.

    The nodes as they will be stored must be in order (``check_plan_order``).
    """
    cleaned = clean_record(fields_for("plan"), values, partial=True)
    project = get_project(session, code)
    plan = project.plan or ProjectPlan()
    check_plan_order({n: cleaned.get(n, getattr(plan, n)) for n in PLAN_ORDER})
    changes = {n: [getattr(plan, n), v] for n, v in cleaned.items() if getattr(plan, n) != v}
    for name, value in cleaned.items():
        setattr(plan, name, value)
    project.plan = plan
    record(session, user=acting_user(session), action="update", entity="plan", code=code,
           changes=changes)
    session.commit()
    return plan


def set_annual_plan(session: Session, code: str, values: Mapping[str, object]) -> AnnualPlan:
    """Set the investment project ``code`` plans for one year (ANNUAL_PLAN_FIELDS); commit."""
    cleaned = clean_record(fields_for("annual_plan"), values)
    project = get_project(session, code)
    row = next((a for a in project.annual_plans if a.year == cleaned["year"]), None)
    if row is None:
        row = AnnualPlan(year=cleaned["year"])
        project.annual_plans.append(row)
    record(session, user=acting_user(session), action="update", entity="annual_plan",
           code=code, note=str(cleaned["year"]),
           changes={"planned_investment": [row.planned_investment,
                                           cleaned["planned_investment"]]})
    row.planned_investment = cleaned["planned_investment"]
    session.commit()
    return row


def check_investment(project: Project, cleaned: Mapping[str, object], jump_ratio: float) -> None:
    """Raise NeedsConfirmation when an entry's completed investment is unlikely.

    Unlikely: more than ``jump_ratio`` times the project's last figure before the entry's
    date (a figure typed in 元 or 亿元 instead of 万元 jumps tenfold or more), or more than
    the project's total investment. ``jump_ratio`` 0 checks nothing.
    """
    done = cleaned.get("completed_investment")
    if not jump_ratio or done is None:
        return
    earlier = [e.completed_investment for e in project.progress
               if e.date <= cleaned["date"] and e.completed_investment]
    if earlier and done > jump_ratio * earlier[-1]:
        raise NeedsConfirmation(
            N_("%(field)s %(value)s is more than %(ratio)s times the last figure "
               "(%(last)s): confirm that it is right, in 万元."), field="completed_investment",
            value=f"{done:g}", ratio=f"{jump_ratio:g}", last=f"{earlier[-1]:g}")
    if project.total_investment and done > project.total_investment:
        raise NeedsConfirmation(
            N_("%(field)s %(value)s is more than the project's total investment "
               "(%(total)s): confirm that it is right, in 万元."), field="completed_investment",
            value=f"{done:g}", total=f"{project.total_investment:g}")


def add_progress(session: Session, code: str, values: Mapping[str, object],
                 today: dt.date | None = None, jump_ratio: float = 0,
                 confirmed: bool = False) -> ProgressEntry:
    """Add a dated progress entry (PROGRESS_FIELDS) to project ``code``; commit and return it.

    Unless ``confirmed``, an unlikely completed investment raises NeedsConfirmation
    (``check_investment`` with ``jump_ratio``, from data/ledger_rules.json).
    """
    cleaned = clean_record(fields_for("progress"), values)
    if cleaned["date"] > (today or dt.date.today()):
        raise FieldError("date", N_("%(field)s cannot be in the future."))
    project = get_project(session, code)
    if not confirmed:
        check_investment(project, cleaned, jump_ratio)
    entry = ProgressEntry(**cleaned)
    project.progress.append(entry)
    record(session, user=acting_user(session), action="create", entity="progress", code=code,
           changes={n: [None, v] for n, v in cleaned.items() if v is not None})
    session.commit()
    return entry


@dataclass
class Row:
    """One line of the ledger table: a project, its derived category and latest figures."""

    project: Project
    category: str
    stage: str
    alerts: list[Alert] = field(default_factory=list)
    completed_investment: float | None = None
    percent_done: float | None = None
    last_report: dt.date | None = None
    problems: str | None = None
    next_steps: str | None = None
    planned_this_year: float = 0.0
    late_report: bool = False  # 未按时报送 (geo/categories.py), apart from the category
    status_text: str | None = None

    def value(self, name: str) -> object:
        """Return a column of this row by name: the row's own, else the project's."""
        if name in ("category", "stage", "completed_investment", "percent_done", "last_report"):
            return getattr(self, name)
        return getattr(self.project, name)


def decisive_progress(days: Sequence[dt.date]) -> CompoundSelect:
    """Return a query of the ids of the progress entries that decide the ledger on ``days``.

    A project's line on a day reads only its last entry up to that day (figures, last
    report), its last one with an investment figure (the report's cumulative investment) and
    an entry at 100 % up to that day (completion met): at most 3 × len(days) entries a project,
    however long its history, each found through an index of migration 0008. Loading every
    entry made /api/ledger and /dashboard grow with the history: 3,500 entries made them
    2–3× as costly (bench/results/soak-2026-12-06.md).
    """
    e = ProgressEntry

    def one(*where, latest: bool = True) -> Select:
        found = select(e.id).where(e.project_id == Project.id, *where)
        if latest:
            found = found.order_by(e.date.desc(), e.id.desc())
        return select(found.limit(1).scalar_subquery()).where(Project.deleted_at.is_(None))

    return union(*(one(e.date <= day) for day in days),
                 *(one(e.date <= day, e.completed_investment.is_not(None)) for day in days),
                 # Any entry at 100 % by the day meets completion; no order, so that the
                 # percent index finds it without walking the project's history.
                 *(one(e.date <= day, e.percent_done >= 100, latest=False) for day in days))


def load_projects(session: Session, days: Sequence[dt.date] | None = None) -> list[Project]:
    """Return every project outside the bin with its plan, annual plans, transitions and the
    progress entries that decide its ledger lines on ``days`` (default: today) loaded.

    ``project.progress`` then holds only those entries (``decisive_progress``): enough for
    ``row_for`` on any of ``days``, not a project's history (read that with ``get_project``).
    """
    decisive = ProgressEntry.id.in_(decisive_progress(days or [dt.date.today()]))
    return list(session.scalars(
        select(Project).where(Project.deleted_at.is_(None)).order_by(Project.code).options(
            selectinload(Project.plan), selectinload(Project.annual_plans),
            selectinload(Project.parcel), selectinload(Project.progress.and_(decisive)),
            selectinload(Project.transitions))))


def row_for(project: Project, on: dt.date, rules: Rules) -> Row:
    """Return ``project``'s ledger line as it stood at the end of day ``on``."""
    found = assess(project, on, rules)
    row = Row(project, found.category, found.stage, found.alerts,
              late_report=found.late_report)
    entries = [p for p in project.progress if p.date <= on]
    if entries:
        last = entries[-1]
        row.completed_investment, row.percent_done = last.completed_investment, last.percent_done
        row.last_report, row.problems, row.next_steps = last.date, last.problems, last.next_steps
        row.status_text = last.status_text
    row.planned_this_year = sum(a.planned_investment for a in project.annual_plans
                                if a.year == on.year)
    return row


def project_row(session: Session, code: str, on: dt.date, rules: Rules) -> Row:
    """Return the ledger line of project ``code`` on day ``on``; NotFound if none."""
    return row_for(get_project(session, code), on, rules)


def parse_query(args: Mapping[str, str]) -> tuple[dict[str, list[str]], str, bool]:
    """Return (filters, sort column, descending) from a request's arguments.

    Choice filters accept labels (stage=开工, category=进展缓慢); several values are
    separated by commas.
    """
    filters: dict[str, list[str]] = {}
    for name in FILTERS:
        raw = (args.get(name) or "").strip()
        if not raw:
            continue
        values = [v.strip() for v in raw.split(",") if v.strip()]
        if name == "category":
            by_label = {k: c.value for c in CATEGORIES for k in (c.value, c.zh, c.en)}
            if any(v not in by_label for v in values):
                raise GeoError(N_("%(field)s must be one of: %(choices)s."), field="category",
                               choices="、".join(c.zh for c in CATEGORIES))
            filters[name] = [by_label[v] for v in values]
        else:
            field_ = get_field("project", name)
            filters[name] = [str(field_.clean(v)) for v in values]
    sort = args.get("sort") or "code"
    if sort not in SORTS:
        raise GeoError(N_("%(field)s must be one of: %(choices)s."), field="sort",
                       choices=", ".join(SORTS))
    return filters, sort, args.get("order") == "desc"


def ledger(session: Session, on: dt.date, rules: Rules,
           filters: Mapping[str, list[str]] | None = None, sort: str = "code",
           descending: bool = False) -> list[Row]:
    """Return the ledger lines on day ``on`` that pass ``filters``, sorted by ``sort``.

    Empty values sort last whichever the order.
    """
    rows = [row_for(p, on, rules) for p in load_projects(session, [on])]
    for name, values in (filters or {}).items():
        rows = [r for r in rows if str(r.value(name)) in values]
    present = [r for r in rows if r.value(sort) is not None]
    missing = [r for r in rows if r.value(sort) is None]
    present.sort(key=lambda r: r.value(sort), reverse=descending)
    return present + missing


def totals(rows: list[Row]) -> dict[str, object]:
    """Return the totals line of a ledger table: count, investment, and count per category."""
    return {
        "count": len(rows),
        "total_investment": round(sum(r.project.total_investment or 0 for r in rows), 2),
        "completed_investment": round(sum(r.completed_investment or 0 for r in rows), 2),
        "planned_this_year": round(sum(r.planned_this_year for r in rows), 2),
        "by_category": dict(Counter(r.category for r in rows)),
        "late_report": sum(r.late_report for r in rows),
    }


@dataclass
class Table:
    """The ledger page's content: the lines, their totals, the query and the filter choices."""

    rows: list[Row]
    totals: dict
    filters: dict[str, list[str]]
    sort: str
    descending: bool
    options: dict[str, list[str]]


def ledger_table(session: Session, args: Mapping[str, str], on: dt.date, rules: Rules) -> Table:
    """Return the ledger table for a request's filter and sort arguments (see parse_query)."""
    filters, sort, descending = parse_query(args)
    everything = ledger(session, on, rules, None, sort, descending)
    rows = [r for r in everything
            if all(str(r.value(name)) in values for name, values in filters.items())]
    options = {name: sorted({str(r.value(name)) for r in everything if r.value(name)})
               for name in ("town", "leader", "lead_unit", "industry")}
    return Table(rows, totals(rows), filters, sort, descending, options)
