"""The OpenAPI document of /api: generated from the views, valid, with dictionary schemas."""

from __future__ import annotations

import re

import pytest
from openapi_spec_validator import validate

from geo.features import LAYERS
from geo.fields import fields_for, get_field
from webmap.openapi import DOCUMENTED


def test_openapi_document_is_valid_and_lists_the_api(client):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    assert {"/api/parcels", "/api/projects", "/api/layers/idle",
            "/ogc/collections/sites/items", "/export/stock.{fmt}"} <= set(spec["paths"])


def test_parcel_schema_comes_from_the_data_dictionary(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    properties = schemas["ParcelProperties"]["properties"]
    assert {f.name for f in fields_for("parcel")} <= set(properties)
    assert properties["plot_ratio"]["maximum"] == 20
    assert properties["status"]["enum"][:2] == ["available", "underused"]
    assert properties["investment_intensity"]["description"] == "投资强度 (10k CNY/mu)"


def test_docs_page_uses_only_local_assets(client):
    page = client.get("/api/docs").get_data(as_text=True)
    assert "swagger-ui-bundle.js" in page and "/api/openapi.json" in page
    assert "http://" not in page.replace("http://localhost", "") and "https://" not in page


def test_matching_and_ledger_endpoints_are_documented(client):
    document = client.get("/api/openapi.json").get_json()
    paths = document["paths"]
    assert paths["/api/match"]["post"]["requestBody"]
    assert "/api/match/explain/{code}" in paths
    for path in ("/api/ledger", "/api/projects/{code}", "/api/projects/{code}/progress",
                 "/api/projects/{code}/transitions", "/api/projects/{code}/plan",
                 "/api/projects/{code}/annual-plans"):
        assert path in paths, path
    schemas = document["components"]["schemas"]
    # the request bodies come from the data dictionary
    assert "reporter" in schemas["NewProgressEntry"]["properties"]
    assert "total_investment" in schemas["MatchNeeds"]["properties"]


def _documented_paths(rule: str) -> list[str]:
    path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)
    if "{name}" in path:  # a layer's operation may be written once per layer, with its filters
        return [path] + [path.replace("{name}", name) for name in LAYERS]
    return [path]


def test_every_api_ogc_export_and_tile_route_has_an_operation(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(DOCUMENTED):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            candidates = _documented_paths(rule.rule)
            found = [p for p in candidates if method.lower() in paths.get(p, {})]
            # One path per layer: then every layer has it.
            if not found or (found[0] != candidates[0] and len(found) != len(LAYERS)):
                missing.append(f"{method} {rule.rule}")
    assert missing == []


def test_every_documented_operation_is_a_route(app, client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    routes = {(p, m.lower()) for rule in app.url_map.iter_rules()
              for p in _documented_paths(rule.rule) for m in rule.methods}
    assert [(p, m) for p, ops in paths.items() for m in ops if (p, m) not in routes] == []


def test_layer_filters_come_from_the_layers_and_the_dictionary(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for name, layer in LAYERS.items():
        for path in (f"/api/layers/{name}", f"/ogc/collections/{name}/items",
                     f"/export/{name}.geojson", f"/tiles/{name}/{{z}}/{{x}}/{{y}}.mvt"):
            params = {p["name"] for p in paths[path]["get"]["parameters"]}
            assert set(layer.filters) <= params, path
            others = {f for other in LAYERS.values() for f in other.filters} - set(layer.filters)
            assert not params & others, path
    status = next(p for p in paths["/api/parcels"]["get"]["parameters"] if p["name"] == "status")
    pattern = re.compile(status["schema"]["pattern"])
    assert pattern.search("idle, 可供地,Available") and not pattern.search("idle,gone")
    assert LAYERS["idle"].filters == LAYERS["stock"].filters  # /api/parcels documents one set


@pytest.mark.parametrize(("value", "accepted"), [
    ("闲置未处置", True), ("idle,,available", True), (" , ", True), ("nothing", False)])
def test_a_filter_the_document_allows_is_accepted_and_one_it_forbids_refused(
        client, value, accepted):
    schema = next(p for p in client.get("/api/openapi.json").get_json()["paths"][
        "/api/parcels"]["get"]["parameters"] if p["name"] == "status")["schema"]
    assert bool(re.search(schema["pattern"], value)) is accepted
    response = client.get("/api/parcels", query_string={"layer": "idle", "status": value})
    assert response.status_code == (200 if accepted else 400)


def test_text_filters_allow_exactly_the_dictionarys_length(client):
    town = get_field("parcel", "town")
    schema = next(p for p in client.get("/api/openapi.json").get_json()["paths"][
        "/api/parcels"]["get"]["parameters"] if p["name"] == "town")["schema"]
    fits, too_long = " " + "镇" * town.max_length + " ", "镇" * (town.max_length + 1)
    assert re.search(schema["pattern"], fits) and not re.search(schema["pattern"], too_long)
    assert client.get("/api/parcels", query_string={"layer": "idle", "town": fits}
                      ).status_code == 200
    assert client.get("/api/parcels", query_string={"layer": "idle", "town": too_long}
                      ).status_code == 400


def test_new_transition_says_to_stage_is_needed_to_move_on(client):
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"][
        "NewTransition"]
    assert schema["required"] == ["date"]
    forward, back = schema["anyOf"]
    assert forward["required"] == ["to_stage"] and back["required"] == ["kind", "note"]
    assert schema["properties"]["by"]["readOnly"] is True


def test_request_bodies_refuse_unknown_keys_in_the_document_too(client):
    schemas = client.get("/api/openapi.json").get_json()["components"]["schemas"]
    for name in ("NewParcel", "ParcelChange", "ProjectChange", "ParcelValues", "ProjectValues",
                 "NewProgressEntry", "NewTransition", "NewPlan", "NewAnnualPlan", "MatchNeeds"):
        assert schemas[name]["additionalProperties"] is False, name


def test_a_method_the_document_does_not_list_is_405_with_allow(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    values = {"{fmt}": "csv", "{z}": "0", "{x}": "0", "{y}": "0"}
    wrong = []
    for path, operations in paths.items():
        url = re.sub(r"\{[^}]+\}", lambda m: values.get(m.group(0), "141023XZ0001"), path)
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            if method.lower() in operations:
                continue
            response = client.open(url + "?town=%00", method=method)
            allowed = {m.strip() for m in response.headers.get("Allow", "").split(",")}
            if response.status_code != 405 or not {m.upper() for m in operations} <= allowed:
                wrong.append((method, url, response.status_code, sorted(allowed)))
    assert wrong == []
