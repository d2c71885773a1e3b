"""The ledger as the county's XLSX sheet: write it, and import it back all-or-nothing.

Columns are the data dictionary's: the project, its derived category (written, never read),
its planned nodes, the year's planned investment and its latest progress entry. Headers are
matched through the dictionary's labels and aliases; a title row above them is allowed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo import supply
from geo.audit import acting_user, record
from geo.errors import N_, FieldError, GeoError
from geo.fields import CATEGORY_FIELD, Field, fields_for, get_field
from geo.lifecycle import STAGE_ORDER, advance
from geo.models import AnnualPlan, Parcel, ProgressEntry, Project, ProjectPlan
from geo.sheets import append_row

# (entity, field) of every ledger column, in sheet order.
COLUMNS: tuple[tuple[str, Field], ...] = (
    *(("project", f) for f in fields_for("project")),
    ("category", CATEGORY_FIELD),
    *(("plan", f) for f in fields_for("plan")),
    ("annual_plan", get_field("annual_plan", "planned_investment")),
    *(("progress", f) for f in fields_for("progress")),
)


def _cell(f: Field, value: object, lang: str) -> object:
    if f.kind == "choice" and value is not None:
        return f.choice_label(str(value), lang)
    return value


def write_ledger_sheet(ws, rows, on: dt.date, lang: str = "zh", title: str = "") -> None:
    """Fill worksheet ``ws`` with the ledger lines ``rows`` (geo.ledger.Row) as of ``on``."""
    # openpyxl is imported where it is used: the web workers serve maps, not sheets.
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    append_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=14)
    append_row(ws, [f.label(lang) for _e, f in COLUMNS])
    for cell in ws[2]:
        cell.font = Font(bold=True)
    for r in rows:
        p = r.project
        entry = next((e for e in reversed(p.progress) if e.date <= on), None)
        line = []
        for entity, f in COLUMNS:
            if entity == "project":
                value = p.parcel.code if f.name == "parcel" and p.parcel else (
                    None if f.name == "parcel" else getattr(p, f.name))
                value = r.stage if f.name == "stage" else value
            elif entity == "category":
                value = r.category
            elif entity == "plan":
                value = getattr(p.plan, f.name) if p.plan else None
            elif entity == "annual_plan":
                value = r.planned_this_year or None
            else:
                value = getattr(entry, f.name) if entry else None
            line.append(_cell(f, value, lang))
        append_row(ws, line)
    for i, (_e, f) in enumerate(COLUMNS, 1):
        ws.column_dimensions[get_column_letter(i)].width = 24 if f.kind == "text" else 14
    ws.freeze_panes = "C3"


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
    written: bool = False


def _header_map(ws) -> tuple[int, dict[int, tuple[str, Field]], list[str]]:
    from openpyxl.utils import get_column_letter

    index: dict[str, tuple[str, Field]] = {}
    for entity, f in COLUMNS:
        for key in (f.name, f.zh, f.en, *f.aliases):
            index.setdefault(str(key).strip().lower(), (entity, f))
    for number, cells in enumerate(ws.iter_rows(min_row=1, max_row=10, values_only=True), 1):
        found = {i: index[str(v).strip().lower()] for i, v in enumerate(cells)
                 if v is not None and str(v).strip().lower() in index}
        if len(found) >= 2:
            ignored = [f"{get_column_letter(i + 1)}: {v}" for i, v in enumerate(cells)
                       if v is not None and str(v).strip() and i not in found]
            return number, found, ignored
    raise GeoError(N_("No header row found: the first ten rows name no ledger column "
                      "(项目编号, 项目名称, …)."), field="file")


def _read_row(cells, columns) -> tuple[dict[str, dict], list[GeoError]]:
    values: dict[str, dict] = {"project": {}, "plan": {}, "annual_plan": {}, "progress": {}}
    errors = []
    for i, (entity, f) in columns.items():
        raw = cells[i] if i < len(cells) else None
        if entity == "category" or raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        try:
            values[entity][f.name] = f.clean(raw)
        except FieldError as error:
            errors.append(error)
    return values, errors


def _apply(session: Session, values: dict, result: ImportResult, today: dt.date) -> None:
    data, progress = values["project"], values["progress"]
    for name in ("code", "name", "stage"):
        if name not in data and (name != "name" or "code" not in data):
            raise FieldError(name, N_("%(field)s is required."))
    project = session.scalar(select(Project).where(Project.code == data["code"])
                             .execution_options(include_deleted=True))
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
    stage = data.pop("stage")
    if project is None:
        if "name" not in data:
            raise FieldError("name", N_("%(field)s is required."))
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
        if stage != project.stage:
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
        for name, value in values["plan"].items():
            setattr(plan, name, value)
        project.plan = plan
    if values["annual_plan"]:
        year = (progress.get("date") or today).year
        row = next((a for a in project.annual_plans if a.year == year), None)
        if row is None:
            row = AnnualPlan(year=year, planned_investment=0)
            project.annual_plans.append(row)
        row.planned_investment = values["annual_plan"]["planned_investment"]
    if progress:
        for name in ("date", "reporter"):
            if name not in progress:
                raise FieldError(name, N_("%(field)s is required."))
        entry = next((e for e in project.progress if e.date == progress["date"]), None)
        if entry is None:
            entry = ProgressEntry(**progress)
            project.progress.append(entry)
            result.progress += 1
        for name, value in progress.items():
            setattr(entry, name, value)
    session.flush()


def _import_rows(session: Session, ws, today: dt.date) -> ImportResult:
    header, columns, ignored = _header_map(ws)
    result = ImportResult(ignored=ignored)
    for number, cells in enumerate(ws.iter_rows(min_row=header + 1, values_only=True),
                                   header + 1):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue
        result.rows += 1
        values, errors = _read_row(cells, columns)
        if not errors:
            try:
                _apply(session, values, result, today)
            except GeoError as error:
                errors.append(error)
        result.problems += [Problem(number, e) for e in errors]
    return result


def _file_name(source: str | BinaryIO) -> str:
    """Return the sheet's file name as the audit record's code (which holds 40 characters)."""
    name = getattr(source, "filename", None) or getattr(source, "name", None) or source
    return PurePath(str(name)).name[:40]


def import_ledger(session: Session, source: str | BinaryIO, dry_run: bool = False,
                  today: dt.date | None = None) -> ImportResult:
    """Import the ledger sheet ``source`` (path or file); write every row or none.

    Each row that cannot be understood is reported with its sheet row number; any such row,
    or ``dry_run``, leaves the register untouched. New projects are created with the stage
    given; a known project moves on one stage at most (a transition dated by the row's
    report date).
    """
    from openpyxl import load_workbook

    today = today or dt.date.today()
    try:
        book = load_workbook(source, read_only=True, data_only=True)
    except Exception:  # openpyxl raises several kinds for a file that is not XLSX
        raise GeoError(N_("The file is not an Excel workbook (.xlsx)."), field="file") from None
    try:  # a read-only workbook keeps its file open until closed
        result = _import_rows(session, book.active, today)
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
