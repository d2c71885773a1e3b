"""The folium map of the map page: offline assets, outlines, the three API-fed layers, legend."""

from __future__ import annotations

from html import escape

import folium
import shapely.geometry
from branca.element import MacroElement, Template
from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from geo.boundaries import places, places_geojson
from geo.county import load_county
from geo.fields import LAND_CLASSES, PARCEL_STATUSES, STAGES, UNITS, fields_for
from geo.filters import land_use_classes
from geo.reference import industry_codes, land_use_codes
from webmap.db import get_session
from webmap.i18n import lang

# folium's CDN resources, by folium's own names, replaced with the copies under static/
# (scripts/vendor_assets.sh refreshes them; docs/stack.md trap 7).
VENDOR_JS = {
    "leaflet": "vendor/leaflet/leaflet.js",
    "jquery": "vendor/jquery/jquery.min.js",
    "bootstrap": "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "awesome_markers": "vendor/leaflet-awesome-markers/leaflet.awesome-markers.js",
}
VENDOR_CSS = {
    "leaflet_css": "vendor/leaflet/leaflet.css",
    "bootstrap_css": "vendor/bootstrap/css/bootstrap.min.css",
    "glyphicons_css": "vendor/bootstrap3-glyphicons/css/bootstrap3-glyphicons.min.css",
    "awesome_markers_font_css": "vendor/fontawesome-free/css/all.min.css",
    "awesome_markers_css": "vendor/leaflet-awesome-markers/leaflet.awesome-markers.css",
    "awesome_rotate_css": "vendor/folium/leaflet.awesome.rotate.css",
}

# The vector-tile plugin of the map page's layers (not a folium default).
VECTOR_GRID = "vendor/leaflet-vectorgrid/Leaflet.VectorGrid.bundled.min.js"

# One colour table for the layers' styles and the legend: one hue family per layer (sites
# blue, idle land red, stock green), the status as its shade, darker for what needs acting
# on or is further along, so no two layers share a colour (issue 14).
COLORS = {
    "sites": {"pipeline": "#bbdefb", "signed": "#90caf9", "landed": "#42a5f5",
              "started": "#1e88e5", "building": "#1565c0", "producing": "#0d2f6e"},
    # Idle land's whole life (geo.supply.IDLE_LIFE), taken back land offerable again included.
    "idle": {"idle": "#8e0000", "disposing": "#d32f2f", "disposed": "#ef9a9a",
             "recovered": "#ffcdd2", "available": "#e57373"},
    "stock": {"available": "#1b5e20", "underused": "#43a047", "reserved": "#81c784",
              "supplied": "#c8e6c9"},
}
# Parcel codes are drawn as labels from this zoom on (below it they would cover the map).
LABEL_ZOOM = 15
LAYER_ORDER = ("stock", "idle", "sites")


def _land_use_labels(language: str) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for (system, code), found in land_use_codes().items():
        labels.setdefault(system, {})[code] = found.label(language)
    return labels


def layer_title(name: str) -> str:
    """Return the display name of a map layer."""
    return {"sites": _("Project sites"), "idle": _("Idle industrial land"),
            "stock": _("Stock construction land")}[name]


class ApiLayer(MacroElement):
    """Fill its parent FeatureGroup from the API, by the map's bounds, as the map moves."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        LandMatch.apiLayer({{ this._parent._parent.get_name() }},
                           {{ this._parent.get_name() }}, {{ this.options|tojson }});
        {% endmacro %}
    """)

    def __init__(self, layer: str) -> None:
        super().__init__()
        self._name = "ApiLayer"
        tile = url_for("tiles.tile", name=layer, z=0, x=0, y=0)
        self.options = {
            "layer": layer, "url": url_for("api.layer", name=layer),
            "tiles": tile.replace("/0/0/0.mvt", "/{z}/{x}/{y}.mvt"),
            "item": url_for("ogc.item", name=layer, fid="__code__", f="json"),
        }


class MetricScale(MacroElement):
    """A scale bar in metres and kilometres only (Leaflet's default adds miles)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        L.control.scale({imperial: false, metric: true}).addTo({{ this._parent.get_name() }});
        {% endmacro %}
    """)

    def __init__(self) -> None:
        super().__init__()
        self._name = "MetricScale"


class PageConfig(MacroElement):
    """Hand the popups their labels, units and colours, in the user's language."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        LandMatch.configure({{ this.config|tojson }});
        {% endmacro %}
    """)

    def __init__(self, config: dict) -> None:
        super().__init__()
        self._name = "PageConfig"
        self.config = config


class Legend(MacroElement):
    """A legend in the map's corner: each layer's colours and what they mean."""

    _template = Template("""
        {% macro html(this, kwargs) %}
        <div class="lm-legend leaflet-control" id="legend">
          {% for title, items in this.sections %}
            <div class="lm-legend-title">{{ title|e }}</div>
            {% for color, label in items %}
              <div><i style="background: {{ color }}"></i>{{ label|e }}</div>
            {% endfor %}
          {% endfor %}
        </div>
        {% endmacro %}
    """)

    def __init__(self, sections: list) -> None:
        super().__init__()
        self._name = "Legend"
        self.sections = sections


def popup_config(tile_threshold: int | None = None) -> dict:
    """Return what the browser needs to label features: fields, units, choices, colours,
    and the number of features in view above which a layer is drawn from vector tiles."""
    language = lang()

    def describe(entity: str, layer: str | None) -> list[dict]:
        return [
            {"name": f.name, "label": f.label(language), "unit": f.unit_label(language),
             "choices": {c.value: (c.en if language == "en" else c.zh) for c in f.choices}}
            for f in fields_for(entity, layer) if f.name != "layer"
        ]

    def unit(key: str) -> str:
        return UNITS[key][1 if language == "en" else 0]

    return {
        "fields": {"sites": describe("project", None), "idle": describe("parcel", "idle"),
                   "stock": describe("parcel", "stock")},
        "buildingFields": describe("building", None),
        # land-use codes by system, then code: one code means different things per system
        "landUse": _land_use_labels(language),
        "codes": {
                  "industry": {c.code: c.label(language) for c in industry_codes().values()}},
        "colors": COLORS,
        "titles": {name: layer_title(name) for name in COLORS},
        "units": {"mu": unit("mu"), "ha": unit("ha")},
        "tiles": {"threshold": tile_threshold},
        "canEdit": current_user.is_authenticated and current_user.can("editor"),
        "urls": {**{kind: url_for(f"editing.{kind}", code="__code__")
                    for kind in ("edit", "split", "history")},
                 "project": url_for("ledger.project", code="__code__"),
                 "parcel": url_for("api.parcel", code="__code__")},
        "labelZoom": LABEL_ZOOM,
        "text": {"buildings": _("Factory buildings"), "extra": _("Other attributes"),
                 "edit": _("Edit"), "split": _("Split"), "history": _("History"),
                 "project": _("Project"), "parcel": _("Parcel"),
                 "failed": _("Could not load the layer."),
                 "truncated": _("Zoom in to see every parcel: %(shown)s of %(total)s shown.")},
    }


def _legend_sections() -> list:
    language = lang()
    labels = {c.value: (c.en if language == "en" else c.zh) for c in (*STAGES, *PARCEL_STATUSES)}
    return [(layer_title(name), [(color, labels[key]) for key, color in COLORS[name].items()])
            for name in ("sites", "idle", "stock")]


def _basemap(m: folium.Map, config) -> None:
    choice = (config.get("BASEMAP") or "none").strip()
    if choice == "tianditu" and config.get("TIANDITU_KEY"):
        key = config["TIANDITU_KEY"]
        for layer, name in (("vec", _("Tianditu map")), ("cva", _("Tianditu labels"))):
            folium.TileLayer(
                tiles=(f"https://t{{s}}.tianditu.gov.cn/{layer}_w/wmts?SERVICE=WMTS&REQUEST="
                       f"GetTile&VERSION=1.0.0&LAYER={layer}&STYLE=default&TILEMATRIXSET=w"
                       f"&FORMAT=tiles&TILEMATRIX={{z}}&TILEROW={{y}}&TILECOL={{x}}&tk={key}"),
                attr=_("Tianditu"), name=name, subdomains="01234567", overlay=layer == "cva",
                max_zoom=18,
            ).add_to(m)
    elif "{z}" in choice:
        folium.TileLayer(tiles=choice, attr=config.get("BASEMAP_ATTRIBUTION") or " ",
                         name=_("Base map")).add_to(m)


def _outlines(m: folium.Map, county) -> None:
    """Town boundaries with their names, and the parks: orientation when there is no base map."""
    # The bureau's own outlines once loaded (geo/boundaries.py), else the county's files.
    session = get_session()
    in_use = places(session, county)
    towns = folium.FeatureGroup(name=_("Towns and townships"))
    folium.GeoJson(
        places_geojson(session, county, "towns"),
        style_function=lambda _f: {"color": "#5c6bc0", "weight": 1, "dashArray": "4 4",
                                   "fillOpacity": 0},
        interactive=False,
    ).add_to(towns)
    for town in in_use.towns:
        name = town.name if lang() == "zh" else town.name_en
        # The label sits above the seat, where the town's parcels gather.
        folium.Marker([town.seat.y, town.seat.x], icon=folium.DivIcon(
            html=f'<div class="lm-town-label">{escape(name)}</div>', icon_size=(120, 18),
            icon_anchor=(60, 40), class_name="lm-town"), interactive=False).add_to(towns)
    towns.add_to(m)
    folium.GeoJson(
        places_geojson(session, county, "parks"), name=_("Industrial parks"),
        style_function=lambda _f: {"color": "#6a1b9a", "weight": 2, "dashArray": "8 4",
                                   "fillColor": "#ce93d8", "fillOpacity": 0.08},
        tooltip=folium.GeoJsonTooltip(["name"], labels=False),
    ).add_to(m)


def offline_map(config, bounds, scripts: tuple[str, ...] = (), vendor: tuple[str, ...] = (),
                **options) -> folium.Map:
    """Return a folium map over ``bounds`` (minx, miny, maxx, maxy) whose every asset is
    served from static/, with the configured base map (none by default).

    ``scripts`` are more of the app's own files under static/ (e.g. "js/match.js");
    ``vendor`` more vendored ones, loaded before the app's own.
    """
    minx, miny, maxx, maxy = bounds
    # A wheel notch is about 100 px; Leaflet's 60 px per level made it two levels.
    m = folium.Map(location=[(miny + maxy) / 2, (minx + maxx) / 2], tiles=None,
                   control_scale=False, wheel_px_per_zoom_level=120, **options)
    MetricScale().add_to(m)
    # Per-instance lists: folium's class-level lists must stay untouched (docs/stack.md trap 7).
    m.default_js = [(k, url_for("static", filename=v)) for k, v in VENDOR_JS.items()]
    m.default_js += [(path, url_for("static", filename=path)) for path in vendor]
    m.default_js.append(("landmatch", url_for("static", filename="js/landmatch.js")))
    m.default_js += [(path, url_for("static", filename=path)) for path in scripts]
    m.default_css = [(k, url_for("static", filename=v)) for k, v in VENDOR_CSS.items()]
    m.default_css.append(("landmatch_css", url_for("static", filename="css/landmatch.css")))
    _basemap(m, config)
    return m


def site_map(config, site: dict | None) -> folium.Map:
    """Return a small map of one project's site (a GeoJSON geometry) with the town outlines;
    the county's outline alone when the project has no site yet."""
    county = load_county(config["COUNTY"])
    shape = shapely.geometry.shape(site) if site else county.outline
    minx, miny, maxx, maxy = shape.bounds
    pad = 0.004 if site else 0
    m = offline_map(config, shape.bounds, zoom_start=15)
    _outlines(m, county)
    if site:
        folium.GeoJson(site, name=_("Project site"), interactive=False,
                       style_function=lambda _f: {"color": COLORS["sites"]["landed"],
                                                  "weight": 2, "fillOpacity": 0.3}).add_to(m)
    m.fit_bounds([[miny - pad, minx - pad], [maxy + pad, maxx + pad]])
    return m


def build_map(config, scripts: tuple[str, ...] = ()) -> folium.Map:
    """Return the county map; its layers load from the API in the browser."""
    county = load_county(config["COUNTY"])
    minx, miny, maxx, maxy = county.outline.bounds
    m = offline_map(config, county.outline.bounds, scripts, (VECTOR_GRID,), zoom_start=11,
                    prefer_canvas=True)
    PageConfig(popup_config(config.get("MAP_TILE_THRESHOLD"))).add_to(m)
    _outlines(m, county)
    folium.GeoJson(
        county.geojson("county"), name=county.name if lang() == "zh" else county.name_en,
        style_function=lambda _f: {"color": "#283593", "weight": 3, "fillOpacity": 0},
        interactive=False,
    ).add_to(m)
    for name in LAYER_ORDER:
        group = folium.FeatureGroup(name=layer_title(name), show=True)
        ApiLayer(name).add_to(group)
        group.add_to(m)
    Legend(_legend_sections()).add_to(m)
    folium.LayerControl(collapsed=False).add_to(m)
    m.fit_bounds([[miny, minx], [maxy, maxx]])
    return m


def finder(config) -> dict:
    """Return the choices of the map's filter panel: layers, towns, parks, statuses, classes.

    Values are the stored ones (a town's Chinese name); labels are in the user's language.
    """
    county = load_county(config["COUNTY"])
    in_use = places(get_session(), county)  # the bureau's own outlines once loaded
    language = lang()

    def label(c) -> str:
        return c.en if language == "en" else c.zh

    classes = {c.value: label(c) for c in LAND_CLASSES}
    return {
        "layers": [(name, layer_title(name)) for name in ("idle", "stock", "sites")],
        "towns": [(t.name, t.name if language == "zh" else t.name_en) for t in in_use.towns],
        "parks": [(p.name, p.name if language == "zh" else p.name_en) for p in in_use.parks],
        "statuses": {"idle": [(c.value, label(c)) for c in PARCEL_STATUSES
                              if c.value in COLORS["idle"]],
                     "stock": [(c.value, label(c)) for c in PARCEL_STATUSES
                               if c.value in COLORS["stock"]],
                     "sites": [(c.value, label(c)) for c in STAGES]},
        "classes": [(k, classes[k]) for k in classes if k in land_use_classes()],
        "area": f"{_('Area')}（{UNITS['mu'][1 if language == 'en' else 0]}）",
    }


def finder_text() -> dict:
    """Return the finder's words for static/js/find.js, in the user's language."""
    return {"found": _("%(count)s found"), "shown": _("%(shown)s of %(count)s shown"),
            "none": _("Nothing found."), "failed": _("The search failed: %(reason)s"),
            "download": _("Download:"), "share": _("Link to this search"),
            "titles": {name: layer_title(name) for name in COLORS}}
