"""Every error path answers with one JSON shape (API) or a page (browser), never a trace."""

import pytest

import webmap.api


@pytest.mark.parametrize(("method", "url", "status"), [
    ("get", "/api/parcels?layer=forest", 400),
    ("get", "/api/parcels?layer=stock&bbox=x", 400),
    ("get", "/api/no-such-thing", 404),
    ("post", "/api/projects", 405),
    ("get", "/export/forest.geojson", 400),
])
def test_api_errors_share_one_json_shape(client, method, url, status):
    response = getattr(client, method)(url)
    assert response.status_code == status
    body = response.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "field"}
    assert body["error"]["code"] and body["error"]["message"]


def test_unexpected_failure_is_a_500_without_a_stack_trace(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database exploded at /secret/path")

    monkeypatch.setattr(webmap.api, "query_layer", broken)
    response = client.get("/api/parcels?layer=stock")
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal"
    assert b"Traceback" not in response.data and b"/secret/path" not in response.data


def test_page_errors_are_pages_in_chinese_by_default(client):
    response = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "页面不存在" in response.get_data(as_text=True)


def test_messages_follow_the_chosen_language(client):
    zh = client.get("/api/parcels?layer=stock&limit=abc").get_json()["error"]["message"]
    en = client.get("/api/parcels?layer=stock&limit=abc&lang=en").get_json()["error"]["message"]
    assert "整数" in zh
    assert "whole number" in en


def test_a_post_without_csrf_token_is_refused_with_a_clear_message(app):
    app.add_url_rule("/api/_probe", "probe", lambda: "changed", methods=["POST"])
    response = app.test_client().post("/api/_probe")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "csrf" and "令牌" in error["message"]
