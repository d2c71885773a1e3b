"""Generate N realistic parcels over a province-sized area, as a GeoPackage any GIS can read.

    .venv/bin/python bench/generate.py                       # 100,000 parcels
    .venv/bin/python bench/generate.py -n 20000 -o /tmp/parcels.gpkg

The area is Shanxi's extent (110.2–114.6°E, 34.6–40.7°N). Parcels gather in about 120
county-like clusters (one per county seat, Gaussian around it, σ 2–6 km), one parcel per
cell of a 180 m grid so none overlap; each is an irregular 4–7-sided polygon of 40–160 m a
side (about 2–35 亩), with the attributes of the stock layer in the data dictionary's names
(code, name, town, holder, land_use, status, plot_ratio …) so `landmatch import --layer
stock` maps every column by itself. EPSG:4490 (CGCS2000 lon/lat). The same seed gives the
same file.
"""

from __future__ import annotations

import argparse
import math
import random
from pathlib import Path

import geopandas
import pyogrio
import shapely

WEST, EAST, SOUTH, NORTH = 110.2, 114.6, 34.6, 40.7
COUNTIES = 120
CELL_M = 180.0
M_PER_DEG_LAT = 110_940.0
# (current use in 三调, planned use in 用地用海 2023): the importer tells each column's system
USES = [("0601", "1001"), ("0601", "1001"), ("0601", "1001"), ("0601", "100101"),
        ("0601", "100102"), ("0508", "1101"), ("0508", "110101"), ("05H1", "0902"),
        ("05H1", "0901"), ("0602", "1002")]
STATUSES = ["available"] * 5 + ["underused"] * 3 + ["reserved", "supplied"]
SURNAMES = "晋汾霍襄平太吕临乡蒲"
TRADES = ["焦化", "钢铁", "铸造", "新材料", "装备制造", "食品", "物流", "建材", "化工", "电子"]


def county_seats(rng: random.Random, how_many: int = COUNTIES) -> list[tuple[float, float]]:
    """Return county-seat points spread over the province, none closer than about 15 km."""
    seats: list[tuple[float, float]] = []
    while len(seats) < how_many:
        x, y = rng.uniform(WEST + 0.2, EAST - 0.2), rng.uniform(SOUTH + 0.2, NORTH - 0.2)
        if all(math.hypot((x - a) * 0.8, y - b) > 0.14 for a, b in seats):
            seats.append((x, y))
    return seats


def _shape(rng: random.Random, x: float, y: float, lat: float) -> list[tuple[float, float]]:
    """Return the ring of one parcel centred on (x, y) degrees: 4–7 jittered corners."""
    corners = rng.choice([4, 4, 4, 5, 6, 7])
    half_w, half_h = rng.uniform(20, 80), rng.uniform(20, 80)
    spin = rng.uniform(0, math.pi / 2)
    m_per_deg_lon = M_PER_DEG_LAT * math.cos(math.radians(lat))
    ring = []
    for k in range(corners):
        a = spin + 2 * math.pi * (k + rng.uniform(-0.15, 0.15)) / corners
        # An ellipse-ish outline squashed into the cell keeps the polygon simple and convex.
        dx, dy = half_w * math.cos(a), half_h * math.sin(a)
        ring.append((round(x + dx / m_per_deg_lon, 7), round(y + dy / M_PER_DEG_LAT, 7)))
    return [*ring, ring[0]]


def parcels(n: int, seed: int = 141023) -> tuple[list, dict[str, list]]:
    """Return (geometries, columns) for ``n`` parcels; reproducible for a given seed."""
    rng = random.Random(seed)
    seats = county_seats(rng)
    weights = [rng.uniform(0.3, 1.7) for _ in seats]
    spreads = [rng.uniform(2_000, 6_000) for _ in seats]
    taken: set[tuple[int, int, int]] = set()
    geoms, cols = [], {k: [] for k in (
        "code", "name", "town", "holder", "ownership", "land_use", "planned_use", "status",
        "plot_ratio",
        "plot_ratio_min", "plot_ratio_max", "building_coefficient", "investment_intensity",
        "power_kva", "water_t_per_day", "gas", "rail", "price")}
    while len(geoms) < n:
        c = rng.choices(range(len(seats)), weights)[0]
        sx, sy = seats[c]
        gx = round(rng.gauss(0, spreads[c]) / CELL_M)
        gy = round(rng.gauss(0, spreads[c]) / CELL_M)
        if (c, gx, gy) in taken:
            continue
        taken.add((c, gx, gy))
        y = sy + gy * CELL_M / M_PER_DEG_LAT
        x = sx + gx * CELL_M / (M_PER_DEG_LAT * math.cos(math.radians(y)))
        if not (WEST <= x <= EAST and SOUTH <= y <= NORTH):
            continue
        geoms.append(shapely.MultiPolygon([shapely.Polygon(_shape(rng, x, y, y))]))
        i = len(geoms)
        use = rng.choice(USES)
        industrial = use[1] in ("1001", "100101", "100102")
        low = rng.choice([0.8, 1.0, 1.2])
        holder = f"山西{rng.choice(SURNAMES)}{rng.choice(TRADES)}有限公司"
        cols["code"].append(f"P{c:03d}{i:06d}")
        cols["name"].append(f"{SURNAMES[c % len(SURNAMES)]}县{rng.choice('东西南北')}区地块{i}")
        cols["town"].append(f"{SURNAMES[c % len(SURNAMES)]}{c:03d}镇")
        cols["holder"].append(holder)
        cols["ownership"].append("collective" if rng.random() < 0.15 else "state")
        cols["land_use"].append(use[0])
        cols["planned_use"].append(use[1])
        cols["status"].append(rng.choice(STATUSES))
        cols["plot_ratio"].append(round(rng.uniform(0.3, 2.5), 2))
        cols["plot_ratio_min"].append(low if industrial else None)
        cols["plot_ratio_max"].append(round(low + 1.5, 1) if industrial else None)
        cols["building_coefficient"].append(round(rng.uniform(25, 70), 1))
        cols["investment_intensity"].append(round(rng.uniform(50, 650), 1))
        cols["power_kva"].append(float(rng.choice([0, 630, 2500, 10000])))
        cols["water_t_per_day"].append(float(rng.choice([0, 100, 500, 2000])))
        cols["gas"].append(rng.choice(["yes", "no"]))
        cols["rail"].append(rng.choice(["yes", "no", "no", "no"]))
        cols["price"].append(float(rng.randrange(12, 40)))
    return geoms, cols


def write(path: Path, n: int, seed: int = 141023, layer: str = "parcels") -> Path:
    """Write ``n`` parcels to the GeoPackage ``path`` (replaced if it exists)."""
    geoms, cols = parcels(n, seed)
    path.unlink(missing_ok=True)
    frame = geopandas.GeoDataFrame(cols, geometry=geoms, crs="EPSG:4490")
    pyogrio.write_dataframe(frame, path, layer=layer, driver="GPKG", spatial_index=True)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=100_000, help="how many parcels")
    parser.add_argument("-o", "--output", type=Path, default=Path("bench/data/parcels.gpkg"))
    parser.add_argument("--seed", type=int, default=141023)
    args = parser.parse_args()
    args.output.parent.mkdir(parents=True, exist_ok=True)
    write(args.output, args.n, args.seed)
    print(f"{args.n} parcels written to {args.output}")


if __name__ == "__main__":
    main()
