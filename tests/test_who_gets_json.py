"""One rule for who gets JSON: machine addresses refuse with a JSON 401/403, pages redirect."""

import pytest

from tests.conftest import csrf_token, login
from tests.test_match_api import NEEDS
from tests.test_security import MATRIX

PROJECT = "141023XM004"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
MACHINE_READS = ["/ogc/collections?f=json", "/ogc/collections", "/ogc/",
                 "/ogc/collections/idle/items?limit=1", "/export/idle.geojson",
                 "/export/stock.csv", "/api/layers/idle", "/api/parcels?layer=idle",
                 "/api/ledger", "/tiles/idle/14/13364/6491.mvt"]
PAGES = ["/", "/projects", "/dashboard", "/match", "/ogc/collections?f=html"]
# Writes an anonymous client may send: signing in and out, and matches (they only read).
ANONYMOUS_WRITES = {"auth.login", "auth.logout", "match.api_match", "match.api_explain"}
WRITES = sorted(key for key in MATRIX if key[1] != "GET" and key[0] not in ANONYMOUS_WRITES)


def _is_refusal_in_the_error_shape(response, status):
    assert response.status_code == status, (response.status_code,
                                           response.headers.get("Location"))
    assert "Location" not in response.headers
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    return error


@pytest.mark.parametrize("url", MACHINE_READS)
def test_with_reading_closed_a_client_without_accept_headers_gets_a_json_401(app, url):
    app.config["PUBLIC_READ"] = False
    response = app.test_client().get(url)
    error = _is_refusal_in_the_error_shape(response, 401)
    assert error["code"] == "unauthorized" and "登录" in error["message"]


@pytest.mark.parametrize("url", ["/ogc/collections", "/ogc/"])
def test_with_reading_closed_a_browser_on_the_ogc_pages_is_sent_to_sign_in(app, url):
    app.config["PUBLIC_READ"] = False
    response = app.test_client().get(url, headers={"Accept": BROWSER})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("url", PAGES)
def test_with_reading_closed_pages_redirect_to_sign_in_and_come_back(app, url):
    app.config["PUBLIC_READ"] = False
    response = app.test_client().get(url, headers={"Accept": BROWSER})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_a_page_client_asking_for_json_gets_the_401_as_json(app):
    app.config["PUBLIC_READ"] = False
    response = app.test_client().get("/projects", headers={"Accept": "application/json"})
    _is_refusal_in_the_error_shape(response, 401)


# Access control does not depend on the backend: the matrix runs on SpatiaLite alone.
@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
@pytest.mark.parametrize("public_read", [True, False], ids=["public", "closed"])
@pytest.mark.parametrize("key", WRITES, ids=lambda k: f"{k[0]}-{k[1]}")
def test_an_anonymous_write_is_told_to_sign_in_before_any_token_check(app, key, public_read):
    app.config["PUBLIC_READ"] = public_read
    url, body, _ = MATRIX[key]
    kwargs = {"json": body["json"]} if body and "json" in body else {"data": body or {}}
    response = app.test_client().open(url, method=key[1], **kwargs)  # no CSRF token
    assert response.status_code == 401, response.get_data(as_text=True)[:300]
    if url.startswith("/api/"):
        assert response.get_json()["error"]["code"] == "unauthorized"


def test_an_anonymous_patch_of_a_project_is_401_in_the_error_shape(client):
    response = client.patch(f"/api/projects/{PROJECT}", json={"version": 1,
                                                               "values": {"name": "x"}})
    error = _is_refusal_in_the_error_shape(response, 401)
    assert "登录" in error["message"]


def test_a_signed_in_write_without_the_token_is_400_naming_the_token(client):
    login(client, "editor")
    response = client.patch(f"/api/projects/{PROJECT}", json={"version": 1,
                                                               "values": {"name": "x"}})
    error = _is_refusal_in_the_error_shape(response, 400)
    assert error["code"] == "csrf" and error["field"] == "csrf_token"
    assert "X-CSRFToken" in error["message"]


def test_a_signed_in_write_with_the_token_gets_through(client):
    login(client, "editor")
    response = client.patch(f"/api/projects/{PROJECT}", json={"version": 1, "values": {}},
                            headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 200


def test_a_role_too_low_for_an_api_write_is_a_json_403(client):
    login(client, "viewer")
    response = client.patch(f"/api/projects/{PROJECT}", json={"version": 1, "values": {}},
                            headers={"X-CSRFToken": csrf_token(client)})
    assert _is_refusal_in_the_error_shape(response, 403)["code"] == "forbidden"


def test_matching_stays_open_to_anonymous_clients_without_a_token(client):
    assert client.post("/api/match", json=NEEDS).status_code == 200
