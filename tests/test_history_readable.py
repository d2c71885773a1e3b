"""The history page reads as staff speak: actions in words, field labels, choice labels, areas in
亩 and 公顷; and a parcel's first version can always be restored from it."""

from __future__ import annotations

import re

from shapely.geometry import box, mapping
from sqlalchemy import select

from geo.editing import get_parcel, update_parcel
from geo.geometry import from_db
from geo.models import Parcel
from tests.conftest import csrf_token, login


def _underused(session) -> Parcel:
    return session.scalar(select(Parcel).where(Parcel.status == "underused")
                          .order_by(Parcel.id))


def _cells(html: str) -> str:
    table = re.search(r'<table class="lm-history" id="history">.*?</table>', html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table))


def test_history_shows_labels_choice_labels_and_translated_actions(client, session):
    parcel = _underused(session)
    update_parcel(session, parcel.code, {"status": "available", "plot_ratio": "1.5"},
                  parcel.version, "wang")
    text = _cells(client.get(f"/parcels/{parcel.code}/history").get_data(as_text=True))
    assert "状态 : 低效利用 → 可供地" in text
    assert "修改" in text and "update" not in text and "underused" not in text
    english = _cells(client.get(f"/parcels/{parcel.code}/history?lang=en")
                     .get_data(as_text=True))
    assert "Status : Under-used → Available" in english and "Changed" in english


def test_a_reshape_shows_the_area_in_mu_and_hectares(client, session):
    parcel = _underused(session)
    minx, miny, _maxx, _maxy = from_db(parcel.geom).bounds
    update_parcel(session, parcel.code, {}, parcel.version, "wang",
                  geometry=mapping(box(minx, miny, minx + 0.0005, miny + 0.0005)),
                  confirm_overlap=True)
    text = _cells(client.get(f"/parcels/{parcel.code}/history").get_data(as_text=True))
    found = re.search(r"面积 : ([\d,.]+) 亩（([\d,.]+) 公顷） → ([\d,.]+) 亩（([\d,.]+) 公顷）",
                      text)
    assert found, text
    mu, ha = float(found.group(3).replace(",", "")), float(found.group(4).replace(",", ""))
    assert abs(mu / 15 - ha) < 0.001  # 15 亩 to the hectare
    assert "图形" in text


def test_the_first_version_of_a_parcel_loaded_without_history_can_be_restored(client,
                                                                               session):
    parcel = _underused(session)
    code, name = parcel.code, parcel.name
    update_parcel(session, code, {"name": "改过的名称"}, parcel.version, "wang")
    login(client, "editor")
    html = client.get(f"/parcels/{code}/history").get_data(as_text=True)
    assert "初始版本" in html
    assert f'action="/parcels/{code}/restore-version/1"' in html
    answer = client.post(f"/parcels/{code}/restore-version/1",
                         data={"csrf_token": csrf_token(client), "version": 2},
                         follow_redirects=True)
    assert answer.status_code == 200
    session.expire_all()
    restored = get_parcel(session, code)
    assert restored.name == name and restored.version == 3
    text = _cells(answer.get_data(as_text=True))
    assert "恢复历史版本 (恢复到版本 1)" in text


def test_a_parcel_created_on_the_page_has_its_creation_as_first_version(client, session):
    login(client, "editor")
    parcel = _underused(session)
    update_parcel(session, parcel.code, {"name": "一"}, parcel.version, "wang")
    update_parcel(session, parcel.code, {"name": "二"}, parcel.version, "wang")
    html = client.get(f"/parcels/{parcel.code}/history").get_data(as_text=True)
    # versions 3 and 2 are recorded, version 1 is the imported original: three restorable
    # lines but the current one
    assert html.count("restore-version/") == 2
