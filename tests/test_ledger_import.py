"""Importing the county's ledger sheet: round trip, row-numbered problems, all-or-nothing."""

import datetime as dt
import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from geo.categories import load_rules
from geo.errors import GeoError
from geo.ledger_xlsx import import_ledger
from geo.models import Project
from geo.report import monthly_report
from geo.report_xlsx import report_xlsx
from tests.ledger_fixture import add_fixture_ledger

TODAY = dt.date(2026, 11, 1)
HEADERS = ["项目编号", "项目名称", "项目阶段", "计划总投资", "责任单位", "计划开工时间", "填报日期",
           "累计完成投资", "存在问题", "填报人", "备注X"]
GOOD = ["N1", "新项目", "签约", 1200, "县商务局", "2027-03-01", "2026-10-28", 10, "无", "张三", "x"]


@pytest.fixture
def db(empty_app):
    with empty_app.extensions["landmatch.sessions"]() as s:
        yield s


def _sheet(*rows, title="襄汾县重点项目台账"):
    wb = Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def _count(db):
    return db.scalar(select(func.count()).select_from(Project))


def _snapshot(db):
    return {p.code: (p.name, p.stage, p.lead_unit, p.town, p.total_investment,
                     p.plan.plan_start if p.plan else None,
                     p.progress[-1].completed_investment if p.progress else None,
                     p.progress[-1].problems if p.progress else None)
            for p in db.scalars(select(Project))}


def test_report_ledger_imports_back_to_the_same_projects(db):
    add_fixture_ledger(db)
    data = report_xlsx(monthly_report(db, "2026-10", load_rules()))
    before = _snapshot(db)
    for p in db.scalars(select(Project)):
        db.delete(p)
    db.commit()
    result = import_ledger(db, io.BytesIO(data), today=TODAY)
    assert result.problems == [] and result.written
    assert (result.rows, result.created, result.progress) == (4, 4, 3)
    db.expire_all()
    assert _snapshot(db) == before


def test_chinese_headers_map_through_the_dictionary_and_unknown_ones_are_listed(db):
    result = import_ledger(db, _sheet(GOOD), today=TODAY)
    assert result.written and result.ignored == ["K: 备注X"]
    p = db.scalar(select(Project).where(Project.code == "N1"))
    assert (p.stage, p.total_investment, p.plan.plan_start) == ("signed", 1200,
                                                                  dt.date(2027, 3, 1))
    assert (p.progress[0].date, p.progress[0].reporter) == (dt.date(2026, 10, 28), "张三")


def test_bad_rows_are_reported_by_row_number_and_nothing_is_written(db):
    bad_stage = ["N2", "二", "完工", *GOOD[3:]]
    bad_money = ["N3", "三", "签约", "很多", *GOOD[4:]]
    no_code = [None, "四", "签约", *GOOD[3:]]
    result = import_ledger(db, _sheet(GOOD, bad_stage, bad_money, no_code), today=TODAY)
    assert [(p.row, p.error.field) for p in result.problems] == [
        (4, "stage"), (5, "total_investment"), (6, "code")]
    assert not result.written and _count(db) == 0


def test_dry_run_checks_everything_and_writes_nothing(db):
    result = import_ledger(db, _sheet(GOOD), dry_run=True, today=TODAY)
    assert result.problems == [] and result.created == 1 and not result.written
    assert _count(db) == 0


def test_a_known_project_moves_on_one_stage_with_a_dated_transition(db):
    import_ledger(db, _sheet(GOOD), today=TODAY)
    moved = ["N1", "新项目", "储备", *GOOD[3:]]
    result = import_ledger(db, _sheet(moved), today=TODAY)
    assert [(p.row, p.error.field) for p in result.problems] == [(3, "stage")]
    landed = ["N1", "新项目", "落地", *GOOD[3:]]
    result = import_ledger(db, _sheet(landed), today=TODAY)
    assert [(p.row, p.error.field) for p in result.problems] == [(3, "parcel")]
    started = ["N1", "新项目", "开工", *GOOD[3:]]
    assert import_ledger(db, _sheet(started), today=TODAY).problems[0].error.field == "stage"


def test_a_file_without_ledger_headers_or_not_xlsx_is_refused(db):
    with pytest.raises(GeoError, match="header"):
        import_ledger(db, io.BytesIO(_plain_book()), today=TODAY)
    with pytest.raises(GeoError, match="xlsx"):
        import_ledger(db, io.BytesIO(b"not a workbook"), today=TODAY)


def _plain_book():
    wb = Workbook()
    wb.active.append(["a", "b"])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_a_county_sheet_with_units_in_headers_imports_in_wan_yuan(db):
    from tests.county_sheet import county_sheet

    result = import_ledger(db, county_sheet(), today=TODAY, county="141023")
    assert result.problems == [] and result.written
    assert result.ignored == []  # 序号 is read past, every other column is understood
    assert (result.rows, result.created) == (3, 3)  # section and 合计 rows are no projects
    assert [(r, code) for r, code, _name in result.new_codes] == [
        (4, "141023XM001"), (5, "141023XM002"), (7, "141023XM003")]
    p = db.scalar(select(Project).where(Project.name == "襄汾县年产10万吨新型建材项目"))
    assert (p.total_investment, p.builder, p.nature, p.content) == (
        35000, "山西某建材有限公司", "new", "建设生产线2条及配套仓储")
    (entry,) = p.progress
    # 1-10月 figures stand at the end of October; the reporter is the lead unit.
    assert (entry.date, entry.reporter) == (dt.date(2026, 10, 31), "县工业和信息化局")
    assert (entry.completed_investment, entry.status_text, entry.percent_done) == (
        8500, "主体完工，完成60%", 60)
    assert (entry.problems, p.leader, p.lead_unit) == ("施工用电接入未完成", "王建国",
                                                       "县工业和信息化局")
    assert [(a.year, a.planned_investment) for a in p.annual_plans] == [(2026, 12000)]
    solar = db.scalar(select(Project).where(Project.name == "汾河湾光伏储能项目"))
    assert (solar.stage, solar.progress[0].status_text, solar.progress[0].percent_done) == (
        "building", "组件安装", None)  # 续建: under construction
    culture = db.scalar(select(Project).where(Project.name == "陶寺遗址文旅融合项目"))
    assert culture.stage == "started"  # 新建 with its works begun (前期手续办理)


def test_a_county_sheet_matches_known_projects_by_name_and_adds_this_years_figure(db):
    from tests.county_sheet import county_sheet

    import_ledger(db, county_sheet(), today=TODAY)
    p = db.scalar(select(Project).where(Project.name == "汾河湾光伏储能项目"))
    p.progress[0].date = dt.date(2025, 12, 31)  # last year's figure: 1.6 亿元 done by then
    db.commit()
    result = import_ledger(db, county_sheet(), today=TODAY)
    assert (result.created, result.updated, result.new_codes) == (0, 3, [])
    db.expire_all()
    p = db.scalar(select(Project).where(Project.name == "汾河湾光伏储能项目"))
    # To date = done by the end of last year + done this year (1-10月).
    assert [(e.date, e.completed_investment) for e in p.progress] == [
        (dt.date(2025, 12, 31), 16000), (dt.date(2026, 10, 31), 32000)]


def test_a_county_sheet_row_in_error_is_named_and_nothing_is_written(db):
    from tests.county_sheet import HEADERS, ROWS, county_sheet

    bad = [list(r) for r in ROWS]
    bad[2][3] = "扩建"  # 建设性质 is 新建 or 续建
    bad[4][5] = "一点二"
    result = import_ledger(db, county_sheet(bad), today=TODAY)
    assert [(p.row, p.error.field) for p in result.problems] == [(5, "nature"),
                                                                 (7, "total_investment")]
    assert not result.written and _count(db) == 0
    wrong_unit = [h.replace("（亿元）", "（美元）") for h in HEADERS]
    with pytest.raises(GeoError, match="美元") as refused:
        import_ledger(db, county_sheet(headers=wrong_unit), today=TODAY)
    assert refused.value.field == "total_investment"


def test_plan_nodes_out_of_order_in_a_sheet_are_refused_by_row(db):
    late = [*GOOD[:5], "2027-03-01", *GOOD[6:]]
    headers = [*HEADERS[:6], "计划签约日期", *HEADERS[7:]]
    wb = Workbook()
    wb.active.append(headers)
    wb.active.append([*late[:6], "2027-06-01", *late[7:]])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = import_ledger(db, out, today=TODAY)
    assert [(p.row, p.error.field) for p in result.problems] == [(2, "plan_start")]


def test_a_percentage_formatted_progress_cell_reads_as_percent(db):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "责任单位", "形象进度"])
    ws.append(["某项目", "县商务局", 0.6])
    ws["C2"].number_format = "0%"  # shown as 60%, held as 0.6
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    result = import_ledger(db, out, today=TODAY)
    assert result.written
    entry = db.scalar(select(Project).where(Project.name == "某项目")).progress[0]
    assert (entry.percent_done, entry.status_text, entry.reporter) == (60, None, "县商务局")
