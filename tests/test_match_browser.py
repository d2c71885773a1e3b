"""The /match page in a real browser: ranked list, numbered map, why-not, offers, landing."""

from __future__ import annotations

import pytest

from tests import test_browser as shared

pytestmark = pytest.mark.browser
# The map page's fixtures: the demo app served on a free port, chromium, a fresh page.
browser, server, page = shared.browser, shared.server, shared.page
_click_parcel = shared._click_parcel


def _run(page, server):
    page.goto(f"{server}/match")
    page.click("#run-match")
    page.wait_for_selector("#match-results li", timeout=20000)
    # The map zooms (animated) to the candidates: a view set before that ends is overridden.
    page.wait_for_selector(".folium-map[data-candidates]:not(.leaflet-zoom-anim)",
                           timeout=10000)
    page.wait_for_timeout(500)
    return page.evaluate("document.querySelector('.folium-map').id")


def test_match_lists_numbered_candidates_on_the_map_from_local_assets_only(page, server):
    _run(page, server)
    items = page.locator("#match-results li")
    count = items.count()
    assert count > 0
    assert page.locator(".lm-num-icon").count() == count
    assert page.locator(".lm-num-icon").first.inner_text() == "1"
    first = items.first
    first.locator("summary").click()
    assert first.locator("tr.lm-pass").count() >= 4 and first.locator("tr.lm-fail").count() == 0
    assert "投资强度" in first.inner_text() and "万元/亩" in first.inner_text()
    pair = page.locator("#match-results li.lm-pair").first  # the demo has adjacent halves
    assert "相邻地块组合" in pair.inner_text() and "+" in pair.get_attribute("data-code")
    summary = page.locator("#match-summary").inner_text()
    assert "参与比选" in summary and "候选地块" in summary
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []


def test_clicking_a_rejected_parcel_explains_why_not(page, server):
    _run(page, server)
    page.locator("#match-rejected summary").click()
    rejected = page.locator("#match-rejected li").first
    code = rejected.get_attribute("data-code")
    rejected.click()
    page.wait_for_selector("#why-not tr.lm-fail", timeout=10000)
    text = page.locator("#why-not").inner_text()
    assert code in text and "为什么不匹配" in text


def test_a_parcel_popup_on_the_map_offers_why_not(page, server):
    map_id = _run(page, server)
    page.locator("#match-rejected summary").click()
    code = page.locator("#match-rejected li").first.get_attribute("data-code")
    popup = _click_parcel(page, map_id, code)
    popup.locator(".lm-why-button").click()
    page.wait_for_selector("#why-not tr.lm-fail", timeout=10000)
    assert code in page.locator("#why-not").inner_text()


def test_bad_needs_show_the_message_by_the_field(page, server):
    page.goto(f"{server}/match")
    page.fill("#need-total_investment", "-5")
    page.click("#run-match")
    page.wait_for_function("() => document.getElementById('match-error').textContent.length > 0")
    assert "投资" in page.locator("#match-error").inner_text()
    assert page.locator("#need-total_investment").get_attribute("aria-invalid") == "true"


def test_saving_offers_and_choosing_a_parcel_lands_the_project(page, server):
    shared.sign_in(page, server)
    _run(page, server)
    boxes = page.locator("#match-results .lm-select")
    boxes.nth(0).check()
    boxes.nth(1).check()
    chosen = boxes.nth(0).get_attribute("value")
    # Only a signed project lands on its land (a project in 储备 signs first).
    project = page.locator('#offer-project option[data-stage="signed"]').first.get_attribute(
        "value")
    page.select_option("#offer-project", project)
    page.click("#save-offers")
    page.wait_for_selector("#offer-log-link", timeout=10000)
    page.click("#offer-log-link")
    page.wait_for_selector("#offer-log")
    assert chosen in page.locator("#offer-log").inner_text()
    page.locator(f'tr[data-parcel="{chosen}"] .lm-choose').click()
    page.wait_for_selector("#project-stage")
    assert "落地" in page.locator("#project-stage").inner_text()
    assert project in page.content()


def test_parcel_sheet_draws_its_inset_map_offline(page, server):
    _run(page, server)
    href = page.locator("#match-results .lm-sheet-link").first.get_attribute("href")
    page.goto(f"{server}{href}")
    page.wait_for_selector(".lm-sheet-inset .leaflet-interactive, .lm-sheet-inset path")
    assert page.locator("#sheet-checks tr.lm-pass").count() >= 4
    assert "联系方式" in page.content()
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []


def test_match_page_in_english(page, server):
    page.goto(f"{server}/match?lang=en")
    assert "Land area, min" in page.locator("#needs-form").inner_text()
    page.click("#run-match")
    page.wait_for_selector("#match-results li", timeout=20000)
    assert "Score" in page.locator("#match-results li").first.inner_text()
