"""The parcel sheet in a real browser: its maps (parcel, neighbours, park, county, metric
scale, north arrow), the print button, and the printed A4 page (Playwright's page.pdf)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests import test_browser as shared
from tests.test_match_form_browser import SHOTS, _shot

pytestmark = pytest.mark.browser
browser, server, page = shared.browser, shared.server, shared.page
CODE = "141023CL0001"
NEEDS = "industry=35&land_class=industrial2&area_min_mu=10&total_investment=12000"


def _open(page, server):
    page.goto(f"{server}/match/sheet/{CODE}?{NEEDS}")
    page.wait_for_selector('.lm-sheet-inset path[fill="#ff7043"]')
    page.wait_for_selector(".lm-sheet-overview path.leaflet-interactive, .lm-sheet-overview path",
                           state="attached")
    page.wait_for_timeout(300)


def test_the_sheet_map_shows_the_parcel_its_neighbours_park_scale_and_north(page, server):
    _open(page, server)
    inset = page.locator(".lm-sheet-inset")
    fills = inset.locator("path").evaluate_all("ps => ps.map(p => p.getAttribute('fill'))")
    assert "#ff7043" in fills and "#bdbdbd" in fills  # the parcel and its neighbours
    scale = inset.locator(".leaflet-control-scale").inner_text()
    assert ("m" in scale or "km" in scale) and "ft" not in scale and "mi" not in scale
    assert inset.locator(".lm-north").inner_text().strip() == "N"
    assert page.locator(".lm-sheet-overview path").count() >= 3  # county, towns, marker
    assert "周边地块" in page.locator(".lm-sheet-key").inner_text()
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []
    page.set_viewport_size({"width": 1400, "height": 1300})
    _shot(page, "sheet")


def test_the_save_as_pdf_button_opens_the_print_dialog(page, server):
    _open(page, server)
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed++; }; }")
    page.click("#sheet-pdf")
    assert page.evaluate("() => window.__printed") == 1


def test_the_printed_sheet_keeps_the_demo_notice_and_leaves_out_the_buttons(page, server,
                                                                             tmp_path):
    _open(page, server)
    page.emulate_media(media="print")
    assert page.locator("#sheet-demo").is_visible()
    assert page.locator("#sheet-issue").is_visible()
    assert not page.locator("#sheet-pdf").is_visible()
    assert not page.locator("#sheet-pdf-hint").is_visible()
    assert page.locator(".lm-sheet-inset .lm-north").is_visible()
    pdf = tmp_path / "sheet.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    if SHOTS.is_dir():
        shutil.copyfile(pdf, SHOTS / "matchux-sheet.pdf")
        if shutil.which("pdftoppm"):
            subprocess.run(["pdftoppm", "-png", "-r", "70", str(pdf),
                            str(SHOTS / "matchux-sheet-pdf")], check=True)
