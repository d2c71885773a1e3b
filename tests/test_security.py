"""Who may do what (every endpoint × role), CSRF, cookies, Content-Security-Policy, XSS, sizes."""

import json
import re

import pytest

from geo.editing import delete_parcel, update_parcel
from geo.fields import fields_for
from tests.conftest import PASSWORD, csrf_token, login

CODE = "141023XZ0001"
PROJECT = "141023XM004"
SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[111.3, 36.0], [111.301, 36.0],
                                                          [111.301, 36.001], [111.3, 36.0]]]})
LINE = json.dumps({"type": "LineString", "coordinates": [[111.0, 35.0], [112.0, 36.5]]})
ROLES = ("anonymous", "viewer", "editor", "admin")
OK, LOGIN, FORBIDDEN = "ok", "login", "403"

# (endpoint, method) -> (url, form or JSON body, expected outcome for anonymous, viewer,
# editor, admin) with LANDMATCH_PUBLIC_READ on. "ok": the request got past access control
# (it may still be refused for its content); "login": sent to sign in (302 or 401); "403".
READ = (OK, OK, OK, OK)
SIGNED_IN = (LOGIN, OK, OK, OK)
EDITOR = (LOGIN, FORBIDDEN, OK, OK)
ADMIN = (LOGIN, FORBIDDEN, FORBIDDEN, OK)
MATRIX = {
    ("pages.index", "GET"): ("/", None, READ),
    ("pages.export_geojson", "GET"): ("/export/idle.geojson", None, READ),
    ("api.parcels", "GET"): ("/api/parcels?layer=idle&limit=1", None, READ),
    ("api.parcel", "GET"): ("/api/parcels/141023CL0002", None, READ),
    ("api.projects", "GET"): ("/api/projects?limit=1", None, READ),
    ("api.layer", "GET"): ("/api/layers/stock?limit=1", None, READ),
    ("tiles.tile", "GET"): ("/tiles/idle/14/13364/6491.mvt", None, READ),
    ("auth.login", "GET"): ("/login", None, READ),
    ("auth.login", "POST"): ("/login", {"name": "test-viewer", "password": PASSWORD}, READ),
    ("auth.logout", "POST"): ("/logout", {}, READ),
    ("auth.password", "GET"): ("/account/password", None, SIGNED_IN),
    ("auth.sign_out_all", "POST"): ("/account/sign-out-everywhere", {}, SIGNED_IN),
    ("auth.password", "POST"): ("/account/password", {"old_password": "x",
                                                      "new_password": "y"}, SIGNED_IN),
    ("editing.edit", "GET"): (f"/parcels/{CODE}/edit", None, EDITOR),
    ("editing.edit", "POST"): (f"/parcels/{CODE}/edit", {"version": "1", "layer": "idle",
                                                         "status": "idle"}, EDITOR),
    ("editing.new", "GET"): ("/parcels/new", None, EDITOR),
    ("editing.new", "POST"): ("/parcels/new", {"code": "N1", "layer": "stock",
                                               "status": "available", "geometry": SQUARE},
                              EDITOR),
    ("editing.split", "GET"): (f"/parcels/{CODE}/split", None, EDITOR),
    ("editing.split", "POST"): (f"/parcels/{CODE}/split", {"version": "1", "line": LINE},
                                EDITOR),
    ("editing.merge", "POST"): (f"/parcels/{CODE}/merge", {"version": "1",
                                                           "other": "141023XZ0002"}, EDITOR),
    ("editing.buildings", "POST"): (f"/parcels/{CODE}/buildings", {
        "version": "1", "rows": "1", "b-0-floor_area_m2": "900"}, EDITOR),
    ("editing.delete", "POST"): (f"/parcels/{CODE}/delete", {"version": "1"}, EDITOR),
    ("editing.history", "GET"): (f"/parcels/{CODE}/history", None, READ),
    ("editing.restore", "POST"): (f"/parcels/{CODE}/restore-version/1", {"version": "1"},
                                  EDITOR),
    ("edit_api.create", "POST"): ("/api/parcels", {"json": {"values": {
        "code": "N1", "layer": "stock", "status": "available"}, "geometry": SQUARE}}, EDITOR),
    ("edit_api.update", "PATCH"): (f"/api/parcels/{CODE}", {"json": {
        "version": 1, "values": {"name": "x"}}}, EDITOR),
    ("edit_api.delete", "DELETE"): (f"/api/parcels/{CODE}?version=1", {"json": {}}, EDITOR),
    ("edit_api.history", "GET"): (f"/api/parcels/{CODE}/history", None, READ),
    ("supply_api.moves", "GET"): (f"/api/parcels/{CODE}/moves", None, READ),
    ("supply_api.add_move", "POST"): (f"/api/parcels/{CODE}/moves", {"json": {
        "to_status": "disposing"}}, EDITOR),
    ("admin.users", "GET"): ("/admin/users", None, ADMIN),
    ("admin.add_user", "POST"): ("/admin/users", {"name": "new-one", "password": "p" * 12,
                                                  "role": "viewer"}, ADMIN),
    ("admin.change_user", "POST"): ("/admin/users/test-viewer", {"role": "editor"}, ADMIN),
    ("admin.sign_out_user", "POST"): ("/admin/users/test-viewer/sign-out", {}, ADMIN),
    ("admin.bin_", "GET"): ("/admin/bin", None, ADMIN),
    ("admin.restore", "POST"): (f"/admin/bin/{CODE}/restore", {}, ADMIN),
    ("admin.restore_project", "POST"): (f"/admin/bin/projects/{PROJECT}/restore", {}, ADMIN),
    ("boundaries.page", "GET"): ("/admin/boundaries", None, ADMIN),
    ("boundaries.page", "POST"): ("/admin/boundaries", {"kind": "towns"}, ADMIN),
    # Matching: reading needs, so open like any read; the offer log changes data.
    ("match.page", "GET"): ("/match", None, READ),
    ("match.sheet", "GET"): (f"/match/sheet/{CODE}", None, READ),
    ("match.api_match", "POST"): ("/api/match", {"json": {"industry": "34"}}, READ),
    ("match.api_explain", "POST"): (f"/api/match/explain/{CODE}", {"json": {}}, READ),
    ("offers.log", "GET"): (f"/projects/{PROJECT}/offers", None, READ),
    ("offers.save", "POST"): ("/match/offers", {"json": {}}, EDITOR),
    ("offers.update", "POST"): ("/offers/1", {}, EDITOR),
    ("offers.land", "POST"): (f"/projects/{PROJECT}/land", {}, EDITOR),
    # The ledger.
    ("ledger.projects", "GET"): ("/projects", None, READ),
    ("ledger.my_projects", "GET"): ("/my-projects", None, READ),
    ("ledger.board", "GET"): ("/projects/board", None, READ),
    ("ledger.project", "GET"): (f"/projects/{PROJECT}", None, READ),
    ("ledger.dashboard", "GET"): ("/dashboard", None, READ),
    ("ledger.idle", "GET"): ("/idle", None, READ),
    ("ledger.report", "GET"): ("/reports/monthly", None, READ),
    ("ledger.report_download", "GET"): ("/reports/monthly.xlsx", None, READ),
    ("ledger.add_progress_entry", "POST"): (f"/projects/{PROJECT}/progress", {}, EDITOR),
    ("ledger.update_plan", "POST"): (f"/projects/{PROJECT}/plan", {}, EDITOR),
    ("ledger.advance_stage", "POST"): (f"/projects/{PROJECT}/advance", {}, EDITOR),
    ("ledger.put_back_stage", "POST"): (f"/projects/{PROJECT}/put-back", {}, EDITOR),
    ("project_editing.edit", "GET"): (f"/projects/{PROJECT}/edit", None, EDITOR),
    ("project_editing.edit", "POST"): (f"/projects/{PROJECT}/edit", {"version": "1",
                                                                     "name": "x"}, EDITOR),
    ("project_editing.delete", "POST"): (f"/projects/{PROJECT}/delete", {"version": "1"},
                                         EDITOR),
    ("project_editing.history", "GET"): (f"/projects/{PROJECT}/history", None, READ),
    ("edit_api.project_history", "GET"): (f"/api/projects/{PROJECT}/history", None, READ),
    ("edit_api.update_project", "PATCH"): (f"/api/projects/{PROJECT}", {"json": {
        "version": 1, "values": {"name": "x"}}}, EDITOR),
    ("ledger.import_page", "GET"): ("/ledger/import", None, EDITOR),
    ("ledger.import_page", "POST"): ("/ledger/import", {}, EDITOR),
    ("ledger_api.ledger", "GET"): ("/api/ledger", None, READ),
    ("ledger_api.project", "GET"): (f"/api/projects/{PROJECT}", None, READ),
    ("ledger_api.progress", "GET"): (f"/api/projects/{PROJECT}/progress", None, READ),
    ("ledger_api.transitions", "GET"): (f"/api/projects/{PROJECT}/transitions", None, READ),
    ("ledger_api.idle", "GET"): ("/api/idle", None, READ),
    ("ledger_api.dashboard", "GET"): ("/api/dashboard", None, READ),
    ("ledger_api.ledger_schemas", "GET"): ("/api/ledger/schemas", None, READ),
    ("ledger_api.add_progress_entry", "POST"): (f"/api/projects/{PROJECT}/progress",
                                                {"json": {}}, EDITOR),
    ("ledger_api.add_transition", "POST"): (f"/api/projects/{PROJECT}/transitions",
                                            {"json": {}}, EDITOR),
    ("ledger_api.update_plan", "POST"): (f"/api/projects/{PROJECT}/plan", {"json": {}}, EDITOR),
    ("ledger_api.update_annual_plan", "POST"): (f"/api/projects/{PROJECT}/annual-plans",
                                                {"json": {}}, EDITOR),
    # Files in and out, OGC API, OpenAPI.
    ("pages.export_file", "GET"): ("/export/idle.csv", None, READ),
    ("uploads.page", "GET"): ("/import", None, EDITOR),
    ("uploads.check", "POST"): ("/import/check", {}, EDITOR),
    ("uploads.commit", "POST"): ("/import/commit", {}, EDITOR),
    ("uploads.report", "POST"): ("/import/report.csv", {}, EDITOR),
    ("ogc.landing", "GET"): ("/ogc/", None, READ),
    ("ogc.conformance", "GET"): ("/ogc/conformance", None, READ),
    ("ogc.collections", "GET"): ("/ogc/collections", None, READ),
    ("ogc.collection", "GET"): ("/ogc/collections/idle", None, READ),
    ("ogc.queryables", "GET"): ("/ogc/collections/idle/queryables", None, READ),
    ("ogc.items", "GET"): ("/ogc/collections/idle/items?limit=1", None, READ),
    ("ogc.item", "GET"): (f"/ogc/collections/idle/items/{CODE}", None, READ),
    ("openapi.document", "GET"): ("/api/openapi.json", None, READ),
    ("openapi.docs", "GET"): ("/api/docs", None, READ),
}


def _routes(app) -> set[tuple[str, str]]:
    return {(rule.endpoint, method) for rule in app.url_map.iter_rules()
            if rule.endpoint != "static"
            for method in rule.methods - {"HEAD", "OPTIONS"}}


# Where a client gets JSON whatever it accepts: a refusal there is a 401/403 in the error
# shape, and a redirect to the sign-in page is a failure (the matrix sends no Accept header).
JSON_PATHS = ("/api/", "/export/", "/tiles/", "/ogc")


def _outcome(response, url: str = "") -> str:
    assert response.status_code < 500, response.get_data(as_text=True)[:300]
    if url.startswith(JSON_PATHS) and response.status_code in (302, 401, 403):
        assert response.status_code != 302, f"{url}: a JSON client was redirected"
        assert set(response.get_json()["error"]) >= {"code", "message"}, url
    location = response.headers.get("Location", "")
    if response.status_code == 401 or (response.status_code == 302 and "/login" in location
                                       and "/logout" not in location):
        return LOGIN
    return FORBIDDEN if response.status_code == 403 else OK


def _request(client, method, url, body):
    token = csrf_token(client)
    if body is None:
        return client.open(url, method=method)
    if "json" in body:
        return client.open(url, method=method, json=body["json"],
                           headers={"X-CSRFToken": token})
    return client.open(url, method=method, data={**body, "csrf_token": token})


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
def test_every_endpoint_is_in_the_access_table(app):
    assert _routes(app) == set(MATRIX), "add new endpoints to MATRIX with their outcomes"


def _check(app, key, role, want):
    client = app.test_client()
    login(app.test_client(), "viewer")  # the account that auth.login and admin.change_user use
    if role != "anonymous":
        login(client, role)
    url, body, _expected = MATRIX[key]
    assert _outcome(_request(client, key[1], url, body), url) == want


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]}-{k[1]}")
def test_access_matrix_with_public_read(app, key, role):
    _check(app, key, role, MATRIX[key][2][ROLES.index(role)])


@pytest.mark.parametrize("backend", ["spatialite"], indirect=True)
@pytest.mark.parametrize("key", sorted(MATRIX), ids=lambda k: f"{k[0]}-{k[1]}")
def test_without_public_read_the_anonymous_may_only_sign_in(app, key):
    app.config["PUBLIC_READ"] = False
    _check(app, key, "anonymous", OK if key[0] == "auth.login" else LOGIN)


# POSTs that only read (a match's needs are too large for a query string): no token needed.
READ_ONLY_POSTS = {"match.api_match", "match.api_explain"}


def test_state_changing_requests_without_the_csrf_token_are_refused(app):
    client = app.test_client()
    login(client, "admin")
    for (endpoint, method), (url, body, _expected) in MATRIX.items():
        if method == "GET" or endpoint in READ_ONLY_POSTS:
            continue
        kwargs = {"json": body["json"]} if body and "json" in body else {"data": body or {}}
        response = client.open(url, method=method, **kwargs)
        assert response.status_code == 400, endpoint
        assert "csrf" in response.get_data(as_text=True), endpoint


def test_session_cookie_is_httponly_samesite_and_secure_when_configured(app):
    client = app.test_client()
    login(client, "viewer")
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Lax" and not cookie.secure
    app.config["SESSION_COOKIE_SECURE"] = True
    secure = app.test_client()
    login(secure, "viewer")
    assert secure.get_cookie("session").secure


def test_map_page_scripts_carry_the_request_nonce_and_no_inline_handlers(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    nonce = re.search(r"script-src 'self' 'nonce-([^']+)'", policy).group(1)
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    html = response.get_data(as_text=True)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert len(inline) >= 2
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", html)  # no onclick= and the like
    assert nonce not in client.get("/").headers["Content-Security-Policy"]  # new per request


def test_tile_servers_of_the_base_map_are_allowed_images(app):
    app.config.update(BASEMAP="https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    policy = app.test_client().get("/").headers["Content-Security-Policy"]
    assert "img-src 'self' data: https://*.tiles.example.org" in policy


PAYLOADS = {
    "name": '<script>window.__xss=1</script>"><img src=x onerror=alert(1)>',
    "holder": "<script>alert('holder')</script>",
    "town": "<svg onload=alert()>",
    "park": "<iframe src=x>",
    "land_use": "<b>x</b>",
    "planned_use": "<i>y</i>",
    "disposal_plan": "<img src=x onerror=alert('plan')>",
    "supervision_no": "<script>alert('no')</script>",
}
# markup is no code of any system: a code with a system must be one of its codes
NO_SYSTEMS = {"land_use_system": None, "planned_use_system": None}


def _store_payloads(session, user: str):
    """Save every payload: through editing, and the land use (which editing checks against
    the code list) as data loaded before that check would hold it."""
    coded = ("land_use", "planned_use")
    typed = {**{k: v for k, v in PAYLOADS.items() if k not in coded}, **NO_SYSTEMS}
    parcel = update_parcel(session, CODE, typed, 1, user)
    for name in coded:
        if name in PAYLOADS:
            setattr(parcel, name, PAYLOADS[name])
    session.commit()
    return parcel


def test_markup_in_every_text_field_is_shown_as_text(client, session):
    assert set(PAYLOADS) == {f.name for f in fields_for("parcel")
                             if f.kind == "text" and f.name != "code"}
    parcel = _store_payloads(session, "<script>who</script>")
    login(client, "admin")
    pages = [client.get(f"/parcels/{CODE}/edit"), client.get(f"/parcels/{CODE}/history")]
    delete_parcel(session, CODE, parcel.version, "x")
    pages.append(client.get("/admin/bin"))
    for response in pages:
        html = response.get_data(as_text=True)
        for value in (*PAYLOADS.values(), "<script>who</script>"):
            assert value not in html
        assert "&lt;script&gt;" in html


def test_exports_and_api_never_serve_user_text_as_html(client, session):
    _store_payloads(session, "x")
    for url in ("/export/idle.geojson", "/api/layers/idle", f"/api/parcels/{CODE}/history"):
        response = client.get(url)
        assert "html" not in response.mimetype
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert PAYLOADS["holder"] in response.get_data(as_text=True)  # data kept as it was


def test_a_body_above_the_size_limit_is_refused(app):
    app.config["MAX_CONTENT_LENGTH"] = 1000
    client = app.test_client()
    login(client, "editor")
    response = client.post("/api/parcels", data="x" * 5000, content_type="application/json",
                           headers={"X-CSRFToken": csrf_token(client)})
    assert response.status_code == 413
