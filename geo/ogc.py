"""OGC API – Features, Part 1 Core: the documents, built from the layer queries.

Functions return plain dicts (and GeoJSON text for features) with absolute links built from
the base URL the web layer passes in, so the same code serves JSON and HTML.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping
from urllib.parse import quote, urlencode

from sqlalchemy.orm import Session

from geo.county import County
from geo.errors import N_, NotFound
from geo.features import (
    LAYER_NAMES,
    LAYERS,
    MAX_LIMIT,
    Layer,
    collection_json,
    parse_bbox,
    parse_filters,
    parse_paging,
    query_layer,
)
from geo.fields import LAYERS as LAYER_CHOICES
from geo.fields import get_field
from geo.filters import (
    LAND_USE_CLASS,
    OFFERABLE,
    RANGES,
    SEARCH,
    SEARCH_MAX,
    filter_label,
    land_use_classes,
)

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
]
DEFAULT_LIMIT = 100
GEOJSON, JSON, HTML = "application/geo+json", "application/json", "text/html"


def _link(href: str, rel: str, type_: str, title: str = "") -> dict:
    link = {"href": href, "rel": rel, "type": type_}
    if title:
        link["title"] = title
    return link


def _title(name: str, lang: str) -> str:
    choice = next(c for c in LAYER_CHOICES if c.value == name)
    return choice.en if lang == "en" else choice.zh


def landing(base: str, title: str, openapi: str) -> dict:
    """Return the landing page: what the service is and where its parts are."""
    return {"title": title, "description": "OGC API – Features", "links": [
        _link(f"{base}?f=json", "self", JSON), _link(f"{base}?f=html", "alternate", HTML),
        _link(openapi, "service-desc", "application/vnd.oai.openapi+json;version=3.0"),
        _link(f"{base}/conformance", "conformance", JSON),
        _link(f"{base}/collections", "data", JSON),
    ]}


def conformance() -> dict:
    """Return the conformance classes this service implements."""
    return {"conformsTo": CONFORMANCE}


def get_collection(name: str) -> Layer:
    """Return the layer behind collection ``name``; NotFound for any other name."""
    if name not in LAYER_NAMES:
        raise NotFound(N_("There is no collection %(value)s; the collections are: "
                          "%(choices)s."), value=name, choices=", ".join(LAYER_NAMES))
    return LAYERS[name]


def collection(base: str, name: str, county: County, lang: str = "zh") -> dict:
    """Return one collection's description: title, extent, CRS, links to its items."""
    get_collection(name)
    url = f"{base}/collections/{name}"
    return {
        "id": name, "title": _title(name, lang), "itemType": "feature", "crs": [CRS84],
        "extent": {"spatial": {"bbox": [list(county.outline.bounds)], "crs": CRS84}},
        "links": [
            _link(f"{url}?f=json", "self", JSON), _link(f"{url}?f=html", "alternate", HTML),
            _link(f"{url}/items?f=json", "items", GEOJSON),
            _link(f"{url}/items?f=html", "items", HTML),
            _link(f"{url}/queryables", QUERYABLES_REL, "application/schema+json"),
        ],
    }


def collections(base: str, county: County, lang: str = "zh") -> dict:
    """Return every collection (sites, idle, stock)."""
    return {"links": [_link(f"{base}/collections?f=json", "self", JSON),
                      _link(f"{base}/collections?f=html", "alternate", HTML)],
            "collections": [collection(base, n, county, lang) for n in LAYER_NAMES]}


def queryables(name: str) -> tuple[str, ...]:
    """Return the properties ``name``'s items can be filtered by (plus ``code``)."""
    return ("code", *get_collection(name).filters)


QUERYABLES_REL = "http://www.opengis.net/def/rel/ogc/1.0/queryables"


def queryables_doc(base: str, name: str, lang: str = "zh") -> dict:
    """Return the queryables of collection ``name`` as JSON Schema (OGC API – Features Part 3).

    The items' query parameters are these names; a range (``area_mu``) is asked as
    ``area_mu_min`` / ``area_mu_max``, and ``q`` looks for words (geo/filters.py).
    """
    layer = get_collection(name)
    entity = "project" if layer.entity == "project" else "parcel"
    props: dict[str, dict] = {"code": {"title": "code", "type": "string"}}
    for field_name in layer.filters:
        field = get_field(entity, field_name)
        prop: dict = {"title": field.label(lang), "type": "string"}
        if field.choices:
            prop["enum"] = [c.value for c in field.choices]
        props[field_name] = prop
    for rng in layer.ranges:
        low, high = RANGES[rng].params()
        title = get_field("parcel", RANGES[rng].field).label(lang)
        props[rng] = {"title": title, "type": "number", "minimum": 0,
                      "description": f"query with {low} / {high}"}
    props[SEARCH] = {"title": filter_label(SEARCH, lang), "type": "string",
                     "maxLength": SEARCH_MAX, "description": "words in a code, name, holder "
                     "or project name"}
    if entity == "parcel":
        props[LAND_USE_CLASS] = {"title": filter_label(LAND_USE_CLASS, lang), "type": "string",
                                 "enum": sorted(land_use_classes())}
        props[OFFERABLE] = {"title": OFFERABLE, "type": "boolean",
                            "description": "can be offered to a new project now"}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{base}/collections/{name}/queryables", "type": "object",
            "title": _title(name, lang), "properties": props}


def items(session: Session, base: str, name: str, args: Mapping[str, str],
          fmt: str = "json") -> tuple[Iterator[str], dict]:
    """Return one page of a collection as GeoJSON chunks, and its members for an HTML page.

    ``bbox`` is CRS84; ``limit`` above the maximum is lowered to it, as Part 1 allows.
    """
    layer = get_collection(name)
    bbox = parse_bbox(args["bbox"]) if args.get("bbox") else None
    raw_limit = str(args.get("limit") or DEFAULT_LIMIT)
    digits = raw_limit.lstrip("0")
    # Any whole number above the maximum is lowered, however long ("²" is a digit that
    # isdecimal() refuses and int() too: parse_paging names it).
    longer = len(digits) > len(str(MAX_LIMIT))
    if raw_limit.isdecimal() and (longer or int(digits or 0) > MAX_LIMIT):
        raw_limit = str(MAX_LIMIT)
    limit, offset = parse_paging(raw_limit, args.get("offset"))
    filters = parse_filters(layer, args)
    if args.get("code"):
        filters["code"] = [c.strip() for c in args["code"].split(",") if c.strip()]
    page = query_layer(session, layer, bbox=bbox, filters=filters, limit=limit, offset=offset)
    url = f"{base}/collections/{name}/items"
    query = {k: v for k, v in args.items() if k not in ("f", "offset", "limit")}

    def href(f: str, start: int) -> str:
        return f"{url}?{urlencode({**query, 'f': f, 'limit': limit, 'offset': start})}"

    links = [_link(href("json", offset), "self", GEOJSON),
             _link(href("html", offset), "alternate", HTML),
             _link(f"{base}/collections/{name}", "collection", JSON)]
    if page.number_matched is not None and offset + page.number_returned < page.number_matched:
        links.append(_link(href(fmt, offset + limit), "next", GEOJSON if fmt == "json" else HTML))
    if offset > 0:
        links.append(_link(href(fmt, max(0, offset - limit)), "prev",
                           GEOJSON if fmt == "json" else HTML))
    members = {"numberMatched": page.number_matched, "numberReturned": page.number_returned,
               "timeStamp": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
               "links": links}
    return collection_json(page.features, **members), {**members, "features": page.features,
                                                       "offset": offset, "limit": limit}


def item(session: Session, base: str, name: str, code: str) -> dict:
    """Return one feature by its code, with links to itself and its collection."""
    layer = get_collection(name)
    page = query_layer(session, layer, filters={"code": [code]}, limit=1, count=False)
    if not page.features:
        raise NotFound(N_("There is no feature %(value)s in %(layer)s."), value=code,
                       layer=name)
    feature = json.loads(page.features[0])
    url = f"{base}/collections/{name}/items/{quote(code, safe='')}"
    feature["links"] = [_link(f"{url}?f=json", "self", GEOJSON),
                        _link(f"{url}?f=html", "alternate", HTML),
                        _link(f"{base}/collections/{name}", "collection", JSON)]
    return feature
