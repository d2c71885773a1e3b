"""Pages for people: the map, and the layer downloads."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, render_template, stream_with_context

from geo.county import load_county
from geo.export import geojson_chunks
from geo.features import get_layer
from webmap.db import get_session
from webmap.i18n import lang
from webmap.mapview import build_map, layer_title

bp = Blueprint("pages", __name__)


@bp.app_context_processor
def county_name():
    """Give every template the county's name in the user's language."""
    county = load_county(current_app.config["COUNTY"])
    return {"county_name": lambda: county.name_en if lang() == "en" else county.name}


@bp.get("/")
def index():
    """Show the county map with its three layers."""
    figure = build_map(current_app.config)
    figure.get_root().render()  # lay out header, html and script before the template splits them
    return render_template("map.html", map=figure, layer_title=layer_title)


@bp.get("/export/<name>.geojson")
def export_geojson(name: str):
    """Download one layer, every attribute, as an RFC 7946 GeoJSON file."""
    layer = get_layer(name)

    def chunks():
        # The session is opened inside the stream, so the stream's own teardown closes it.
        yield from geojson_chunks(get_session(), layer)

    return Response(
        stream_with_context(chunks()), mimetype="application/geo+json",
        headers={"Content-Disposition": f'attachment; filename="{name}.geojson"'},
    )
