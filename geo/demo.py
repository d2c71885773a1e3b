"""A synthetic but plausible demo county: parcels, factory buildings and key projects, seeded.

Parcels are laid out in Gauss–Krüger metres as blocks of a rotated street grid around the
industrial parks and the town seats, one parcel per block with a road margin, so no two
parcels overlap; every parcel lies inside the county outline. All names are invented.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass, field

from shapely import affinity
from shapely.geometry import LineString, Point, Polygon
from shapely.geometry.base import BaseGeometry
from shapely.ops import split
from shapely.prepared import prep
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.areas import M2_PER_MU, ellipsoidal_area_m2, m2_to_mu, mu_to_m2
from geo.audit import SYSTEM, record
from geo.county import County
from geo.crs import gk_epsg, reproject, to_storage
from geo.demo_ledger import UNITS, fill_ledger
from geo.demo_supply import fill_supply
from geo.fields import STAGES
from geo.geometry import as_multipolygon, from_db, to_db
from geo.models import Building, Parcel, Project
from geo.supply import TAKEN_BACK

DEFAULT_SEED = 141023

# (project name stem, GB/T 4754 division, priority-industry tag)
PROJECT_TYPES = [
    ("焦化升级改造项目", "25", "coking_steel"), ("焦炉煤气制LNG项目", "25", "coking_steel"),
    ("短流程炼钢项目", "31", "coking_steel"), ("精品钢材深加工项目", "31", "coking_steel"),
    ("高端铸锻件项目", "33", "equipment"), ("矿山机械制造项目", "35", "equipment"),
    ("农机装备制造项目", "35", "equipment"), ("风电装备制造项目", "38", "new_energy"),
    ("光伏组件项目", "38", "new_energy"), ("氢能综合利用项目", "26", "new_energy"),
    ("新型建材项目", "30", "new_materials"), ("碳纤维复合材料项目", "28", "new_materials"),
    ("特种耐火材料项目", "30", "new_materials"), ("农产品精深加工项目", "13", "food_medicine"),
    ("中药饮片加工项目", "27", "food_medicine"), ("酿酒扩能项目", "15", "food_medicine"),
    ("冷链物流园项目", "59", "logistics"), ("电商仓储物流中心项目", "59", "logistics"),
    ("遗址文化旅游项目", "88", "culture_tourism"), ("民俗文化园项目", "88", "culture_tourism"),
    ("固废综合利用项目", "42", "circular"), ("再生资源回收加工项目", "42", "circular"),
    ("新能源汽车零部件项目", "36", "nev"), ("电动重卡换电站项目", "36", "nev"),
    ("余热发电项目", "44", "energy_saving"), ("污水处理提标项目", "77", "energy_saving"),
    ("软件与数据服务中心项目", "65", "modern_services"),
    ("检验检测中心项目", "73", "modern_services"),
]
COMPANY_STEMS = ["晋南", "汾河", "尧都", "陶寺", "丁村", "襄陵", "塔儿山", "姑射", "汾城", "临汾",
                 "三晋", "华宇", "鑫源", "宏达", "恒信", "瑞丰", "兴旺", "金岭", "中晟", "益民"]
COMPANY_KINDS = ["实业", "钢铁", "焦化", "铸造", "建材", "新材料", "能源", "食品", "物流",
                 "机械", "化工", "农业开发", "科技"]
LEADERS = ["王建国", "李志强", "张海军", "刘红梅", "陈晓东", "杨永刚", "赵文斌", "孙丽华"]
# (current use in 三调, planned use in 用地用海 2023): current and planned are different facts,
# and matching reads the planned one (docs/domain.md "Land-use codes").
STOCK_USES = [("0601", "1001"), ("0601", "1001"), ("0601", "100101"), ("0601", "100102"),
              ("0508", "1101"), ("0508", "110101"), ("05H1", "0902"), ("05H1", "0901")]
IDLE_USES = [("0601", "1001"), ("0601", "1001"), ("0601", "100102"), ("0601", "100103"),
             ("0602", "1002")]
INDUSTRIAL = ("1001", "100101", "100102", "100103")
# Parcel sizes (亩) drawn log-uniformly: park land 10–300, town land 10–120 (10.5: the
# irregular corners take a little off); a road between blocks.
PARK_MU, TOWN_MU = (10.5, 300.0), (10.5, 120.0)
ROAD_M = 15.0


@dataclass
class Plot:
    """A parcel-shaped polygon (GK metres) and where it lies."""

    shape: BaseGeometry
    town: str | None = None
    park: str | None = None
    role: str = ""
    extra: dict = field(default_factory=dict)


def _cluster(rng: random.Random, centre: Point, cells: int, cell: float,
             sizes_mu: tuple[float, float]) -> list[Polygon]:
    """Return ``cells`` non-overlapping parcel polygons on a rotated grid around ``centre``.

    Each parcel's area is drawn log-uniformly from ``sizes_mu`` (亩: many small parcels, a
    few large ones, as a county's land comes), as far as its block (less a road) allows.
    """
    side = math.ceil(math.sqrt(cells * 1.4))
    angle = rng.uniform(-25, 25)
    low, high = (math.log(mu_to_m2(v)) for v in sizes_mu)
    plots = []
    for i in range(side):
        for j in range(side):
            if rng.random() < 0.25:  # gaps: roads, villages, fields
                continue
            x0 = centre.x + (i - side / 2) * cell
            y0 = centre.y + (j - side / 2) * cell
            margin = ROAD_M
            inner = cell - 2 * margin
            target, aspect = math.exp(rng.uniform(low, high)), rng.uniform(1.0, 1.8)
            w = min(inner, math.sqrt(target * aspect))
            h = min(inner, target / w)
            x, y = x0 + margin, y0 + margin
            # A slightly irregular quadrilateral inside the block, as surveyed parcels are.
            jit = [rng.uniform(0, 0.06) * min(w, h) for _ in range(4)]
            poly = Polygon([(x + jit[0], y), (x + w, y + jit[1]), (x + w - jit[2], y + h),
                            (x, y + h - jit[3])])
            plots.append(affinity.rotate(poly, angle, origin=centre))
    rng.shuffle(plots)
    return plots[:cells]


def layout(county: County, rng: random.Random, want: int) -> list[Plot]:
    """Return at least ``want`` non-overlapping plots inside the county, in GK metres."""
    epsg = gk_epsg(county.gk_central_meridian, with_zone_prefix=False)
    outline = prep(reproject(county.outline, 4490, epsg).buffer(-30))
    towns = [(t, reproject(t.geometry, 4490, epsg)) for t in county.towns]
    parks = [(p, reproject(p.geometry, 4490, epsg)) for p in county.parks]
    seeds: list[tuple[Point, int, float, tuple[float, float]]] = []
    for _park, geom in parks:
        # Park land comes in the sizes projects ask for (the ledger's ask 20–400 亩).
        seeds.append((geom.centroid, 100, 470.0, PARK_MU))
    for i, (town, _geom) in enumerate(towns):
        # Built-up land gathers around the town seat, in smaller pieces.
        centre = reproject(town.seat, 4490, epsg)
        seeds.append((centre, 45 if i == 0 else 28, rng.uniform(260, 340), TOWN_MU))
    plots: list[Plot] = []
    placed: list[BaseGeometry] = []
    for centre, cells, cell, sizes in seeds:
        for poly in _cluster(rng, centre, cells, cell, sizes):
            if not outline.contains(poly) or any(poly.intersects(p) for p in placed):
                continue
            c = poly.centroid
            town = next((t.name for t, g in towns if g.contains(c)), None)
            park = next((p.name for p, g in parks if g.contains(c)), None)
            placed.append(poly)
            plots.append(Plot(poly, town, park))
    if len(plots) < want:
        raise RuntimeError(f"demo layout made {len(plots)} parcels, wanted {want}")
    return plots


def _uses(pair: tuple[str, str]) -> dict[str, str]:
    return {"land_use": pair[0], "land_use_system": "sandiao", "planned_use": pair[1],
            "planned_use_system": "ydyh2023"}


def _company(rng: random.Random) -> str:
    return f"山西{rng.choice(COMPANY_STEMS)}{rng.choice(COMPANY_KINDS)}有限公司"


def _date(rng: random.Random, start: int, end: int) -> dt.date:
    first, last = dt.date(start, 1, 1), dt.date(end, 12, 31)
    return first + dt.timedelta(days=rng.randrange((last - first).days))


def _parcel(county: County, rng: random.Random, plot: Plot, layer: str, n: int,
            epsg: int) -> Parcel:
    geom = as_multipolygon(to_storage(plot.shape, epsg))
    holder = _company(rng)
    prefix = "XZ" if layer == "idle" else "CL"
    values = dict(
        code=f"{county.code}{prefix}{n:04d}", layer=layer, town=plot.town, park=plot.park,
        area_m2=ellipsoidal_area_m2(geom), ownership="state", holder=holder,
        # the registered area of a cadastral survey: planar, on the Gauss–Krüger plane, in 亩
        registered_area=round(plot.shape.area / M2_PER_MU, 2), registered_area_unit="mu",
        plot_ratio=round(rng.uniform(0.3, 1.0 if layer == "idle" else 2.5), 2),
        building_coefficient=round(rng.uniform(25, 70), 1),
        investment_intensity=round(rng.uniform(50, 650), 1),
        extra={"备注": "演示数据（虚构）"}, geom=to_db(geom),
    )
    if layer == "idle":
        since = _date(rng, 2014, 2024)
        status = rng.choices(["idle", "disposing", "disposed"], [5, 4, 2])[0]
        values.update(
            # Named by place, as a sheet for investors must not name the idle user.
            name=f"{plot.park or plot.town or county.name}闲置地块{n}",
            **_uses(rng.choice(IDLE_USES)),
            status=status, idle_cause=rng.choices(["user", "government"], [3, 2])[0],
            idle_since=since,
            # A finished disposal mostly took the land back; one under way may go either way.
            disposal=None if status == "idle" else rng.choice(
                ["recover", "paid_recovery", "swap", "recover", "fee", "extend"]
                if status == "disposed" else
                ["fee", "recover", "extend", "change_use", "paid_recovery", "swap"]),
            disposal_deadline=since + dt.timedelta(days=rng.choice([365, 730])),
        )
        if status == "disposed" and values["disposal"] in TAKEN_BACK:
            # Taken back and entered into the county's reserve: land to offer (geo/supply.py).
            values["status"] = "available"
    else:
        ownership = "collective" if plot.park is None and rng.random() < 0.2 else "state"
        values.update(
            name=f"{plot.park or plot.town or county.name}{rng.choice('东西南北')}侧存量地块{n}",
            **_uses(rng.choice(STOCK_USES)), ownership=ownership,
            status=rng.choices(["available", "underused", "reserved", "supplied"],
                               [5, 3, 1, 1])[0],
        )
    if values["planned_use"] in INDUSTRIAL:
        low = rng.choice([0.8, 1.0, 1.2])
        values.update(plot_ratio_min=low, plot_ratio_max=round(low + rng.choice([1.0, 1.5]), 1))
    parcel = Parcel(**values)
    _utilities(parcel)
    if layer == "idle" and rng.random() < 0.35:
        for _ in range(rng.randint(1, 3)):
            parcel.buildings.append(Building(
                floor_area_m2=float(rng.randrange(1000, 12000, 100)),
                storeys=rng.choice([1, 1, 1, 2, 3]), span_m=float(rng.choice([18, 24, 30, 36])),
                clear_height_m=float(rng.choice([6, 8, 9, 10, 12, 14])),
                crane_t=float(rng.choice([0, 0, 5, 10, 16, 20, 32])), idle="yes",
            ))
    return parcel


def _utilities(parcel: Parcel) -> None:
    """Give a parcel utilities, a price and sometimes 标准地 indicators.

    Drawn from a generator of its own, seeded by the parcel's code, so the rest of the demo
    stays what it was before these fields existed.
    """
    rng = random.Random(f"utilities-{parcel.code}")
    in_park = parcel.park is not None
    parcel.power_kva = float(rng.choice([630, 1250, 2500, 5000, 10000] if in_park
                                        else [0, 315, 630, 1250, 2500]))
    parcel.water_t_per_day = float(rng.choice([100, 300, 500, 1000, 2000] if in_park
                                              else [0, 50, 100, 300]))
    parcel.gas = "yes" if rng.random() < (0.8 if in_park else 0.3) else "no"
    parcel.rail = "yes" if in_park and rng.random() < 0.25 else "no"
    parcel.price = float(rng.randrange(12, 40))
    if in_park and parcel.layer == "stock" and rng.random() < 0.2:
        parcel.std_investment_intensity = float(rng.choice([250, 300, 350]))
        parcel.std_plot_ratio_min = rng.choice([1.0, 1.2])
        parcel.std_building_coefficient = 40.0


def _split_pairs(county: County, parcels: list[Parcel], how_many: int = 8) -> list[Parcel]:
    """Cut a few parcels of 30–100 亩 in two across their long side; return the new halves.

    Each keeps its code on one half and gives the other half a new code, so the two share
    an edge: matching offers such pairs when a project needs more than either half.
    """
    made: list[Parcel] = []
    number = len(parcels)
    for parcel in parcels:
        if len(made) == how_many:
            break
        if (parcel.status != "available" or parcel.planned_use not in
                ("1001", "100101", "100102") or not 30 <= m2_to_mu(parcel.area_m2) <= 100):
            continue
        polygon = from_db(parcel.geom).geoms[0]
        corners = list(polygon.minimum_rotated_rectangle.exterior.coords)
        sides = [(corners[i], corners[i + 1]) for i in range(2)]
        (x0, y0), (x1, y1) = max(sides, key=lambda s: math.dist(*s))
        c = polygon.centroid
        # A line through the centre, square to the long side, well past both ends.
        dx, dy = (y0 - y1) * 2, (x1 - x0) * 2
        halves = split(polygon, LineString([(c.x - dx, c.y - dy), (c.x + dx, c.y + dy)])).geoms
        if len(halves) != 2:
            continue
        number += 1
        twin = Parcel(**{k: getattr(parcel, k) for k in (
            "layer", "town", "park", "ownership", "holder", "land_use", "land_use_system",
            "planned_use", "planned_use_system", "status", "plot_ratio",
            "plot_ratio_min", "plot_ratio_max", "building_coefficient", "investment_intensity")})
        twin.code = f"{county.code}CL{number:04d}"
        twin.name = f"{parcel.name}（二）"
        twin.extra = dict(parcel.extra)
        for target, half in ((parcel, halves[0]), (twin, halves[1])):
            geom = as_multipolygon(half)
            target.geom, target.area_m2 = to_db(geom), ellipsoidal_area_m2(geom)
            # a split is not yet surveyed: no registered area until it is
            target.registered_area = target.registered_area_unit = None
        _utilities(twin)
        made.append(twin)
    return made


def _projects(county: County, rng: random.Random, sites: list[Plot], stock: list[Parcel],
              epsg: int, count: int) -> list[Project]:
    stages = [s.value for s in STAGES]
    towns = [t.name for t in county.towns] or [county.name]
    supplied = [p for p in stock if p.status == "supplied"]
    projects = []
    for n in range(1, count + 1):
        stem, industry, chain = PROJECT_TYPES[(n - 1) % len(PROJECT_TYPES)]
        stage = stages[(n - 1) % len(stages)]
        invest = round(math.exp(rng.uniform(math.log(2000), math.log(300000))), -1)
        project = Project(
            code=f"{county.code}XM{n:03d}", name=f"{_company(rng)[2:-4]}{stem}",
            industry=industry, chain=chain, stage=stage, total_investment=invest,
            land_demand_mu=float(rng.randrange(20, 400, 5)), leader=rng.choice(LEADERS),
            lead_unit=rng.choice(UNITS), town=rng.choice(towns), extra={},
        )
        if stages.index(stage) >= stages.index("landed"):
            if supplied and rng.random() < 0.35:
                parcel = supplied.pop()
                project.parcel, project.site, project.town = parcel, parcel.geom, parcel.town
            elif sites:
                plot = sites.pop()
                project.site = to_db(as_multipolygon(to_storage(plot.shape, epsg)))
                project.town = plot.town or project.town
        projects.append(project)
    return projects


def load_demo(session: Session, county: County, seed: int = DEFAULT_SEED, stock: int = 330,
              idle: int = 72, projects: int = 78, today: dt.date | None = None) -> dict[str, int]:
    """Fill an empty register with the seeded demo county; return the counts written.

    The same seed always gives the same register (and, on the same day, the same ledger).
    """
    rng = random.Random(seed)
    epsg = gk_epsg(county.gk_central_meridian, with_zone_prefix=False)
    n_sites = projects // 2
    plots = layout(county, rng, stock + idle + n_sites)
    # Idle land sits mostly in the parks, where old factories stand; the parks keep half of
    # their plots for stock land, so park land is on offer too.
    rng.shuffle(plots)
    in_park = [p for p in plots if p.park is not None]
    elsewhere = [p for p in plots if p.park is None]
    k = min(idle * 2 // 3, len(in_park) // 2)
    idle_plots = in_park[:k] + elsewhere[:idle - k]
    rest = in_park[k:] + elsewhere[idle - k:]
    rng.shuffle(rest)
    stock_plots, site_plots = rest[:stock], rest[stock:stock + n_sites]
    idle_parcels = [_parcel(county, rng, p, "idle", i + 1, epsg) for i, p in enumerate(idle_plots)]
    stock_parcels = [_parcel(county, rng, p, "stock", i + 1, epsg)
                     for i, p in enumerate(stock_plots)]
    stock_parcels += _split_pairs(county, stock_parcels)
    made_projects = _projects(county, rng, site_plots, stock_parcels, epsg, projects)
    # Everything is built in memory and written in one flush, so every demo record is at
    # version 1, as a record that nobody has edited yet should be.
    fill_ledger(idle_parcels + stock_parcels, made_projects, seed, today or dt.date.today())
    fill_supply(idle_parcels + stock_parcels, made_projects)
    session.add_all(idle_parcels + stock_parcels + made_projects)
    session.flush()
    made = counts(session)
    record(session, user=SYSTEM, action="import", entity="register", code="demo",
           note=f"synthetic demo county, seed {seed}: {made}")
    session.commit()
    return made


def counts(session: Session) -> dict[str, int]:
    """Return how many idle and stock parcels, projects and sites the register holds."""
    by_layer = dict(
        session.execute(select(Parcel.layer, func.count()).group_by(Parcel.layer)).all()
    )
    return {
        "idle": by_layer.get("idle", 0), "stock": by_layer.get("stock", 0),
        "projects": session.scalar(select(func.count()).select_from(Project)) or 0,
        "sites": session.scalar(select(func.count()).where(Project.site.is_not(None))) or 0,
    }
