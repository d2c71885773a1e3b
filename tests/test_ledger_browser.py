# ruff: noqa: F811  (pytest fixtures imported from test_browser are parameters here)
"""Ledger pages in a real browser: the sortable, filterable table, the dashboard's charts,
the project page's map and progress form."""

import datetime as dt
import os

import pytest

from tests.test_browser import DOCS, browser, page, server, sign_in  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser


def _outside(page, server):
    return [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]


def _column(page, index):
    return page.locator(f"#ledger tbody tr td:nth-child({index})").all_inner_texts()


def test_projects_table_sorts_and_filters(page, server):
    page.goto(f"{server}/projects")
    assert len(_column(page, 1)) == 78
    page.locator('#ledger thead a[data-sort="total_investment"]').click()
    page.wait_for_url("**sort=total_investment**")
    page.locator('#ledger thead a[data-sort="total_investment"]').click()
    page.wait_for_url("**order=desc**")
    values = [float(v.replace(",", "")) for v in _column(page, 9)]
    assert values == sorted(values, reverse=True)
    page.select_option('#filters select[name="category"]', "slow")
    page.locator('#filters button[type="submit"]').click()
    page.wait_for_url("**category=slow**")
    categories = _column(page, 4)
    assert categories and set(categories) == {"进展缓慢"}
    assert f"共 {len(categories)} 个项目" in page.locator("#totals").inner_text()
    assert _outside(page, server) == []


def test_dashboard_draws_its_charts_from_local_assets(page, server):
    page.goto(f"{server}/dashboard")
    page.wait_for_function("() => document.body.getAttribute('data-charts') === '4'",
                           timeout=10000)
    sizes = page.evaluate("Array.from(document.querySelectorAll('canvas'))"
                          ".map(c => c.width * c.height)")
    assert len(sizes) == 4 and all(s > 0 for s in sizes)
    assert int(page.locator("#kpi-slow").inner_text()) == page.locator("#slow tbody tr").count()
    assert _outside(page, server) == []
    if os.environ.get("LANDMATCH_UPDATE_SCREENSHOT"):
        page.screenshot(path=str(DOCS / "dashboard.png"))


def test_project_page_shows_the_site_and_takes_a_progress_entry(page, server):
    sign_in(page, server)
    page.goto(f"{server}/projects/141023XM004")
    page.wait_for_function("() => document.querySelectorAll('.leaflet-interactive').length > 0",
                           timeout=10000)
    form = page.locator("#progress-form")
    form.locator('input[name="completed_investment"]').fill("4321")
    form.locator('input[name="reporter"]').fill("<i>李四</i>")
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/projects/141023XM004")
    first = page.locator("#progress tbody tr").first.inner_text()
    assert "4321" in first and "<i>李四</i>" in first and dt.date.today().isoformat() in first
    assert page.locator("#progress i").count() == 0
    assert _outside(page, server) == []
    if os.environ.get("LANDMATCH_UPDATE_SCREENSHOT"):
        page.screenshot(path=str(DOCS / "project.png"))


SHOTS = "/work/notes/shots"


def _shot(page, name):
    if os.path.isdir(SHOTS):
        page.screenshot(path=f"{SHOTS}/ledger-{name}.png", full_page=True)


def test_an_anonymous_visitor_is_offered_sign_in_and_comes_back_to_the_project(page, server):
    page.goto(f"{server}/projects/141023XM010")
    assert page.locator("#progress-form, #plan-form, #advance-form").count() == 0
    _shot(page, "anonymous")
    page.locator("#sign-in-to-edit a").click()
    page.wait_for_url("**/login?next=**")
    from tests.test_browser import EDITOR, PASSWORD

    page.fill("input[name=name]", EDITOR)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/projects/141023XM010")
    assert page.locator("#progress-form").count() == 1


def test_a_jump_in_investment_is_confirmed_and_the_save_is_said(page, server):
    sign_in(page, server)
    page.goto(f"{server}/projects/141023XM016")
    done = [t for t in page.locator("#progress tbody tr td:nth-child(2)").all_inner_texts()
            if t.strip()]
    figure = float(done[0]) * 10 if done else 10_000_000
    form = page.locator("#progress-form")
    form.locator('input[name="completed_investment"]').fill(f"{figure:g}")
    form.locator('[name="status_text"]').fill("主体完工")
    form.locator('input[name="reporter"]').fill("张三")
    form.locator('button[type="submit"]').click()
    page.wait_for_selector("#confirm-figure")
    assert "请确认数值无误" in page.locator(".lm-error-box").inner_text()
    _shot(page, "confirm")
    form = page.locator("#progress-form")
    assert form.locator('input[name="completed_investment"]').input_value() == f"{figure:g}"
    form.locator('#confirm-figure input').check()
    form.locator('button[type="submit"]').click()
    page.wait_for_url("**/projects/141023XM016")
    flash = page.locator(".lm-flash").inner_text()
    assert "已保存" in flash and "主体完工" in flash
    assert "主体完工" in page.locator("#progress tbody tr").first.inner_text()
    _shot(page, "saved")


def test_plan_nodes_out_of_order_are_refused_in_the_browser(page, server):
    sign_in(page, server)
    page.goto(f"{server}/projects/141023XM001")
    form = page.locator("#plan-form")
    form.locator('input[name="plan_land"]').fill("2030-06-01")
    form.locator('input[name="plan_start"]').fill("2030-03-01")
    form.locator('input[name="plan_complete"]').fill("2030-09-01")
    form.locator('input[name="plan_production"]').fill("2030-10-01")
    form.locator('button[type="submit"]').click()
    page.wait_for_selector(".lm-error-box")
    assert "早于计划供地日期" in page.locator(".lm-error-box").inner_text()
    _shot(page, "plan-order")


def test_the_monthly_report_prints_through_its_button(page, server):
    page.goto(f"{server}/reports/monthly")
    assert "襄汾县" in page.locator("#report-title").inner_text()
    # A function, so that evaluate runs it (an expression ending in one would be called).
    page.evaluate("() => { window.__printed = 0; "
                  "window.print = () => { window.__printed += 1; }; }")
    page.locator("button[data-print]").click()
    assert page.evaluate("window.__printed") == 1
    assert page.locator("#report-late tbody tr").count() >= 1
    _shot(page, "report")
    assert _outside(page, server) == []
