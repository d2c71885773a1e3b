"""The monthly report for October 2026, opened with openpyxl and read back."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from geo.categories import load_rules
from geo.errors import FieldError
from geo.models import Project
from geo.report import monthly_report
from geo.report_xlsx import report_xlsx
from tests.ledger_fixture import U1, U2, add_fixture_ledger


@pytest.fixture
def db(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as s:
        add_fixture_ledger(s)
        yield s


def _report(db, month="2026-10"):
    return monthly_report(db, month, load_rules(), county="襄汾县")


@pytest.fixture
def book(db):
    return load_workbook(io.BytesIO(report_xlsx(_report(db))))


def _rows(sheet, totals=False):
    """Return a sheet's lines without the title, header and 序号 (and 合计 row)."""
    lines = [list(r) for r in sheet.iter_rows(min_row=3, values_only=True)]
    if totals:
        assert lines[-1][0] == "合计"
        lines = lines[:-1]
    return [line[1:] for line in lines]


def _totals(sheet):
    return [c.value for c in sheet[sheet.max_row]]


SHEETS = ["台账", "分类统计", "进展缓慢", "未按时报送", "本月变化", "单位排队", "乡镇排队",
          "闲置土地预警（本月新增）", "闲置土地预警（延续）"]


def test_report_has_one_sheet_per_part(book):
    assert book.sheetnames == SHEETS


def test_every_sheet_is_ready_to_send_title_serial_header_borders_and_print_set_up(book):
    for sheet in book:
        assert sheet["A1"].value.startswith("襄汾县重点项目月度通报（2026年10月）"), sheet.title
        assert [r.coord[:3] for r in sheet.merged_cells.ranges] == ["A1:"]
        assert sheet["A2"].value == "序号" and sheet["A2"].font.b
        assert sheet["B2"].border.bottom.style == "thin"
        assert sheet.freeze_panes == "B3"
        assert sheet.auto_filter.ref.startswith("A2:")
        assert (sheet.page_setup.paperSize, sheet.page_setup.orientation) == (9, "landscape")
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
        assert sheet.print_title_rows == "$1:$2"
        widths = [sheet.column_dimensions[c[0].column_letter].width for c in sheet.iter_cols(
            min_row=2, max_row=2)]
        assert all(w and w >= 6 for w in widths), sheet.title


def test_ledger_sheet_shows_stage_category_and_latest_progress_at_month_end(book):
    sheet = book["台账"]
    headers = [c.value for c in sheet[2]][1:]
    assert {"总投资（万元）", "累计完成投资（万元）", "年度计划投资（万元）"} <= set(headers)
    lines = {r[0]: dict(zip(headers, r, strict=True)) for r in _rows(sheet, totals=True)}
    assert set(lines) == {"A1", "A2", "B1", "B2"}
    a1 = lines["A1"]
    assert (a1["项目阶段"], a1["项目类别"], a1["累计完成投资（万元）"], a1["完成比例（%）"],
            a1["存在问题"]) == ("建设", "在建", 350, 55, "缺电")
    assert a1["年度计划投资（万元）"] == 400
    assert a1["填报日期"].date().isoformat() == "2026-10-25"
    assert lines["A2"]["项目类别"] == "未开工" and lines["B2"]["项目类别"] == "已投产"
    assert lines["B1"]["项目类别"] == "在谈" and lines["B1"]["填报日期"] is None
    totals = dict(zip(["序号", *headers], _totals(sheet), strict=True))
    money = ("总投资（万元）", "累计完成投资（万元）", "年度计划投资（万元）")
    assert [totals[m] for m in money] == [2600, 1170, 700]


def test_categories_sheet_counts_projects_and_investment_with_totals(book):
    counts = {r[0]: r[1:] for r in _rows(book["分类统计"], totals=True)}
    assert counts == {"在谈": [1, 500, 0], "已签约": [0, 0, 0], "未开工": [1, 300, 20],
                      "在建": [1, 1000, 350], "进展缓慢": [0, 0, 0], "已投产": [1, 800, 800]}
    assert _totals(book["分类统计"]) == ["合计", None, 4, 2600, 1170]


def test_changes_sheet_lists_stage_moves_and_category_changes_of_the_month(book):
    changes = sorted((r[0], r[2], r[3], r[4]) for r in _rows(book["本月变化"]))
    assert changes == [("A1", "项目阶段", "开工", "建设"), ("B2", "项目类别", "在建", "已投产"),
                       ("B2", "项目阶段", "建设", "投产")]


def test_units_and_towns_are_ranked_by_the_share_of_the_years_plan_done(book):
    assert _rows(book["单位排队"], totals=True) == [[1, U2, 2, 100, 100, 100.0, 0],
                                                   [2, U1, 2, 600, 320, 53.3, 0]]
    assert _rows(book["乡镇排队"], totals=True) == [[1, "新城镇", 2, 400, 300, 75.0, 0],
                                                   [2, "陶寺乡", 2, 300, 120, 40.0, 0]]


def test_a_late_report_is_listed_apart_from_slow_progress(book):
    assert _rows(book["进展缓慢"]) == []
    (late,) = _rows(book["未按时报送"])
    assert late[:4] == ["A2", "乙项目", U1, "李志强"]
    assert (late[4].date().isoformat(), late[5], late[6]) == ("2026-08-20", 72, "本月新增")


def test_a_late_report_already_late_last_month_is_carried_over(db):
    november = _report(db, "2026-11")
    assert [(a.code, november.is_new(a)) for a in november.late()] == [("A2", False)]
    (late,) = _rows(load_workbook(io.BytesIO(report_xlsx(november)))["未按时报送"])
    assert late[6] == "延续"


def test_a_building_project_behind_its_plan_is_listed_as_slow(db):
    a1 = db.scalar(select(Project).where(Project.code == "A1"))
    a1.plan.plan_complete = dt.date(2026, 9, 1)
    a1.plan.plan_production = dt.date(2026, 9, 1)
    db.commit()
    slow = _rows(load_workbook(io.BytesIO(report_xlsx(_report(db))))["进展缓慢"])
    assert [(r[0], r[4], r[6], r[7]) for r in slow] == [
        ("A1", "计划竣工日期", 60, "本月新增"), ("A1", "计划投产日期", 60, "本月新增")]


def test_a_malformed_month_names_the_field(db):
    with pytest.raises(FieldError) as info:
        monthly_report(db, "2026-13", load_rules())
    assert info.value.field == "month"


def test_idle_land_alerts_are_split_into_new_this_month_and_carried_over(db):
    from shapely.geometry import box

    from geo.geometry import as_multipolygon, to_db
    from geo.models import Parcel

    site = to_db(as_multipolygon(box(111.3, 35.9, 111.301, 35.901)))
    db.add_all([Parcel(code="XZ1", layer="idle", status="disposing", name="闲置甲", area_m2=1000,
                       disposal_deadline=dt.date(2026, 10, 15), extra={}, geom=site),
                Parcel(code="XZ2", layer="idle", status="disposing", name="闲置乙", area_m2=1000,
                       disposal_deadline=dt.date(2020, 3, 31), extra={}, geom=site)])
    db.commit()
    book = load_workbook(io.BytesIO(report_xlsx(_report(db))))
    assert [(r[0], r[2], r[3].date().isoformat(), r[4])
            for r in _rows(book["闲置土地预警（本月新增）"])] == [
        ("XZ1", "处置逾期", "2026-10-16", 16)]
    assert [r[0] for r in _rows(book["闲置土地预警（延续）"])] == ["XZ2"]
