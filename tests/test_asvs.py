"""The OWASP ASVS level 1 checks docs/security.md names that no feature's own tests hold."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from geo.models import Parcel
from geo.users import create_user
from tests.conftest import csrf_token
from tests.test_security import MATRIX

DOC = Path(__file__).resolve().parent.parent / "docs" / "security.md"
WORDS = {"ok": "yes", "login": "sign in", "403": "403"}
PROBES = ["' OR '1'='1", "1; DROP TABLE parcels; --", "') OR 1=1 --", '" OR ""="',
          "1 UNION SELECT name, password_hash FROM users --", "%' --", "\\'; --"]


def markdown_table() -> str:
    """Return docs/security.md's access table, made from MATRIX.

    .venv/bin/python -c "from tests.test_asvs import markdown_table; print(markdown_table())"
    """
    lines = ["| endpoint | method | example URL | anonymous | viewer | editor | admin |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for (endpoint, method), (url, _body, outcome) in sorted(
            MATRIX.items(), key=lambda item: (item[1][0], item[0][1])):
        cells = " | ".join(WORDS[o] for o in outcome)
        lines.append(f"| `{endpoint}` | {method} | `{url}` | {cells} |")
    return "\n".join(lines)


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_the_access_table_in_docs_security_md_is_the_one_the_tests_check(app):
    rows = re.findall(r"^\| `([\w.]+)` \| (\w+) \| `[^`]*` \| ([^|]+)\|([^|]+)\|([^|]+)\|([^|]+)\|",
                      DOC.read_text(encoding="utf-8"), re.M)
    documented = {(e, m): tuple(c.strip() for c in cells) for e, m, *cells in rows}
    expected = {key: tuple(WORDS[o] for o in outcome) for key, (_u, _b, outcome) in
                MATRIX.items()}
    assert documented == expected, "paste markdown_table() into docs/security.md (see above)"


def test_pages_and_api_answers_carry_the_security_headers(client):  # 14.4.3-14.4.7
    for url in ("/", "/api/parcels?layer=idle&limit=1", "/login"):
        headers = client.get(url).headers
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "charset=utf-8" in headers["Content-Type"].lower() or "json" in headers[
            "Content-Type"]


@pytest.mark.parametrize("probe", PROBES)
def test_sql_injection_probes_in_filters_change_and_reveal_nothing(client, session, probe):  # 5.3.4
    before = session.scalar(select(func.count()).select_from(Parcel))
    value = quote(probe)
    for url in (f"/api/parcels?layer=idle&status={value}", f"/api/parcels?layer=idle&town={value}",
                f"/api/projects?stage={value}", f"/ogc/collections/idle/items?town={value}",
                f"/export/idle.csv?park={value}", f"/api/parcels/{value}/history"):
        response = client.get(url)
        assert response.status_code < 500, url
        body = response.get_data(as_text=True)
        assert "$argon2" not in body  # no hash came back (the probe itself may be echoed)
        if response.status_code == 200 and "features" in (response.get_json(silent=True) or {}):
            assert response.get_json()["features"] == [], url
    assert session.scalar(select(func.count()).select_from(Parcel)) == before


def test_a_long_passphrase_of_any_characters_signs_in(app, session):  # 2.1.2, 2.1.4
    phrase = "汾河岸边的老厂房 " * 14 + "🙂"  # 128 characters
    create_user(session, "long", phrase, "viewer")
    client = app.test_client()
    response = client.post("/login", data={"name": "long", "password": phrase,
                                           "csrf_token": csrf_token(client)})
    assert response.status_code == 302
