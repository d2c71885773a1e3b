"""JSON API: the register's layers as GeoJSON, filtered by bbox and attributes, paged."""

from __future__ import annotations

import json

from flask import Blueprint, Response, request, url_for

from geo.errors import N_, GeoError
from geo.features import (
    PROJECTS,
    Layer,
    collection_json,
    get_layer,
    parse_bbox,
    parse_filters,
    parse_paging,
    query_layer,
)
from geo.sheet import parcel_card
from geo.supply import Availability
from webmap.db import get_session
from webmap.errors import translate

bp = Blueprint("api", __name__, url_prefix="/api")

GEOJSON = "application/geo+json"


def _collection(layer: Layer, endpoint: str, **route_args) -> Response:
    args = request.args
    bbox = parse_bbox(args["bbox"]) if args.get("bbox") else None
    limit, offset = parse_paging(args.get("limit"), args.get("offset"))
    filters = parse_filters(layer, args)
    page = query_layer(get_session(), layer, bbox=bbox, filters=filters, limit=limit,
                       offset=offset)
    links = []
    if page.number_matched is not None and offset + page.number_returned < page.number_matched:
        query = {**args.to_dict(), "offset": offset + limit, "limit": limit}
        links.append({"rel": "next", "type": GEOJSON,
                      "href": url_for(endpoint, **route_args, **query, _external=True)})
    body = collection_json(page.features, numberMatched=page.number_matched,
                           numberReturned=page.number_returned, links=links)
    return conditional(Response("".join(body), mimetype=GEOJSON))


def conditional(response: Response) -> Response:
    """Tag a response with a hash of its body and answer 304 when the client has it already.

    The map asks again for views it has shown (panning back and forth); a 304 spares the
    transfer and the browser's parsing. ``no-cache`` makes the browser ask every time, so an
    edit shows at once.
    """
    response.cache_control.no_cache = True
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/parcels")
def parcels():
    """Show the parcels of one layer (idle or stock) as GeoJSON.
    ---
    get:
      tags: [Register]
      summary: Parcels of one layer
      x-query: paged
      parameters:
      - {name: layer, in: query, required: true, schema: {type: string, enum: [idle, stock]}}
      responses:
        200:
          description: A GeoJSON FeatureCollection (RFC 7946), paged
          content:
            application/geo+json: {schema: {$ref: '#/components/schemas/FeatureCollection'}}
        400:
          description: A parameter is malformed; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    name = request.args.get("layer", "")
    if name not in ("idle", "stock"):
        raise GeoError(N_("%(field)s must be idle or stock."), field="layer")
    return _collection(get_layer(name), "api.parcels")


def availability_json(found: Availability) -> dict:
    """Return whether a parcel can be offered, the reason in the user's language, its holder."""
    return {"offerable": found.offerable, "reason": translate(found.reason, None, found.params),
            "project": found.project}


@bp.get("/parcels/<code>")
def parcel(code: str):
    """Show one parcel as a GeoJSON Feature, with whether it can be offered to a project.
    ---
    get:
      tags: [Register]
      summary: One parcel, and whether it can be offered
      description: >
        ``properties.availability`` says whether the parcel can be offered to a new project
        now (the one rule matching, the dashboard and the offer log use), why, in the user's
        language, and which project holds it, if one does.
      parameters:
      - {name: code, in: path, required: true, schema: {type: string}}
      responses:
        200:
          description: A GeoJSON Feature (RFC 7946)
          content:
            application/geo+json:
              schema:
                allOf:
                - {$ref: '#/components/schemas/ParcelFeature'}
                - type: object
                  properties:
                    properties:
                      type: object
                      properties:
                        availability: {$ref: '#/components/schemas/Availability'}
        404:
          description: No parcel has this code (or it is in the bin)
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    feature, found = parcel_card(get_session(), code)
    feature["properties"]["availability"] = availability_json(found)
    return conditional(Response(json.dumps(feature, ensure_ascii=False), mimetype=GEOJSON))


@bp.get("/projects")
def projects():
    """Show the key projects as GeoJSON; those without a site have a null geometry.
    ---
    get:
      tags: [Register]
      summary: Key projects
      x-query: paged
      responses:
        200:
          description: A GeoJSON FeatureCollection (RFC 7946), paged
          content:
            application/geo+json: {schema: {$ref: '#/components/schemas/FeatureCollection'}}
        400:
          description: A parameter is malformed; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    return _collection(PROJECTS, "api.projects")


@bp.get("/layers/<name>")
def layer(name: str):
    """Show one map layer (sites, idle or stock) as GeoJSON.
    ---
    get:
      tags: [Register]
      summary: One map layer, with its filters
      x-per-layer: true
      x-query: paged
      responses:
        200:
          description: A GeoJSON FeatureCollection (RFC 7946), paged
          content:
            application/geo+json: {schema: {$ref: '#/components/schemas/FeatureCollection'}}
        400:
          description: A parameter is malformed; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    return _collection(get_layer(name), "api.layer", name=name)
