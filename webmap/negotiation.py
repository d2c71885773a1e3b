"""Who gets JSON: one rule for refusals, errors and the OGC API's choice of format."""

from __future__ import annotations

from flask import request

from geo import ogc

# Machine addresses: a refusal there is a JSON 401/403, never a redirect to the sign-in page
# (a tile or a GeoJSON client cannot follow one to a form).
JSON_PATHS = ("/api/", "/export/", "/tiles/")


def ogc_format() -> str:
    """Return "html" or "json" for an /ogc request: ``f=`` first, else the Accept header."""
    f = request.args.get("f")
    if f in ("json", "html"):
        return f
    best = request.accept_mimetypes.best_match([ogc.JSON, ogc.GEOJSON, ogc.HTML],
                                               default=ogc.JSON)
    return "html" if best == ogc.HTML else "json"


def wants_json() -> bool:
    """Return True when this request's answer, an error or a refusal included, is JSON.

    /api, /export and /tiles always; /ogc unless ``f=html`` or a browser's Accept; any other
    address (the pages) only when the client asks for JSON or NDJSON (the import page's
    scripts do).
    """
    path = request.path
    if path.startswith(JSON_PATHS):
        return True
    if path == "/ogc" or path.startswith("/ogc/"):
        return ogc_format() == "json"
    return request.accept_mimetypes.best in ("application/json", "application/x-ndjson")
