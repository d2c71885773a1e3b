"""The county as configuration: its code, outline, towns, parks and Gauss–Krüger zone."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_COUNTY = "141023"  # Xiangfen, Linfen, Shanxi


@dataclass(frozen=True)
class Place:
    """A town, township or industrial park: code, names, outline and seat (EPSG:4490)."""

    code: str
    name: str
    name_en: str
    geometry: BaseGeometry
    seat: Point


@dataclass(frozen=True)
class County:
    """A county's settings and geography, read from ``data/county/<code>/``."""

    code: str
    name: str
    name_en: str
    settings: dict
    outline: BaseGeometry
    towns: tuple[Place, ...]
    parks: tuple[Place, ...]
    folder: Path

    @property
    def gk_central_meridian(self) -> int:
        """Return the central meridian of the county's 3° Gauss–Krüger zone."""
        return int(self.settings["gk_central_meridian"])

    def geojson(self, name: str) -> dict:
        """Return one of the county's GeoJSON files ("county", "towns", "parks") as a dict."""
        return json.loads((self.folder / f"{name}.geojson").read_text(encoding="utf-8"))


def _places(path: Path) -> tuple[Place, ...]:
    if not path.exists():
        return ()
    data = json.loads(path.read_text(encoding="utf-8"))
    places = []
    for f in data["features"]:
        props, geometry = f["properties"], shape(f["geometry"])
        seat = Point(props["seat"]) if "seat" in props else geometry.representative_point()
        places.append(Place(str(props["code"]), props["name"],
                            props.get("name_en", props["name"]), geometry, seat))
    return tuple(places)


@cache
def load_county(code: str = DEFAULT_COUNTY, data_dir: Path = DATA_DIR) -> County:
    """Return the county stored under ``data_dir/county/code``.

    >>> load_county().name
    '襄汾县'
    """
    folder = Path(data_dir) / "county" / code
    settings = json.loads((folder / "county.json").read_text(encoding="utf-8"))
    outline = json.loads((folder / "county.geojson").read_text(encoding="utf-8"))
    feature = outline["features"][0] if outline.get("type") == "FeatureCollection" else outline
    return County(
        code=settings["code"], name=settings["name"], name_en=settings["name_en"],
        settings=settings, outline=shape(feature["geometry"]),
        towns=_places(folder / "towns.geojson"), parks=_places(folder / "parks.geojson"),
        folder=folder,
    )
