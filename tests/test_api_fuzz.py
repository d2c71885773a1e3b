"""schemathesis over /api/openapi.json, anonymous and as an editor, on each backend.

Every operation of the document is called with requests generated from it, valid ones and
invalid ones, bounded in examples (LANDMATCH_FUZZ_EXAMPLES, default 5 per operation and
mode, fewer for exports; no shrinking, a fixed seed: the run is the same every time). Its
default checks must all hold but one: no server error, no undocumented status code or
content type, responses that fit their schemas, and no schema-valid request refused. The
one left out is ``negative_data_rejection``: the data dictionary reads "30" as the number
30 and an empty value as none, as the forms send them, so some requests the schema calls
invalid are answered.

What OpenAPI 3.0 cannot say is said to the generator by hooks, each one a rule the
document states in words: a bbox's min before its max, a polygon that is valid and in the
county, no NUL in object keys, a progress date not in the future, area_max_mu not below
area_min_mu, lon and lat together, no idle status on stock land, a planned plot-ratio
minimum not above its maximum, a registered area with its unit and a land-use code of its
system. Anonymous writes are run too: each must be the documented
401 (or a 400 for input no column can hold), never a server error. GeoPackages are written
after reads in the same process, as a server does (docs/traps.md 26).
"""

from __future__ import annotations

import datetime as dt
import os
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import negative_data_rejection

from geo.errors import GeoError
from geo.features import BBOX_PATTERN
from geo.fields import get_field
from geo.record_rules import IDLE_LAYER_ONLY
from tests.conftest import csrf_token, login

EXAMPLES = int(os.environ.get("LANDMATCH_FUZZ_EXAMPLES", "5"))
# An export writes the whole layer each time: a few examples cover its few parameters.
EXPORT_EXAMPLES = max(2, EXAMPLES // 2)
# A 100 m square by the county seat (Xiangfen), inside the county and the demo's towns.
SQUARE = {"type": "Polygon", "coordinates": [[[111.4400, 35.8700], [111.4410, 35.8700],
                                              [111.4410, 35.8708], [111.4400, 35.8708],
                                              [111.4400, 35.8700]]]}


def _without_nul(value):
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _ordered(low, high):
    numbers = [v for v in (low, high) if isinstance(v, int | float)]
    return (min(numbers), max(numbers)) if len(numbers) == 2 else (low, high)


def _needs(body: dict) -> dict:
    body["area_min_mu"], body["area_max_mu"] = _ordered(body.get("area_min_mu"),
                                                        body.get("area_max_mu"))
    if (body.get("lon") is None) != (body.get("lat") is None) or (
            body.get("max_distance_km") is not None and body.get("lon") is None):
        body.update(lon=111.44, lat=35.87)
    return {k: v for k, v in body.items() if v is not None or k in ("lon", "lat")}


def _whole_record(values: dict) -> None:
    """Keep a parcel's values within the rules over the whole record (geo/record_rules.py)."""
    status = values.get("status")
    try:
        status = get_field("parcel", "status").clean(status) if status else None
    except GeoError:
        return
    if values.get("layer") in ("stock", "存量建设用地") and status in IDLE_LAYER_ONLY:
        values["status"] = "available"
    values["plot_ratio_min"], values["plot_ratio_max"] = _ordered(
        values.get("plot_ratio_min"), values.get("plot_ratio_max"))
    for name in ("plot_ratio_min", "plot_ratio_max"):
        if values[name] is None:
            del values[name]
    if values.get("registered_area") is not None and not values.get("registered_area_unit"):
        values["registered_area_unit"] = "m2"  # a registered area comes with its unit
    for name in ("land_use", "planned_use"):
        # a code given with its system must be one of that system's codes
        if values.get(f"{name}_system") and values.get(name):
            values[name] = None


def _schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)

    @schema.hook
    def map_query(context, query):
        if query and isinstance(query.get("bbox"), str):
            found = re.search(BBOX_PATTERN, query["bbox"])
            if found:
                a, b, c, d = found.groups()
                (a, c), (b, d) = sorted((a, c), key=float), sorted((b, d), key=float)
                query["bbox"] = f"{a},{b},{c},{d}"
        return query

    @schema.hook
    def map_body(context, body):
        if not isinstance(body, dict):
            return body
        body = _without_nul(body)
        path = context.operation.path
        if isinstance(body.get("values"), dict):
            _whole_record(body["values"])
        if "geometry" in body:
            body["geometry"] = SQUARE
        if "site" in body:
            body["site"] = SQUARE
        if path.endswith("/progress") and isinstance(body.get("date"), str):
            body["date"] = min(body["date"], dt.date.today().isoformat())
        if path.startswith("/api/match"):
            if isinstance(body.get("needs"), dict) and len(body) == 1:
                return {"needs": _needs(body["needs"])}
            return _needs(body)
        return body

    return schema


def _run(schema, operation, headers, cookies) -> list[str]:
    failures = []
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(max_examples=EXPORT_EXAMPLES if operation.path.startswith("/export/")
                  else EXAMPLES, deadline=None, database=None, derandomize=True,
                  suppress_health_check=list(HealthCheck),
                  phases=[Phase.explicit, Phase.generate])
        def call(case):
            case.call_and_validate(headers=headers, cookies=cookies,
                                   excluded_checks=[negative_data_rejection])

        try:
            call()
        except BaseException as error:  # schemathesis raises a BaseExceptionGroup
            if isinstance(error, KeyboardInterrupt | SystemExit):
                raise
            if "Unable to satisfy assumptions" not in str(error):  # nothing invalid to make
                failures.append(f"{operation.label} ({mode.value}): {error}")
    return failures


@pytest.mark.parametrize("identity", ["anonymous", "editor"])
def test_the_api_answers_as_its_document_says(app, identity):
    headers, cookies = {}, {}
    if identity == "editor":
        client = app.test_client()
        login(client, "editor")
        headers = {"X-CSRFToken": csrf_token(client)}
        cookies = {c.key: c.value for c in client._cookies.values()}
    schema = _schema(app)
    failures = []
    for result in schema.get_all_operations():
        failures += _run(schema, result.ok(), headers, cookies)
    assert failures == [], "\n\n".join(failures)
