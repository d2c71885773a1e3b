"""The upload page and the API documentation page in a real browser."""

from __future__ import annotations

import pyogrio
import pytest

from tests.interchange_helpers import seat_parcels
from tests.test_browser import (  # noqa: F401  (fixtures)
    browser,
    page,  # noqa: F401
    server,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_upload_shows_mapping_and_report_then_commits(page, server, tmp_path):  # noqa: F811
    sign_in(page, server)
    path = tmp_path / "gk_gbk.zip"
    frame = seat_parcels().to_crs(4525)
    shp = tmp_path / "地块.shp"
    pyogrio.write_dataframe(frame, shp, encoding="GBK")
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        for part in tmp_path.glob("地块.*"):
            if part.suffix not in (".prj", ".cpg"):  # as the bureau sends them: no .prj/.cpg
                archive.write(part, part.name)
    page.goto(f"{server}/import")
    page.set_input_files("input[name=file]", str(path))
    page.select_option("select[name=layer]", "stock")
    page.evaluate("""() => { window.__progress = [];
        new MutationObserver(() => window.__progress.push(
            document.getElementById('lm-progress-text').textContent))
          .observe(document.getElementById('lm-progress-text'),
                   {childList: true, characterData: true, subtree: true}); }""")
    page.click("#lm-import-form button[type=submit]")
    page.locator("#lm-result").wait_for(state="visible", timeout=20000)
    shown = page.evaluate("window.__progress")
    assert "已检查行数 3/3" in shown, shown  # the server's progress reached the page
    notes = page.locator("#lm-notes").inner_text()
    assert "EPSG:4525" in notes and "GBK" in notes
    assert page.locator("#lm-mapping select[data-column='权利人']").input_value() == "holder"
    assert "3" in page.locator("#lm-summary").inner_text()
    page.select_option("#lm-mapping select[data-column='备注']", "")
    page.click("#lm-recheck")
    page.wait_for_function("() => document.querySelector("
                           "\"#lm-mapping select[data-column='备注']\").value === ''")
    page.click("#lm-commit")
    page.wait_for_function("() => document.getElementById('lm-done').textContent.length > 0",
                           timeout=20000)
    assert "3" in page.locator("#lm-done").inner_text()
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []


def test_api_docs_page_renders_offline(page, server):  # noqa: F811
    page.goto(f"{server}/api/docs")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20000)
    assert "/api/parcels" in page.locator("#swagger-ui").inner_text()
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []


def test_upload_maps_unknown_words_shows_the_outlines_then_writes(page, server, tmp_path):  # noqa: F811
    from pathlib import Path

    from tests.test_import_values import BUREAU_WORDS, _gpkg, bureau_parcels

    shots = Path("/work/notes/shots")
    sign_in(page, server)
    page.goto(f"{server}/import")
    page.set_input_files("input[name=file]", str(_gpkg(tmp_path,
                                                       bureau_parcels(BUREAU_WORDS))))
    page.select_option("select[name=layer]", "stock")
    page.click("#lm-import-form button[type=submit]")
    page.locator("#lm-unknown-box").wait_for(state="visible", timeout=20000)
    rows = page.locator("#lm-unknown tbody tr")
    assert rows.count() == 3
    assert "已预留" in rows.nth(0).inner_text() and "2" in rows.nth(0).inner_text()
    assert "4" in page.locator("#lm-groups").inner_text()  # one line for the 4 rows
    assert "登记面积单位为亩" in page.locator("#lm-result").inner_text()
    assert "可供 → 可供地" in page.locator("#lm-values").inner_text()
    assert page.locator("#lm-commit").is_disabled()
    page.locator("#lm-preview .leaflet-overlay-pane canvas, #lm-preview path").first.wait_for()
    assert page.locator("#lm-preview").get_attribute("data-shapes") == "6"
    if shots.is_dir():
        page.locator("#lm-result").screenshot(path=str(shots / "importvalues-unknown.png"))
    for word, label in (("已预留", "已意向"), ("洽谈中", "已意向"), ("已批未用", "可供地")):
        page.select_option(f"#lm-unknown select[data-word='{word}']", label=label)
    page.click("#lm-recheck")
    page.wait_for_function("() => document.getElementById('lm-unknown-box').hidden",
                           timeout=20000)
    assert "已批未用 → 可供地" in page.locator("#lm-values").inner_text()
    assert not page.locator("#lm-commit").is_disabled()
    if shots.is_dir():
        page.locator("#lm-result").screenshot(path=str(shots / "importvalues-mapped.png"))
    page.click("#lm-commit")
    page.wait_for_function("() => document.getElementById('lm-done').textContent.length > 0",
                           timeout=20000)
    assert "6" in page.locator("#lm-done").inner_text()
    outside = [u for u in page.requests if not u.startswith(server) and not u.startswith("data:")]
    assert outside == []
