"""The edit page with the register's knowledge and the readable history, in Chromium: drop-downs
of towns, parks and land uses, required fields marked, an overlap warned about and saved only
once confirmed, the history in words, the first version restored; the boundaries page."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from shapely.geometry import box, mapping
from sqlalchemy import select

from geo.county import load_county
from geo.editing import get_parcel
from geo.geometry import from_db
from geo.models import Parcel
from geo.users import create_user
from tests.conftest import PASSWORD
from tests.test_browser import browser, serving  # noqa: F401  (the browser fixture)
from webmap import create_app

pytestmark = pytest.mark.browser

CODE = "141023XZ0001"
SHOTS = Path(os.environ.get("LANDMATCH_SHOTS", "/work/notes/shots"))


@pytest.fixture(scope="module")
def served(templates, tmp_path_factory):
    """The demo app with an editor and an admin account, on a free port."""
    folder = tmp_path_factory.mktemp("browser-edit-history")
    app = create_app({"DATABASE_URL": templates("spatialite").fresh(True, folder)})
    with app.extensions["landmatch.sessions"]() as session:
        create_user(session, "editor", PASSWORD, "editor")
        create_user(session, "boss", PASSWORD, "admin")
    with serving(app) as url:
        yield app, url


@pytest.fixture
def page(browser, served):  # noqa: F811
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="zh-CN")
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    yield page
    context.close()


def _shot(page, name: str) -> None:
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"bounds-{name}.png"), full_page=True)


def _sign_in(page, server, name="editor"):
    page.goto(f"{server}/login")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{server}/")


def _session(app):
    return app.extensions["landmatch.sessions"]()


def test_the_edit_page_offers_the_registers_lists_and_marks_required_fields(page, served):
    app, server = served
    with _session(app) as session:
        parcel = get_parcel(session, CODE)
        town = parcel.town
    _sign_in(page, server)
    page.goto(f"{server}/parcels/{CODE}/edit")
    towns = page.locator("select[name=town] option").all_inner_texts()
    assert [t.name for t in load_county().towns] == [t for t in towns if t != "—"]
    assert page.locator("select[name=town]").input_value() == town
    assert "0601 工业用地" in page.locator("select[name=land_use] option").all_inner_texts()
    required = page.locator("label.lm-required-field").all_inner_texts()
    assert any(t.startswith("状态") for t in required)
    assert page.locator("#derived-town").inner_text() == f"按图形位于：{town}"
    elsewhere = next(t for t in towns if t not in ("—", town))
    page.select_option("select[name=town]", elsewhere)
    page.click("#parcel-form button[type=submit]")
    page.wait_for_url(f"{server}/parcels/{CODE}/edit")
    flash = page.locator(".lm-flash").inner_text()
    assert f"所在乡镇 填的是 {elsewhere}，但地块图形位于 {town}" in flash
    _shot(page, "edit-town-warning")
    assert page.errors == []


def test_an_overlap_is_warned_about_and_saved_only_when_confirmed(page, served):
    app, server = served
    with _session(app) as session:
        parcel = get_parcel(session, CODE)
        neighbour = session.scalar(select(Parcel).where(Parcel.id != parcel.id,
                                                        Parcel.layer == parcel.layer)
                                   .order_by(Parcel.id))
        over = from_db(neighbour.geom).buffer(-0.00003)
        version = parcel.version
    _sign_in(page, server)
    page.goto(f"{server}/parcels/{CODE}/edit")
    # What Leaflet.draw's edit tool writes when the shape is dragged over the neighbour.
    page.evaluate("g => { document.getElementById('geometry').value = g; }",
                  json.dumps(mapping(over)))
    page.click("#parcel-form button[type=submit]")
    warning = page.locator("#overlap")
    assert f"图形与地块 {neighbour.code} 重叠" in warning.inner_text()
    _shot(page, "edit-overlap")
    with _session(app) as session:
        assert get_parcel(session, CODE).version == version  # nothing saved yet
    page.check("#confirm-overlap")
    page.click("#parcel-form button[type=submit]")
    page.wait_for_url(f"{server}/parcels/{CODE}/edit")
    with _session(app) as session:
        saved = get_parcel(session, CODE)
        assert saved.version == version + 1
        assert from_db(saved.geom).symmetric_difference(over).area < 1e-12
    # The refused save is a 409 page, which Chromium logs; nothing else may be.
    assert [e for e in page.errors if "status of 409" not in e] == []


def test_the_history_reads_in_words_and_restores_the_first_version(page, served):
    app, server = served
    with _session(app) as session:
        original = get_parcel(session, CODE).name
    _sign_in(page, server)
    page.goto(f"{server}/parcels/{CODE}/history")
    table = page.locator("#history").inner_text()
    assert "修改" in table and "update" not in table
    assert "所在乡镇" in table and "亩（" in table and "公顷）" in table
    first = page.locator("tr.lm-history-first")
    assert "初始版本" in first.inner_text()
    _shot(page, "history")
    first.locator("button[type=submit]").click()
    page.wait_for_url(f"{server}/parcels/{CODE}/history")
    assert "已恢复到第 1 版" in page.locator(".lm-flash").inner_text()
    assert "恢复历史版本 (恢复到版本 1)" in page.locator("#history").inner_text()
    with _session(app) as session:
        restored = get_parcel(session, CODE)
        assert restored.name == original
    _shot(page, "history-restored")
    assert page.errors == []


def test_an_admin_loads_town_outlines_and_the_edit_page_offers_them(page, served, tmp_path):
    app, server = served
    minx, miny, maxx, maxy = load_county().outline.bounds
    mid = (minx + maxx) / 2
    path = tmp_path / "乡镇界线.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"XZQMC": name},
         "geometry": mapping(box(*corners))}
        for name, corners in (("西部镇", (minx - .01, miny - .01, mid, maxy + .01)),
                              ("东部镇", (mid, miny - .01, maxx + .01, maxy + .01)))]},
        ensure_ascii=False), encoding="utf-8")
    _sign_in(page, server, "boss")
    page.goto(f"{server}/admin/boundaries")
    page.select_option("select[name=kind]", "towns")
    page.set_input_files("input[name=file]", str(path))
    page.click("#boundaries-form button[type=submit]")
    page.wait_for_url(f"{server}/admin/boundaries")
    assert "已载入 2 个边界" in page.locator(".lm-flash").inner_text()
    assert page.locator("#names-towns").inner_text() == "西部镇、东部镇"
    _shot(page, "boundaries")
    page.goto(f"{server}/parcels/{CODE}/edit")
    towns = page.locator("select[name=town] option").all_inner_texts()
    assert "西部镇" in towns and "东部镇" in towns
    assert page.locator("select[name=town]").input_value() in ("西部镇", "东部镇")
    assert page.errors == []
