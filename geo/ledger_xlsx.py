"""Import the county's ledger sheet (台账, XLSX) all-or-nothing.

Columns are the data dictionary's: the project, its derived category (written, never read),
its planned nodes, the year's planned investment and its latest progress entry. Headers are
matched through the dictionary's labels and aliases, units taken off (geo/ledger_headers.py);
a title row above them is allowed. The monthly report writes the same columns
(geo/report_xlsx.py), so that its ledger sheet imports back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import supply
from geo.audit import acting_user, record
from geo.errors import N_, FieldError, GeoError
from geo.fields import CATEGORY_FIELD, Field, fields_for, get_field
from geo.ledger import PLAN_ORDER, check_plan_order
from geo.ledger_headers import (
    Column,
    is_not_a_project,
    is_row_number,
    match_header,
    month_end,
    squeeze,
)
from geo.lifecycle import STAGE_ORDER, advance
from geo.models import AnnualPlan, Parcel, ProgressEntry, Project, ProjectPlan

# (entity, field) of every ledger column, in sheet order.
COLUMNS: tuple[tuple[str, Field], ...] = (
    *(("project", f) for f in fields_for("project")),
    ("category", CATEGORY_FIELD),
    *(("plan", f) for f in fields_for("plan")),
    ("annual_plan", get_field("annual_plan", "planned_investment")),
    *(("progress", f) for f in fields_for("progress")),
)


@dataclass
class Problem:
    """Something in the sheet that was not understood: its row (1-based) and the error."""

    row: int
    error: GeoError
    column: str = ""


@dataclass
class ImportResult:
    """What an import read, wrote (nothing when any row failed), and what it could not use."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    progress: int = 0
    transitions: int = 0
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    new_codes: list[tuple[int, str, str]] = field(default_factory=list)  # row, code, name
    written: bool = False


@dataclass
class Sheet:
    """What the header row says: its row, the matched columns, the row-number columns, the
    day a ``1-N月`` figure stands at, and the headers not understood."""

    header: int
    columns: dict[int, Column]
    numbers: list[int]
    ytd_day: dt.date | None
    ignored: list[str]


def _read_header(ws, today: dt.date) -> Sheet:
    from openpyxl.utils import get_column_letter

    index: dict[str, tuple[str, Field]] = {}
    for entity, f in COLUMNS:
        for key in (f.name, f.zh, f.en, *f.aliases):
            index.setdefault(str(key).strip().lower(), (entity, f))
    ytd = ("progress", get_field("progress", "completed_investment"))
    plan = ("annual_plan", get_field("annual_plan", "planned_investment"))
    for number, cells in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), 1):
        found = {}
        for i, v in enumerate(cells):
            column = match_header(v, index, get_column_letter(i + 1), ytd, plan)
            if column is not None:
                found[i] = column
        if len(found) >= 2:
            numbers = [i for i, v in enumerate(cells) if is_row_number(v)]
            ignored = [f"{get_column_letter(i + 1)}: {v}" for i, v in enumerate(cells)
                       if squeeze(v) and i not in found and i not in numbers]
            months = [c.ytd_month for c in found.values() if c.ytd_month]
            return Sheet(number, found, numbers, month_end(months[0], today) if months else None,
                         ignored)
    raise GeoError(N_("No header row found: the first ten rows name no ledger column "
                      "(项目编号, 项目名称, …)."), field="file")


def _percent(cell) -> object:
    """Return a cell's value, a cell formatted as a percentage (0.6 shown 60%) as 60."""
    value = cell.value
    if isinstance(value, int | float) and not isinstance(value, bool) and "%" in str(
            getattr(cell, "number_format", "") or ""):
        return round(value * 100, 4)
    return value


_PERCENT_IN_TEXT = re.compile(r"(\d+(?:\.\d+)?)\s*[%％]")


def _status(raw: object, values: dict) -> None:
    """Put a 形象进度 cell in its place: a figure is the percent, words are kept as words
    (主体完工), and one percentage inside the words (完成60%) is the percent too."""
    progress = values["progress"]
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        progress["percent_done"] = get_field("progress", "percent_done").clean(raw)
        return
    text = get_field("progress", "status_text").clean(raw)
    try:
        progress["percent_done"] = get_field("progress", "percent_done").clean(text)
        return  # "60%" alone: a figure after all
    except FieldError:
        pass
    progress["status_text"] = text
    figures = _PERCENT_IN_TEXT.findall(text)
    if len(figures) == 1 and "percent_done" not in progress:
        progress["percent_done"] = get_field("progress", "percent_done").clean(figures[0])


def _read_row(cells, sheet: Sheet) -> tuple[dict[str, dict], list[GeoError]]:
    values: dict[str, dict] = {"project": {}, "plan": {}, "annual_plan": {}, "progress": {},
                               "ytd": {}}
    errors = []
    for i, column in sheet.columns.items():
        f = column.field
        raw = _percent(cells[i]) if i < len(cells) else None
        if column.entity == "category" or raw is None or (isinstance(raw, str)
                                                          and not raw.strip()):
            continue
        try:
            if f.name == "status_text":
                _status(raw, values)
                continue
            value = f.clean(raw)
            if column.scale != 1 and value is not None:
                value = f.clean(round(value * column.scale, 4))
            values["ytd" if column.ytd_month else column.entity][f.name] = value
        except FieldError as error:
            errors.append(error)
    return values, errors


def _infer_stage(data: dict, values: dict) -> str:
    """Return the stage of a new project from a sheet without a 项目阶段 column.

    续建 (carried on from last year) is 建设; 新建 with investment or progress reported is
    开工; anything else is 签约, the first stage the ledger follows. docs/domain.md.
    """
    if data.get("nature") == "continued":
        return "building"
    done = {**values["progress"], **values["ytd"]}
    if done.get("completed_investment") or done.get("percent_done") or done.get("status_text"):
        return "started"
    return "signed"


def _find_project(session: Session, data: dict, has_codes: bool) -> Project | None:
    """Return the project a row names: by 项目编号 when the sheet has that column, else by
    项目名称 among the projects outside the bin (the county's sheets carry no codes)."""
    if has_codes:
        return session.scalar(select(Project).where(Project.code == data["code"])
                              .execution_options(include_deleted=True))
    same = session.scalars(select(Project).where(Project.name == data["name"])).all()
    if len(same) > 1:
        raise FieldError("name", N_("Several projects are named %(value)s: add a 项目编号 "
                                    "column to tell them apart."), value=data["name"])
    return same[0] if same else None


def new_code(session: Session, county: str) -> str:
    """Return the next free project code of ``county``: 141023XM001, 141023XM002, …"""
    prefix = f"{county}XM"
    codes = session.scalars(select(Project.code).where(Project.code.like(f"{prefix}%"))
                            .execution_options(include_deleted=True)).all()
    numbers = [int(c[len(prefix):]) for c in codes if c[len(prefix):].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _year_to_date(project: Project, values: dict, on: dt.date) -> None:
    """Turn a 1-N月 figure (done this year) into the ledger's figure to date: what the project
    had done by the end of last year, plus this year's."""
    ytd = values["ytd"].get("completed_investment")
    if ytd is None or "completed_investment" in values["progress"]:
        return  # a sheet with both columns: its 累计 figure is the one to keep
    end = dt.date(on.year - 1, 12, 31)
    before = [e.completed_investment for e in project.progress
              if e.date <= end and e.completed_investment is not None]
    values["progress"]["completed_investment"] = round((before[-1] if before else 0) + ytd, 4)


def _apply(session: Session, values: dict, result: ImportResult, sheet: Sheet, today: dt.date,
           county: str, row: int) -> None:
    data, progress = values["project"], values["progress"]
    has_codes = any(c.field.name == "code" and c.entity == "project"
                    for c in sheet.columns.values())
    has_stage = any(c.field.name == "stage" and c.entity == "project"
                    for c in sheet.columns.values())
    required = [("code", has_codes), ("name", not data.get("code")), ("stage", has_stage)]
    for name, needed in required:
        if needed and name not in data:
            raise FieldError(name, N_("%(field)s is required."))
    project = _find_project(session, data, has_codes)
    if project is not None and project.deleted_at is not None:
        raise FieldError("code", N_("Project %(value)s is in the bin: an administrator "
                                    "restores it before it can be imported."),
                         value=data["code"])
    parcel_code = data.pop("parcel", None)
    parcel = None
    if parcel_code:
        parcel = session.scalar(select(Parcel).where(Parcel.code == parcel_code))
        if parcel is None:
            raise FieldError("parcel", N_("No parcel with code %(value)s."), value=parcel_code)
    stage = data.pop("stage", None)
    if progress or values["ytd"]:
        # A county sheet has no report date or reporter: the figures stand at the end of its
        # 1-N月 month (else the import's day), reported by the lead unit.
        progress.setdefault("date", sheet.ytd_day or today)
        unit = data.get("lead_unit") or (project.lead_unit if project else None)
        progress.setdefault("reporter", unit if unit and len(unit) <= 50 else "台账导入")
    if project is None:
        if "name" not in data:
            raise FieldError("name", N_("%(field)s is required."))
        if stage is None:
            stage = _infer_stage(data, values)
        if "code" not in data:
            data["code"] = new_code(session, county)
            result.new_codes.append((row, data["code"], data["name"]))
        project = Project(**data, stage=stage, extra={})
        session.add(project)
        if parcel is not None:
            # The project takes its land as every landing does (geo/supply.py).
            on, by = progress.get("date") or today, progress.get("reporter") or "台账导入"
            supply.land(session, project, [parcel], on, by, "台账导入")
            project.site = parcel.geom
            if STAGE_ORDER.index(stage) >= STAGE_ORDER.index("started"):
                supply.start(session, project, on, by)
        result.created += 1
    else:
        for name, value in data.items():
            setattr(project, name, value)
        result.updated += 1
        if stage is not None and stage != project.stage:
            if STAGE_ORDER.index(stage) != STAGE_ORDER.index(project.stage) + 1:
                raise FieldError("stage", N_("%(field)s: an import moves a project on one stage "
                                             "at a time; put it back on the project page."))
            session.flush()
            advance(session, project.code, {
                "to_stage": stage, "date": progress.get("date") or today,
                "by": progress.get("reporter") or "台账导入", "note": "台账导入"},
                parcels=[parcel_code] if parcel_code else (), today=today, commit=False)
            result.transitions += 1
    if values["plan"]:
        plan = project.plan or ProjectPlan()
        merged = {n: values["plan"].get(n, getattr(plan, n)) for n in PLAN_ORDER}
        check_plan_order(merged)
        for name, value in values["plan"].items():
            setattr(plan, name, value)
        project.plan = plan
    if values["annual_plan"]:
        year = (progress.get("date") or today).year
        line = next((a for a in project.annual_plans if a.year == year), None)
        if line is None:
            line = AnnualPlan(year=year, planned_investment=0)
            project.annual_plans.append(line)
        line.planned_investment = values["annual_plan"]["planned_investment"]
    if progress:
        _year_to_date(project, values, progress["date"])
        entry = next((e for e in project.progress if e.date == progress["date"]), None)
        if entry is None:
            entry = ProgressEntry(**progress)
            project.progress.append(entry)
            result.progress += 1
        for name, value in progress.items():
            setattr(entry, name, value)
    session.flush()


def _import_rows(session: Session, ws, today: dt.date, county: str) -> ImportResult:
    sheet = _read_header(ws, today)
    result = ImportResult(ignored=sheet.ignored)
    for number, cells in enumerate(ws.iter_rows(min_row=sheet.header + 1), sheet.header + 1):
        plain = [getattr(c, "value", None) for c in cells]
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in plain):
            continue
        if is_not_a_project(plain, sheet.numbers):
            continue
        result.rows += 1
        values, errors = _read_row(cells, sheet)
        if not errors:
            try:
                _apply(session, values, result, sheet, today, county, number)
            except GeoError as error:
                errors.append(error)
        result.problems += [Problem(number, e) for e in errors]
    return result


def _file_name(source: str | BinaryIO) -> str:
    """Return the sheet's file name as the audit record's code (which holds 40 characters)."""
    name = getattr(source, "filename", None) or getattr(source, "name", None) or source
    return PurePath(str(name)).name[:40]


def import_ledger(session: Session, source: str | BinaryIO, dry_run: bool = False,
                  today: dt.date | None = None, county: str = "141023") -> ImportResult:
    """Import the ledger sheet ``source`` (path or file); write every row or none.

    Each row that cannot be understood is reported with its sheet row number; any such row,
    or ``dry_run``, leaves the register untouched. Headers may carry units (总投资（亿元）:
    scaled to 万元, geo/ledger_headers.py); 序号, 合计 and section rows are read past. A sheet
    without a 项目编号 column matches projects by name, and new projects get the next code
    of ``county``. New projects are created with the stage given (else inferred,
    ``_infer_stage``); a known project moves on one stage at most (a transition dated by the
    row's report date).
    """
    from openpyxl import load_workbook

    today = today or dt.date.today()
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not XLSX
        raise GeoError(N_("The file is not an Excel workbook (.xlsx)."), field="file") from None
    try:  # a read-only workbook keeps its file open until closed
        result = _import_rows(session, book.active, today, county)
    finally:
        book.close()
    if result.problems or dry_run:
        session.rollback()
    else:
        record(session, user=acting_user(session), action="import", entity="ledger",
               code=_file_name(source),
               note=f"{result.rows} rows: {result.created} new projects, {result.updated} "
                    f"updated, {result.progress} progress entries")
        session.commit()
        result.written = True
    return result
