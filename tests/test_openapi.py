"""The OpenAPI document of /api: generated from the views, valid, with dictionary schemas."""

from __future__ import annotations

from openapi_spec_validator import validate

from geo.fields import fields_for


def test_openapi_document_is_valid_and_lists_the_api(client):
    spec = client.get("/api/openapi.json").get_json()
    validate(spec)
    assert {"/api/parcels", "/api/projects", "/api/layers/{name}",
            "/ogc/collections/{name}/items", "/export/{name}.{fmt}"} <= set(spec["paths"])


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
