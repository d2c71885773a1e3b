"""Pages for people: the map, and the layer downloads."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    render_template,
    request,
    stream_with_context,
)

from geo.county import load_county
from geo.crs import STORAGE_SRID
from geo.errors import N_, GeoError
from geo.export import FORMATS, export_bytes, geojson_chunks
from geo.features import get_layer, parse_bbox, parse_filters
from webmap.db import get_session
from webmap.i18n import lang
from webmap.mapview import build_map, finder, finder_text, layer_title
from webmap.openapi import register_schema

bp = Blueprint("pages", __name__)
GK_VALUES = ("", "0", "1", "false", "true")
# The CRSs the document offers: CGCS2000 and its 3° Gauss–Krüger zones (geo/crs.py); any
# other CRS pyproj reads is taken too.
register_schema("ExportCRS", {
    "type": "string", "description": "the file's CRS; empty or absent: EPSG:4490 (lon/lat)",
    "enum": ["", *(f"EPSG:{code}" for code in (STORAGE_SRID, 4326, *range(4513, 4555)))]})


@bp.app_context_processor
def county_name():
    """Give every template the county's name in the user's language."""
    county = load_county(current_app.config["COUNTY"])
    return {"county_name": lambda: county.name_en if lang() == "en" else county.name}


@bp.get("/")
def index():
    """Show the county map with its three layers."""
    figure = build_map(current_app.config, ("js/find.js",))
    figure.get_root().render()  # lay out header, html and script before the template splits them
    return render_template("map.html", map=figure, layer_title=layer_title,
                           finder=finder(current_app.config), finder_text=finder_text())


def _export_query(layer) -> dict:
    args = request.args
    headers = args.get("headers") or ("en" if lang() == "en" else "zh")
    if headers not in ("zh", "en", "names"):
        raise GeoError(N_("%(field)s must be zh, en or names."), field="headers")
    crs = args.get("crs") or None
    if args.get("gk", "") not in GK_VALUES:
        raise GeoError(N_("%(field)s must be 1 or 0."), field="gk")
    if args.get("gk") in ("1", "true"):
        crs = f"EPSG:{load_county(current_app.config['COUNTY']).settings['epsg_gk_no_zone']}"
    return {"bbox": parse_bbox(args["bbox"]) if args.get("bbox") else None,
            "filters": parse_filters(layer, args), "headers": headers, "crs": crs}


@bp.get("/export/<name>.geojson")
def export_geojson(name: str):
    """Download one layer, every attribute, as an RFC 7946 GeoJSON file.
    ---
    get:
      tags: [Exports]
      summary: One layer as GeoJSON, with the map's filters
      x-per-layer: true
      x-query: bbox
      parameters:
      - {name: headers, in: query, schema: {type: string, enum: ["", zh, en, names]}}
      responses:
        200: {description: "RFC 7946 FeatureCollection", content: {application/geo+json: {}}}
        400:
          description: A parameter is malformed; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    layer = get_layer(name)
    query = _export_query(layer)
    if query["crs"]:
        raise GeoError(N_("GeoJSON is always longitude/latitude (RFC 7946); choose "
                          "GeoPackage, Shapefile, CSV or XLSX for another CRS."), field="crs")

    def chunks():
        # The session is opened inside the stream, so the stream's own teardown closes it.
        yield from geojson_chunks(get_session(), layer, query["filters"], query["bbox"])

    return Response(
        stream_with_context(chunks()), mimetype="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'},
    )


@bp.get("/export/<name>.<any(gpkg, csv, xlsx, 'shp.zip'):fmt>")
def export_file(name: str, fmt: str):
    """Download one layer as GeoPackage, zipped Shapefile, CSV (WKT) or XLSX.
    ---
    get:
      tags: [Exports]
      summary: One layer in a desktop-GIS or spreadsheet format, with the map's filters
      x-per-layer: true
      x-query: bbox
      parameters:
      - {name: fmt, in: path, required: true,
         schema: {type: string, enum: [gpkg, shp.zip, csv, xlsx]}}
      - {name: headers, in: query, schema: {type: string, enum: ["", zh, en, names]}}
      - {name: crs, in: query, schema: {$ref: '#/components/schemas/ExportCRS'}}
      - {name: gk, in: query, schema: {type: string, enum: ["", "0", "1", "false", "true"]},
         description: "1: the county's Gauss–Krüger zone without prefix"}
      responses:
        200: {description: The file}
        404:
          description: No such format
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        400:
          description: A parameter is malformed; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    layer = get_layer(name)
    data = export_bytes(get_session(), layer, fmt, **_export_query(layer))
    return Response(data, mimetype=FORMATS[fmt][1], headers={
        "Content-Disposition": f'attachment; filename="{name}.{fmt}"'})
