"""The map page: Chinese by default, every asset served from static/, layers by URL."""

import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "static"


def _urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_page_loads_nothing_from_outside(client):
    html = client.get("/").get_data(as_text=True)
    urls = _urls(html)
    assert urls
    for url in urls:
        assert not re.match(r"^(https?:)?//", url), url
    assert "http://" not in html and "https://" not in html


def test_every_asset_the_page_names_is_served(client):
    html = client.get("/").get_data(as_text=True)
    assets = [u for u in _urls(html) if u.startswith("/static/")]
    assert any(u.endswith("leaflet.js") for u in assets)
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200, url
        response.close()


def test_vendored_packages_ship_their_licences():
    vendor = STATIC / "vendor"
    for package in (p for p in vendor.iterdir() if p.is_dir()):
        assert any(f.name.upper().startswith(("LICENSE", "LICENCE")) for f in package.rglob("*")), \
            package.name


def test_layers_are_fetched_by_url_not_embedded(client):
    html = client.get("/").get_data(as_text=True)
    for layer in ("sites", "idle", "stock"):
        assert f"/api/layers/{layer}" in html
    assert "141023XZ0001" not in html  # no parcel data baked into the page


def test_interface_is_chinese_by_default_and_english_on_request(client):
    zh = client.get("/").get_data(as_text=True)
    assert "闲置工业用地" in zh and "存量建设用地" in zh and "项目用地" in zh
    assert "虚构" in zh  # the demo is marked synthetic
    en = client.get("/?lang=en").get_data(as_text=True)
    assert "Idle industrial land" in en and "synthetic" in en
    # the choice sticks through a cookie
    assert "Idle industrial land" in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(("setting", "expected"), [
    ({"BASEMAP": "tianditu", "TIANDITU_KEY": "k123"}, "tianditu.gov.cn/vec_w"),
    ({"BASEMAP": "https://tiles.example.org/{z}/{x}/{y}.png"}, "tiles.example.org"),
])
def test_base_map_comes_from_settings(app, setting, expected):
    app.config.update(setting)
    html = app.test_client().get("/").get_data(as_text=True)
    assert expected in html


def test_no_base_map_by_default(client):
    assert "tileLayer" not in client.get("/").get_data(as_text=True)
