"""Registered and ellipsoidal areas, current and planned uses: popup, sheet, form in a browser."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.test_browser import (  # noqa: F401  (fixtures)
    _click_parcel,
    _open_map,
    browser,
    page,
    server,
    sign_in,
)

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("LANDMATCH_SHOTS", "/work/notes/shots"))
CODE = "141023CL0001"  # a demo stock parcel: 三调 current use, 用地用海 2023 planned use


def _shot(page, name: str) -> None:  # noqa: F811
    if SHOTS.is_dir():
        page.screenshot(path=str(SHOTS / f"codes-{name}.png"), full_page=True)


def test_the_popup_shows_both_areas_and_both_uses_in_their_own_systems(page, server):  # noqa: F811
    props = page.request.get(f"{server}/api/parcels/{CODE}").json()["properties"]
    assert props["registered_area_unit"] == "mu"
    popup = _click_parcel(page, _open_map(page, server), CODE)
    text = popup.inner_text()
    assert "椭球面积" in text and "登记面积" in text
    assert f"{props['registered_area']:g} 亩" in text.replace(",", "")
    assert "登记面积单位" not in text  # the unit is shown with the area, not on its own row
    assert "现状地类编码" in text and "规划用途编码" in text
    assert f"{props['land_use']} " in text and "三调工作分类" in text
    planned = {"1001": "1001 工业用地", "100101": "100101 一类工业用地",
               "100102": "100102 二类工业用地", "1101": "1101 物流仓储用地",
               "110101": "110101 一类物流仓储用地", "0901": "0901 商业用地",
               "0902": "0902 商务金融用地"}[props["planned_use"]]
    assert planned in text and "用地用海分类（2023）" in text
    page.wait_for_timeout(500)
    _shot(page, "popup")


def test_the_sheet_and_the_form_show_both_areas_and_uses(page, server):  # noqa: F811
    page.goto(f"{server}/match/sheet/{CODE}?industry=35&land_class=industrial2"
              "&total_investment=3000&area_min_mu=1&area_max_mu=500")
    text = page.locator("body").inner_text()
    assert "椭球面积" in text and "登记面积" in text and " 亩" in text
    assert "规划用途编码" in text and "用地用海分类（2023）" in text
    _shot(page, "sheet")
    sign_in(page, server)
    page.goto(f"{server}/parcels/{CODE}/edit")
    for name in ("registered_area", "registered_area_unit", "land_use", "land_use_system",
                 "planned_use", "planned_use_system"):
        assert page.locator(f"[name={name}]").count() == 1, name
    assert page.locator("select[name=registered_area_unit]").input_value() == "mu"
    shown = page.locator("#ellipsoidal-area").inner_text()
    assert "椭球面积" in shown and "亩" in shown and "公顷" in shown
    assert page.locator("select[name=planned_use_system]").input_value() == "ydyh2023"
    _shot(page, "form")
