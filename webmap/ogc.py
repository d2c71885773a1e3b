"""OGC API – Features at /ogc: landing page, conformance, collections, items, as JSON or HTML."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, render_template, request, url_for
from flask_babel import gettext

from geo import ogc
from geo.county import load_county
from geo.errors import N_, GeoError
from geo.features import LAYERS
from webmap.db import get_session
from webmap.i18n import lang
from webmap.negotiation import ogc_format

bp = Blueprint("ogc", __name__, url_prefix="/ogc")


def _format() -> str:
    if request.args.get("f") not in (None, "", "json", "html"):
        raise GeoError(N_("%(field)s must be json or html."), field="f")
    return ogc_format()


def _base() -> str:
    return url_for("ogc.landing", _external=True).rstrip("/")


def _county():
    return load_county(current_app.config["COUNTY"])


def _answer(doc: dict, kind: str, mimetype: str = ogc.JSON, **context):
    if _format() == "html":
        return render_template("ogc.html", kind=kind, doc=doc, **context)
    return Response(json.dumps(doc, ensure_ascii=False), mimetype=mimetype)


@bp.get("")
@bp.get("/")
def landing():
    """Show the OGC API landing page.
    ---
    get:
      tags: [OGC API – Features]
      summary: Landing page
      responses:
        200: {description: "Links to the conformance classes, the collections and this API"}
    """
    doc = ogc.landing(_base(), gettext("LandMatch land register"),
                      url_for("openapi.document", _external=True))
    return _answer(doc, "landing")


@bp.get("/conformance")
def conformance():
    """Show the conformance classes.
    ---
    get:
      tags: [OGC API – Features]
      summary: Conformance classes
      responses:
        200: {description: The conformance classes implemented}
    """
    return _answer(ogc.conformance(), "conformance")


@bp.get("/collections")
def collections():
    """Show the collections: sites, idle, stock.
    ---
    get:
      tags: [OGC API – Features]
      summary: Collections
      responses:
        200: {description: "The three map layers: sites, idle, stock"}
    """
    return _answer(ogc.collections(_base(), _county(), lang()), "collections")


@bp.get("/collections/<name>")
def collection(name: str):
    """Show one collection.
    ---
    get:
      tags: [OGC API – Features]
      summary: One collection
      parameters:
      - {name: name, in: path, required: true, schema: {type: string, enum: [sites, idle, stock]}}
      responses:
        200: {description: "The collection's title, extent and links"}
        404: {description: No such collection}
    """
    return _answer(ogc.collection(_base(), name, _county(), lang()), "collection")


@bp.get("/collections/<name>/queryables")
def queryables(name: str):
    """Show what a collection's items can be filtered by, as JSON Schema.
    ---
    get:
      tags: [OGC API – Features]
      summary: The queryables of a collection (OGC API – Features Part 3)
      parameters:
      - {name: name, in: path, required: true, schema: {type: string, enum: [sites, idle, stock]}}
      responses:
        200: {description: "JSON Schema of the properties the items can be filtered by",
              content: {application/schema+json: {}}}
        404: {description: No such collection}
    """
    doc = ogc.queryables_doc(_base(), name, lang())
    return Response(json.dumps(doc, ensure_ascii=False), mimetype="application/schema+json")


@bp.get("/collections/<name>/items")
def items(name: str):
    """Show one page of a collection's features.
    ---
    get:
      tags: [OGC API – Features]
      summary: Features of a collection, with its filters
      x-per-layer: true
      x-query: ogc
      responses:
        200:
          description: A GeoJSON FeatureCollection with numberMatched, numberReturned and links
          content:
            application/geo+json: {schema: {$ref: '#/components/schemas/FeatureCollection'}}
        400: {description: A parameter is malformed}
    """
    fmt = _format()
    chunks, members = ogc.items(get_session(), _base(), name, request.args, fmt)
    if fmt == "html":
        features = [json.loads(f) for f in members["features"]]
        return render_template("ogc.html", kind="items", doc=members, features=features,
                               name=name, fields=LAYERS[name].fields,
                               title=ogc.collection(_base(), name, _county(), lang())["title"])
    return Response("".join(chunks), mimetype=ogc.GEOJSON)


@bp.get("/collections/<name>/items/<path:fid>")
def item(name: str, fid: str):
    """Show one feature by its code.
    ---
    get:
      tags: [OGC API – Features]
      summary: One feature
      parameters:
      - {name: name, in: path, required: true, schema: {type: string, enum: [sites, idle, stock]}}
      - {name: fid, in: path, required: true, schema: {type: string}}
      responses:
        200: {description: A GeoJSON Feature}
        404: {description: No such feature}
    """
    feature = ogc.item(get_session(), _base(), name, fid)
    return _answer(feature, "item", ogc.GEOJSON, features=[feature], name=name,
                   fields=LAYERS[name].fields)
