"""Ledger pages over HTTP: table, board, project page and its forms, report, import, CLI."""

import datetime as dt
import io
import re

import pytest
from openpyxl import Workbook, load_workbook

from geo.models import Project
from tests.conftest import login


@pytest.fixture
def client(app):
    """A test client signed in as an editor: these tests change the register."""
    signed_in = app.test_client()
    login(signed_in, "editor")
    return signed_in

PAGES = ["/projects", "/idle", "/projects/board", "/my-projects?leader=王建国",
         "/projects/141023XM010", "/dashboard", "/reports/monthly?month=2026-10", "/ledger/import"]
TODAY = dt.date.today().isoformat()


def csrf(client, url="/projects"):
    html = client.get(url).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)


def _cells(html, table_id, column):
    body = html.split(f'id="{table_id}"', 1)[1].split("</tbody>", 1)[0]
    return [re.sub(r"<[^>]+>", "", row[column]).strip()
            for row in (re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)
                        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)) if row]


@pytest.mark.parametrize("url", PAGES)
def test_ledger_pages_load_nothing_from_outside(client, url):
    response = client.get(url)
    assert response.status_code == 200
    # The CSRF token is random text: it may spell "cdn" by chance, so it is left out.
    html = re.sub(r'(name="csrf[-_]token" (?:content|value)=)"[^"]*"', r"\1",
                  response.get_data(as_text=True))
    for src in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not re.match(r"^(https?:)?//", src), src
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html


def test_table_filters_by_category_and_stage_with_labels(client):
    html = client.get("/projects?category=进展缓慢&stage=开工").get_data(as_text=True)
    stages, categories = _cells(html, "ledger", 2), _cells(html, "ledger", 3)
    assert stages and set(stages) == {"开工"} and set(categories) == {"进展缓慢"}
    assert f"共 {len(stages)} 个项目" in html


def test_table_totals_add_up_the_rows_shown(client, session):
    html = client.get("/projects?town=新城镇").get_data(as_text=True)
    codes = _cells(html, "ledger", 0)
    expected = sum(p.total_investment for p in session.query(Project).filter(
        Project.town == "新城镇"))
    total = re.search(r'data-total="total_investment">([\d,]+)<', html).group(1)
    assert len(codes) == session.query(Project).filter(Project.town == "新城镇").count()
    assert int(total.replace(",", "")) == round(expected)


def test_table_sorts_by_investment_descending(client):
    html = client.get("/projects?sort=total_investment&order=desc").get_data(as_text=True)
    values = [float(v.replace(",", "")) for v in _cells(html, "ledger", 8)]
    assert values == sorted(values, reverse=True) and len(values) == 78


def test_my_projects_shows_only_the_leaders(client):
    html = client.get("/my-projects?leader=王建国").get_data(as_text=True)
    leaders = _cells(html, "ledger", 6)
    assert leaders and set(leaders) == {"王建国"}


def test_board_has_a_column_per_stage(client):
    html = client.get("/projects/board").get_data(as_text=True)
    assert html.count('class="lm-column"') == 6 and html.count('class="lm-card') == 78


def test_adding_a_progress_entry_through_the_form(client, session):
    token = csrf(client, "/projects/141023XM010")
    response = client.post("/projects/141023XM010/progress", data={
        "csrf_token": token, "date": TODAY, "completed_investment": "1234.5",
        "percent_done": "40", "problems": "<b>缺电</b>", "next_steps": "协调", "reporter": "张三"})
    assert response.status_code == 302
    html = client.get("/projects/141023XM010").get_data(as_text=True)
    assert "1234.5" in html and "&lt;b&gt;缺电&lt;/b&gt;" in html


def test_a_bad_progress_entry_is_refused_naming_the_field(client):
    token = csrf(client, "/projects/141023XM010")
    response = client.post("/projects/141023XM010/progress", data={
        "csrf_token": token, "date": TODAY, "percent_done": "140", "reporter": "张三"})
    assert response.status_code == 400
    assert "完成比例" in response.get_data(as_text=True)


def test_forms_without_the_csrf_token_are_refused(client):
    response = client.post("/projects/141023XM010/progress", data={"date": TODAY})
    assert response.status_code == 400


def test_moving_on_and_putting_back_through_the_forms(client, session):
    code = "141023XM003"  # demo project 3 is landed (stages cycle)
    token = csrf(client, f"/projects/{code}")
    assert client.post(f"/projects/{code}/advance", data={
        "csrf_token": token, "to_stage": "started", "date": TODAY, "by": "王建国",
        "note": "开工仪式"}).status_code == 302
    assert session.query(Project).filter_by(code=code).one().stage == "started"
    refused = client.post(f"/projects/{code}/put-back", data={
        "csrf_token": token, "date": TODAY, "by": "王建国"})
    assert refused.status_code == 400 and "说明" in refused.get_data(as_text=True)
    assert client.post(f"/projects/{code}/put-back", data={
        "csrf_token": token, "date": TODAY, "by": "王建国", "note": "停工"}).status_code == 302
    html = client.get(f"/projects/{code}").get_data(as_text=True)
    assert "开工仪式" in html and "停工" in html and "退回" in html


def test_monthly_report_downloads_as_xlsx(client):
    response = client.get("/reports/monthly.xlsx?month=2026-10")
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = load_workbook(io.BytesIO(response.data))
    ledger = book["台账"]
    assert ledger["A1"].value.startswith("襄汾县重点项目月度通报（2026年10月）")
    # title, header, the 78 demo projects, 合计
    assert ledger.max_row == 2 + 78 + 1 and ledger.cell(ledger.max_row, 1).value == "合计"


def _book(*rows):
    wb = Workbook()
    wb.active.append(["项目编号", "项目名称", "项目阶段", "总投资"])
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_import_page_lists_problems_by_row_and_writes_nothing(client, session):
    token = csrf(client, "/ledger/import")
    response = client.post("/ledger/import", data={
        "csrf_token": token, "file": (_book(["N1", "新", "签约", 10], ["N2", "坏", "完工", 10]),
                                      "ledger.xlsx")})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert _cells(html, "import-problems", 0) == ["3"]
    assert "项目阶段" in _cells(html, "import-problems", 1)[0]
    assert session.query(Project).filter_by(code="N1").count() == 0


def test_import_page_imports_a_good_sheet(client, session):
    token = csrf(client, "/ledger/import")
    response = client.post("/ledger/import", data={
        "csrf_token": token, "file": (_book(["N1", "新", "签约", 10]), "ledger.xlsx")})
    assert response.status_code == 200
    assert session.query(Project).filter_by(code="N1").one().stage == "signed"


def test_cli_ledger_import_dry_run_and_problems(app, tmp_path):
    good, bad = tmp_path / "good.xlsx", tmp_path / "bad.xlsx"
    good.write_bytes(_book(["N1", "新", "签约", 10]).getvalue())
    bad.write_bytes(_book(["N2", "坏", "签约", "很多"]).getvalue())
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["ledger-import", str(good), "--dry-run"])
    assert dry.exit_code == 0 and "将导入 1 行：新增项目 1 个" in dry.output
    failed = runner.invoke(args=["ledger-import", str(bad)])
    assert failed.exit_code != 0 and "第 2 行：" in failed.output
    done = runner.invoke(args=["ledger-import", str(good)])
    assert done.exit_code == 0 and "已导入 1 行" in done.output


def test_dashboard_lists_idle_land_alerts(client):
    html = client.get("/dashboard").get_data(as_text=True)
    kinds = _cells(html, "idle-alerts", 2)
    assert {"处置逾期", "可依法无偿收回"} <= set(kinds)
    assert any(k.startswith("疑似闲置") for k in kinds)


def test_idle_page_lists_every_idle_parcel_with_its_alerts(client, session):
    from geo.models import Parcel

    html = client.get("/idle").get_data(as_text=True)
    codes = _cells(html, "idle", 0)
    assert len(codes) == session.query(Parcel).filter_by(layer="idle").count()
    # column 21: after the area, the supply register and the derived 令53 dates
    assert any("处置逾期" in a for a in _cells(html, "idle", 21))


def test_every_ledger_save_says_what_it_saved(client):
    code = "141023XM010"
    token = csrf(client, f"/projects/{code}")
    client.post(f"/projects/{code}/progress", data={
        "csrf_token": token, "date": TODAY, "percent_done": "40", "status_text": "主体完工",
        "reporter": "张三"})
    html = client.get(f"/projects/{code}").get_data(as_text=True)
    assert f"已保存 {TODAY} 的进展" in html and "形象进度：主体完工" in html
    client.post(f"/projects/{code}/plan", data={"csrf_token": token,
                                                 "plan_production": "2031-06-30"})
    assert "计划已保存" in client.get(f"/projects/{code}").get_data(as_text=True)


def test_a_jump_in_completed_investment_asks_to_confirm_on_the_page(client, session):
    code = "141023XM004"
    project = session.query(Project).filter_by(code=code).one()
    last = [e.completed_investment for e in project.progress if e.completed_investment][-1]
    token = csrf(client, f"/projects/{code}")
    entry = {"csrf_token": token, "date": TODAY, "completed_investment": str(last * 10),
             "reporter": "张三"}
    asked = client.post(f"/projects/{code}/progress", data=entry)
    html = asked.get_data(as_text=True)
    assert asked.status_code == 409 and "请确认数值无误" in html
    assert 'name="confirm"' in html and f'value="{last * 10}"' in html  # the figure stays
    saved = client.post(f"/projects/{code}/progress", data={**entry, "confirm": "1"})
    assert saved.status_code == 302


def test_plan_nodes_out_of_order_are_refused_on_the_page(client):
    token = csrf(client, "/projects/141023XM001")
    response = client.post("/projects/141023XM001/plan", data={
        "csrf_token": token, "plan_land": "2030-06-01", "plan_start": "2030-03-01"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "计划开工日期（2030-03-01）早于计划供地日期" in html
    assert 'value="2030-03-01"' in html  # the typed dates stay, to be corrected


def test_an_anonymous_visitor_sees_a_sign_in_link_instead_of_forms(app):
    html = app.test_client().get("/projects/141023XM010").get_data(as_text=True)
    assert 'id="sign-in-to-edit"' in html and "/login?next=/projects/141023XM010" in html
    for form in ("progress-form", "plan-form", "advance-form", "put-back-form"):
        assert f'id="{form}"' not in html


def test_the_monthly_report_page_lists_slow_and_late_projects_apart(client):
    html = client.get("/reports/monthly?month=2026-10").get_data(as_text=True)
    assert "襄汾县重点项目月度通报" in html
    for table in ("report-slow", "report-late", "report-idle-new", "report-idle-carried"):
        assert f'id="{table}"' in html
    assert 'onclick' not in html and "data-print" in html
