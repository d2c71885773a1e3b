"""The monthly report for October 2026, opened with openpyxl and read back."""

import io

import pytest
from openpyxl import load_workbook

from geo.categories import load_rules
from geo.errors import FieldError
from geo.report import monthly_report, report_xlsx
from tests.ledger_fixture import U1, U2, add_fixture_ledger


@pytest.fixture
def db(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as s:
        add_fixture_ledger(s)
        yield s


@pytest.fixture
def book(db):
    data = report_xlsx(monthly_report(db, "2026-10", load_rules()))
    return load_workbook(io.BytesIO(data))


def _rows(sheet, start=2):
    return [list(r) for r in sheet.iter_rows(min_row=start, values_only=True)]


def test_report_has_one_sheet_per_part(book):
    assert book.sheetnames == ["台账", "分类统计", "本月变化", "单位排队", "乡镇排队", "预警",
                               "闲置土地预警"]


def test_ledger_sheet_shows_stage_category_and_latest_progress_at_month_end(book):
    sheet = book["台账"]
    assert "2026-10" in sheet["A1"].value
    headers = [c.value for c in sheet[2]]
    lines = {r[0]: dict(zip(headers, r, strict=True)) for r in _rows(sheet, 3)}
    assert set(lines) == {"A1", "A2", "B1", "B2"}
    a1 = lines["A1"]
    assert (a1["项目阶段"], a1["项目类别"], a1["累计完成投资"], a1["形象进度"], a1["存在问题"]) == (
        "建设", "在建", 350, 55, "缺电")
    assert a1["年度计划投资"] == 400 and a1["填报日期"].date().isoformat() == "2026-10-25"
    assert lines["A2"]["项目类别"] == "进展缓慢" and lines["B2"]["项目类别"] == "已投产"
    assert lines["B1"]["项目类别"] == "在谈" and lines["B1"]["填报日期"] is None


def test_categories_sheet_counts_projects_and_investment(book):
    counts = {r[0]: r[1:] for r in _rows(book["分类统计"])}
    assert counts == {"在谈": [1, 500, 0], "已签约": [0, 0, 0], "未开工": [0, 0, 0],
                      "在建": [1, 1000, 350], "进展缓慢": [1, 300, 20], "已投产": [1, 800, 800]}


def test_changes_sheet_lists_stage_moves_and_category_changes_of_the_month(book):
    changes = sorted((r[0], r[2], r[3], r[4]) for r in _rows(book["本月变化"]))
    assert changes == [("A1", "项目阶段", "开工", "建设"), ("A2", "项目类别", "未开工", "进展缓慢"),
                       ("B2", "项目类别", "进展缓慢", "已投产"), ("B2", "项目阶段", "建设", "投产")]


def test_units_and_towns_are_ranked_by_the_share_of_the_years_plan_done(book):
    assert _rows(book["单位排队"]) == [[1, U2, 2, 100, 100, 100.0, 0],
                                      [2, U1, 2, 600, 320, 53.3, 1]]
    assert _rows(book["乡镇排队"]) == [[1, "新城镇", 2, 400, 300, 75.0, 0],
                                      [2, "陶寺乡", 2, 300, 120, 40.0, 1]]


def test_alerts_sheet_says_what_is_overdue_and_since_when(book):
    alerts = sorted((r[0], r[2], r[3], r[4].date().isoformat(), r[5])
                    for r in _rows(book["预警"]))
    assert alerts == [("A2", "未按期报送进展", "未按期报送进展", "2026-08-20", 72),
                      ("A2", "计划节点逾期", "计划开工日期", "2026-09-15", 46)]


def test_a_malformed_month_names_the_field(db):
    with pytest.raises(FieldError) as info:
        monthly_report(db, "2026-13", load_rules())
    assert info.value.field == "month"


def test_idle_land_alerts_sheet_lists_overdue_disposals(db):
    import datetime as dt

    from shapely.geometry import box

    from geo.geometry import as_multipolygon, to_db
    from geo.models import Parcel

    db.add(Parcel(code="XZ1", layer="idle", status="disposing", name="闲置甲", area_m2=1000,
                  disposal_deadline=dt.date(2026, 9, 30), extra={},
                  geom=to_db(as_multipolygon(box(111.3, 35.9, 111.301, 35.901)))))
    db.commit()
    book = load_workbook(io.BytesIO(report_xlsx(monthly_report(db, "2026-10", load_rules()))))
    assert [(r[0], r[2], r[3].date().isoformat(), r[4]) for r in _rows(book["闲置土地预警"])] == [
        ("XZ1", "处置逾期", "2026-10-01", 31)]
