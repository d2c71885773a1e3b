"""The parcel sheet (推介单): issuer, date and number, formatted numbers, demo notice,
the parcels around it."""

import datetime as dt
import re

from shapely.geometry import shape
from sqlalchemy import select

from geo.models import Parcel
from geo.sheet import neighbours, parcel_card, sheet_issue

CODE = "141023CL0001"


def test_the_sheet_names_its_issuer_date_number_and_contact(client):
    html = client.get(f"/match/sheet/{CODE}").get_data(as_text=True)
    today = dt.date.today()
    issue = html[html.index('id="sheet-issue"'):html.index("</dl>")]
    assert "发布单位" in issue and "襄汾县自然资源局" in issue
    assert f"{today.year}年{today.month}月{today.day}日" in issue
    assert f"TJ-{CODE}-{today:%Y%m%d}" in issue
    assert re.search(r'class="lm-sheet-contact"><th>[^<]+</th><td>张招商 0357-0000001', html)


def test_the_sheet_prints_numbers_as_people_write_them(client, session):
    power = session.scalar(select(Parcel.power_kva).where(Parcel.code == CODE))
    html = client.get(f"/match/sheet/{CODE}").get_data(as_text=True)
    assert f"<td>{power:,.0f} 千伏安</td>" in html
    assert not re.search(r"<td>\d+\.0 ", html)  # no "1250.0 千伏安"
    assert re.search(r"<td>[\d,]+\.\d\d 亩（[\d.]+ 公顷）</td>", html)


def test_the_demo_notice_is_on_the_sheet_itself_and_not_for_real_data(app, client):
    html = client.get(f"/match/sheet/{CODE}").get_data(as_text=True)
    assert 'id="sheet-demo"' in html and "虚构" in html[html.index('id="sheet-demo"'):]
    app.config["DEMO_NOTICE"] = False
    assert 'id="sheet-demo"' not in client.get(f"/match/sheet/{CODE}").get_data(as_text=True)


def test_the_sheet_says_how_to_save_it_as_pdf_with_buttons_bound_in_static_js(client):
    html = client.get(f"/match/sheet/{CODE}").get_data(as_text=True)
    assert "另存为 PDF" in html
    assert re.search(r'<button[^>]*data-print[^>]*id="sheet-pdf"[^>]*>下载 PDF</button>', html)
    assert not re.search(r"\son[a-z]+=", html)  # no inline handlers (CSP)


def test_neighbours_are_the_parcels_around_the_parcel_and_not_itself(session):
    feature, _found = parcel_card(session, CODE)
    around = neighbours(session, feature)
    codes = {f["id"] for f in around}
    assert CODE not in codes and codes
    centre = shape(feature["geometry"]).centroid
    for f in around:
        assert shape(f["geometry"]).distance(centre) < 0.05  # within a few km


def test_a_sheet_number_is_the_parcel_and_the_day():
    one = sheet_issue("141023", CODE, dt.date(2026, 1, 2))
    assert one.number == f"TJ-{CODE}-20260102" and one.unit == "襄汾县自然资源局"
