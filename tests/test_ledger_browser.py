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
