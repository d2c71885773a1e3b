"""The /match page and the parcel sheet: built from the dictionary, nothing from outside."""

import re

import pytest

from geo.fields import NEEDS_FIELDS


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def _assert_local(client, html):
    for url in _urls(html):
        assert not re.match(r"^(https?:)?//", url), url
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    for url in (u for u in _urls(html) if u.startswith("/static/")):
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_match_page_loads_nothing_from_outside(client):
    _assert_local(client, client.get("/match").get_data(as_text=True))


def test_match_form_has_every_needs_field_with_chinese_labels_and_units(client):
    html = client.get("/match").get_data(as_text=True)
    for field in NEEDS_FIELDS:
        assert f'name="{field.name}"' in html, field.name
        assert field.zh in html
    assert "（亩）" in html and "（万元）" in html and "（吨/年）" in html
    assert 'value="12000"' in html  # a sensible default investment
    assert "js/match.js" in html


@pytest.fixture
def sheet(client):
    return client.get("/match/sheet/141023CL0001?industry=35&land_class=industrial2"
                      "&area_min_mu=20&total_investment=12000").get_data(as_text=True)


def test_parcel_sheet_shows_attributes_checks_and_contacts(client, sheet):
    assert "141023CL0001" in sheet and "推介单" in sheet
    assert "亩" in sheet and "公顷" in sheet and "可供电力" in sheet and "千伏安" in sheet
    assert re.search(r"<td>[0-9A-Z]{4,6} [^<]*用地</td>", sheet)  # code with its name
    assert "县商务局" in sheet  # contacts
    assert 'id="sheet-checks"' in sheet and "投资强度" in sheet
    assert re.search(r"<button[^>]*data-print[^>]*>打印</button>", sheet)  # static/js/page.js
    _assert_local(client, sheet)


def test_unknown_parcel_sheet_is_a_404_page(client):
    response = client.get("/match/sheet/NOPE")
    assert response.status_code == 404 and "<html" in response.get_data(as_text=True)
