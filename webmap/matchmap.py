"""The maps of the match pages: the county map with the match layer, and a sheet's inset."""

from __future__ import annotations

import folium
from branca.element import MacroElement, Template
from flask_babel import gettext as _
from shapely.geometry import shape

from geo.boundaries import places_geojson
from geo.county import load_county
from geo.sheet import NEIGHBOURHOOD, NEIGHBOURHOOD_MIN_DEG
from webmap.db import get_session
from webmap.mapview import COLORS, offline_map

PARCEL_STYLE = {"color": "#b71c1c", "weight": 3, "fillColor": "#ff7043", "fillOpacity": 0.55}
NEIGHBOUR_STYLE = {"color": "#616161", "weight": 1, "fillColor": "#bdbdbd", "fillOpacity": 0.5}
PARK_STYLE = {"color": "#6a1b9a", "weight": 2, "dashArray": "8 4", "fillColor": "#ce93d8",
              "fillOpacity": 0.08}


class NorthArrow(MacroElement):
    """A north arrow in the map's top right corner (the maps are north-up Web Mercator)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        (function (map) {
          var North = L.Control.extend({options: {position: "topright"}, onAdd: function () {
            var box = L.DomUtil.create("div", "lm-north");
            box.setAttribute("aria-label", {{ this.label|tojson }});
            box.appendChild(L.DomUtil.create("span", "lm-north-arrow", box));
            var n = L.DomUtil.create("span", "lm-north-n", box);
            n.textContent = "N";
            return box;
          }});
          new North().addTo(map);
        })({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self, label: str) -> None:
        super().__init__()
        self._name = "NorthArrow"
        self.label = label


class MatchHook(MacroElement):
    """Hand the match page's script its map and its texts, in the user's language."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        LandMatchMatch.init({{ this._parent.get_name() }}, {{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, config: dict) -> None:
        super().__init__()
        self._name = "MatchHook"
        self.config = config


def _around(feature: dict) -> tuple[float, float, float, float]:
    minx, miny, maxx, maxy = shape(feature["geometry"]).bounds
    pad = max((maxx - minx) * NEIGHBOURHOOD, (maxy - miny) * NEIGHBOURHOOD,
              NEIGHBOURHOOD_MIN_DEG)
    return minx - pad, miny - pad, maxx + pad, maxy + pad


def _parks(m: folium.Map, county) -> None:
    # the bureau's own outlines once loaded (geo/boundaries.py)
    folium.GeoJson(places_geojson(get_session(), county, "parks"), name=_("Industrial parks"),
                   style_function=lambda _f: PARK_STYLE, interactive=False).add_to(m)


def inset_map(config, feature: dict, neighbours: list[dict] = ()) -> folium.Map:
    """Return the sheet's location map: the parcel, the parcels around it and the park, with
    the configured base map, a metric scale and a north arrow (everything embedded)."""
    county = load_county(config["COUNTY"])
    minx, miny, maxx, maxy = _around(feature)
    m = offline_map(config, (minx, miny, maxx, maxy), zoom_start=16, zoom_control=False,
                    zoom_snap=0.25)
    _parks(m, county)
    if neighbours:
        folium.GeoJson({"type": "FeatureCollection", "features": list(neighbours)},
                       name=_("Neighbouring parcels"), interactive=False,
                       style_function=lambda _f: NEIGHBOUR_STYLE).add_to(m)
    folium.GeoJson(
        {"type": "Feature", "geometry": feature["geometry"], "properties": {}},
        style_function=lambda _f: PARCEL_STYLE, interactive=False,
    ).add_to(m)
    NorthArrow(_("North")).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def overview_map(config, feature: dict) -> folium.Map:
    """Return the sheet's small map of where in the county the parcel lies."""
    county = load_county(config["COUNTY"])
    minx, miny, maxx, maxy = county.outline.bounds
    # Fractional zoom, so the county fills the small map instead of the next whole level.
    m = offline_map(config, county.outline.bounds, zoom_start=9, zoom_control=False,
                    attribution_control=False, zoom_snap=0.1)
    folium.GeoJson(places_geojson(get_session(), county, "towns"), interactive=False,
                   style_function=lambda _f: {"color": "#5c6bc0", "weight": 1,
                                              "dashArray": "3 3", "fillOpacity": 0}).add_to(m)
    folium.GeoJson(county.geojson("county"), interactive=False,
                   style_function=lambda _f: {"color": "#283593", "weight": 2,
                                              "fillOpacity": 0}).add_to(m)
    _parks(m, county)
    centre = shape(feature["geometry"]).centroid
    folium.CircleMarker([centre.y, centre.x], radius=6, color="#b71c1c", weight=2,
                        fill=True, fill_color=COLORS["idle"]["idle"], fill_opacity=1,
                        interactive=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m
