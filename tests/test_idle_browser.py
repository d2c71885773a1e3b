# ruff: noqa: F811  (pytest fixtures imported from test_browser are parameters here)
"""The idle page and the dashboard's capacity table in a real browser: derived 令53 states,
articles and fees; each zone's quota, what landed projects hold and who holds it."""

import os
from pathlib import Path

import pytest

from tests.test_browser import browser, page, server  # noqa: F401  (shared fixtures)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("LANDMATCH_SHOTS")  # a folder to keep screenshots in, when set


def _shot(locator, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        locator.screenshot(path=str(Path(SHOTS) / name))


def test_the_idle_page_shows_each_parcels_derived_state_article_fee_and_dates(page, server):
    lines = page.request.get(f"{server}/api/idle").json()["parcels"]
    owed = next(p for p in lines if p["fee_amount"] is not None)
    spared = next(p for p in lines if p["idle_cause"] == "government"
                  and p["idle_state"].startswith("idle_"))
    page.goto(f"{server}/idle")
    row = page.locator(f'#idle tr[data-code="{owed["code"]}"]')
    assert "闲置" in row.locator(".lm-idle-state").inner_text()
    assert "第十四条" in row.locator(".lm-article").inner_text()
    assert float(row.locator(".lm-fee").inner_text()) == pytest.approx(owed["fee_amount"])
    assert owed["fee_from"] in row.inner_text() and owed["recovery_from"] in row.inner_text()
    government = page.locator(f'#idle tr[data-code="{spared["code"]}"]')
    assert "第八条" in government.locator(".lm-article").inner_text()
    assert government.locator(".lm-fee").inner_text() == ""
    assert page.locator("#idle tbody tr").count() == len(lines)
    _shot(page.locator("main"), "idlelaw-idle.png")


def test_the_dashboard_shows_each_zones_remaining_capacity_and_who_holds_it(page, server):
    figures = page.request.get(f"{server}/api/dashboard").json()["capacity"]
    held = next(r for r in figures if r["holders"])
    page.goto(f"{server}/dashboard")
    table = page.locator("#capacity")
    row = table.locator(f'tr[data-zone="{held["zone"]}"][data-pollutant="{held["pollutant"]}"]')
    assert float(row.locator(".lm-left").inner_text()) == pytest.approx(held["left"])
    for h in held["holders"]:
        assert h["project"] in row.inner_text()
    assert table.locator("tbody tr").count() == len(figures)
    assert "倍量替代" in table.inner_text()
    _shot(table, "idlelaw-dashboard-capacity.png")
