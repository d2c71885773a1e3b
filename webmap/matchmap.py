"""The maps of the match pages: the county map with the match layer, and a sheet's inset."""

from __future__ import annotations

import folium
from branca.element import MacroElement, Template
from shapely.geometry import shape

from webmap.mapview import offline_map


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


def inset_map(config, feature: dict) -> folium.Map:
    """Return a small map of one parcel for its printed sheet (the parcel is embedded)."""
    minx, miny, maxx, maxy = shape(feature["geometry"]).bounds
    m = offline_map(config, (minx, miny, maxx, maxy), zoom_start=16, zoom_control=False)
    folium.GeoJson(
        {"type": "Feature", "geometry": feature["geometry"], "properties": {}},
        style_function=lambda _f: {"color": "#c62828", "weight": 3, "fillColor": "#ef5350",
                                   "fillOpacity": 0.3},
        interactive=False,
    ).add_to(m)
    pad = max(maxx - minx, maxy - miny) * 0.6
    m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    return m
