"""Vector tiles of the map layers: /tiles/<layer>/<z>/<x>/<y>.mvt."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from geo.features import get_layer, parse_filters
from geo.tiles import render_tile
from webmap.db import get_session

bp = Blueprint("tiles", __name__, url_prefix="/tiles")

MVT = "application/vnd.mapbox-vector-tile"
# Short: an edited parcel shows in tiles within a minute; a pan back over the same ground
# within it costs no request at all.
MAX_AGE = 60


@bp.get("/<name>/<int:z>/<int:x>/<int:y>.mvt")
def tile(name: str, z: int, x: int, y: int):
    """Show one vector tile of a map layer (Mapbox Vector Tile, Web Mercator grid).
    ---
    get:
      tags: [Register]
      summary: One vector tile of a map layer
      x-per-layer: true
      description: >-
        One MVT layer named after the map layer; each feature carries its `code` and the
        attribute the map colours it by (`status` for parcels, `stage` for project sites).
        Features smaller than two pixels at the tile's zoom are drawn as one square per
        two-pixel cell and colour, named by one of the codes they stand for. Deleted
        records are left out. Takes the same filters as /api/layers.
      parameters:
      - {name: name, in: path, required: true, schema: {type: string, enum: [sites, idle, stock]}}
      - {name: z, in: path, required: true, schema: {type: integer, minimum: 0, maximum: 22}}
      - {name: x, in: path, required: true, schema: {type: integer, minimum: 0, maximum: 4194303},
         description: "0 to 2^z - 1 (4194303 = 2^22 - 1 at the deepest zoom); 404 beyond"}
      - {name: y, in: path, required: true, schema: {type: integer, minimum: 0, maximum: 4194303},
         description: "0 to 2^z - 1; 404 beyond"}
      responses:
        200:
          description: The tile; ETag from its bytes, so If-None-Match can answer 304
          content:
            application/vnd.mapbox-vector-tile: {schema: {type: string, format: binary}}
        204: {description: No feature meets the tile}
        304: {description: Unchanged since the ETag sent in If-None-Match}
        400:
          description: A zoom beyond the grid's or a malformed filter; the error names it
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
        404:
          description: No such tile (x or y outside the grid at this zoom)
          content:
            application/json: {schema: {$ref: '#/components/schemas/Error'}}
    """
    layer = get_layer(name)
    body = render_tile(get_session(), layer, z, x, y, parse_filters(layer, request.args))
    response = Response(body, status=200 if body else 204, mimetype=MVT if body else None)
    scope = "public" if current_app.config["PUBLIC_READ"] else "private"
    response.headers["Cache-Control"] = f"{scope}, max-age={MAX_AGE}"
    response.add_etag()
    return response.make_conditional(request)
