"""Coordinate systems: storage in CGCS2000 lon/lat, Gauss–Krüger zones, and reprojection.

Every geometry enters and leaves the register through this module, so the CRS is explicit
at each border (as geopandas reprojects before handing data on; pygeoapi keeps CRS
logic in one crs.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from functools import cache

import shapely
from pyproj import CRS, Transformer
from shapely.geometry import box
from shapely.geometry.base import BaseGeometry

from geo.errors import N_, GeoError

STORAGE_SRID = 4490  # CGCS2000 geographic; at web-map scale the same as WGS84


def gk_epsg(central_meridian: int, with_zone_prefix: bool) -> int:
    """Return the EPSG code of a CGCS2000 3° Gauss–Krüger zone.

    With the zone number in the easting (e.g. 37 512 345 m) the codes are 4513–4533
    (zones 25–45); without it, 4534–4554 (central meridians 75°E–135°E).

    >>> gk_epsg(111, True), gk_epsg(111, False)
    (4525, 4546)
    """
    if central_meridian % 3 or not 75 <= central_meridian <= 135:
        raise ValueError(f"no CGCS2000 3° zone has central meridian {central_meridian}")
    zone = central_meridian // 3
    return 4513 + zone - 25 if with_zone_prefix else 4534 + (central_meridian - 75) // 3


@cache
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(CRS.from_epsg(src), CRS.from_epsg(dst), always_xy=True)


def reproject(geometry: BaseGeometry, src_epsg: int, dst_epsg: int) -> BaseGeometry:
    """Return ``geometry`` moved from one EPSG CRS to another (x = easting/longitude)."""
    if src_epsg == dst_epsg:
        return geometry
    return shapely.transform(geometry, _transformer(src_epsg, dst_epsg).transform,
                             interleaved=False)


def to_storage(geometry: BaseGeometry, src_epsg: int) -> BaseGeometry:
    """Return ``geometry`` in the storage CRS (EPSG:4490)."""
    return reproject(geometry, src_epsg, STORAGE_SRID)


# --- finding the CRS of a file that enters the register ----------------------------------------

GCJ02 = "GCJ-02"
# China and its seas, generously: a CRS that puts the data outside is the wrong one.
_CHINA = (70.0, 0.0, 140.0, 56.0)


@dataclass(frozen=True)
class CrsChoice:
    """The CRS a file's coordinates are read in, how it was found, and what to tell the user.

    ``note`` is an English msgid with ``%(name)s`` placeholders filled from ``params``.
    """

    crs: CRS
    how: str  # "option" | "file" | "detected"
    note: str
    params: dict = dc_field(default_factory=dict)
    gcj02: bool = False

    @property
    def label(self) -> str:
        """Return "EPSG:n" (or the CRS name when it has no EPSG code)."""
        code = self.crs.to_epsg(min_confidence=70)
        return f"EPSG:{code}" if code else self.crs.name


def parse_crs(text: str) -> tuple[CRS, bool]:
    """Return the CRS named by ``text`` ("EPSG:4525", "4525", "GCJ-02") and whether it is GCJ-02.

    >>> parse_crs("EPSG:4546")[0].name
    'CGCS2000 / 3-degree Gauss-Kruger CM 111E'
    """
    value = text.strip()
    if value.upper().replace("-", "").replace("_", "") == "GCJ02":
        return CRS.from_epsg(4326), True
    try:
        return CRS.from_user_input(int(value) if value.isdigit() else value), False
    except Exception:  # pyproj raises CRSError, and others for odd input
        raise GeoError(N_("%(field)s %(value)s is not a coordinate system; write it like "
                          "EPSG:4546, or GCJ-02."), field="crs", value=value) from None


def older_datum_codes(central_meridian: int, with_zone_prefix: bool) -> tuple[int, int]:
    """Return the EPSG codes of Xian 1980 and Beijing 1954 for the same 3° zone.

    >>> older_datum_codes(111, True), older_datum_codes(111, False)
    ((2361, 2413), (2382, 2434))
    """
    zone, k = central_meridian // 3, (central_meridian - 75) // 3
    if with_zone_prefix:
        return 2349 + zone - 25, 2401 + zone - 25
    return 2370 + k, 2422 + k


def _likely(cm: int | None) -> str:
    codes: list[str] = []
    for meridian in (cm, cm - 3, cm + 3) if cm else (111,):
        if 75 <= meridian <= 135:
            codes += [f"EPSG:{gk_epsg(meridian, False)}", f"EPSG:{gk_epsg(meridian, True)}"]
    if cm:
        codes += [f"EPSG:{c}" for c in older_datum_codes(cm, False)]
    return ", ".join(codes + ["EPSG:4490"])


def _refuse(message: str, meridian: int | None, **params: object) -> GeoError:
    return GeoError(message, field="crs", choices=_likely(meridian), **params)


def detect_crs(bounds: tuple[float, float, float, float], file_crs: CRS | None = None,
               requested: str | None = None, central_meridian: int | None = None,
               region: BaseGeometry | None = None) -> CrsChoice:
    """Return the CRS of coordinates within ``bounds``: asked for, declared, or detected.

    Without a declared CRS, lon/lat is taken as CGCS2000; metres as CGCS2000 Gauss–Krüger,
    the zone from the easting's prefix or else from the county's ``central_meridian``.
    Anything else, or a result that misses ``region`` (the county), is refused with the
    likely EPSG codes.

    >>> detect_crs((37_512_000, 3_970_000, 37_513_000, 3_971_000)).label
    'EPSG:4525'
    >>> detect_crs((512_000, 3_970_000, 513_000, 3_971_000), central_meridian=111).label
    'EPSG:4546'
    """
    if requested:
        crs, gcj = parse_crs(requested)
        choice = CrsChoice(crs, "option", N_("Coordinate system as given: %(crs)s."),
                           {"crs": requested.strip()}, gcj)
    elif file_crs is not None:
        choice = CrsChoice(file_crs, "file", N_("Coordinate system from the file: %(crs)s."))
        choice = CrsChoice(file_crs, "file", choice.note, {"crs": choice.label})
    else:
        choice = _from_magnitude(bounds, central_meridian, region)
    _check_fits(choice, bounds, central_meridian)
    return choice


def _from_magnitude(bounds, cm: int | None, region: BaseGeometry | None) -> CrsChoice:
    minx, miny, maxx, maxy = bounds
    if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
        return CrsChoice(CRS.from_epsg(STORAGE_SRID), "detected", N_(
            "The file has no coordinate system; its coordinates are longitude/latitude, read "
            "as CGCS2000 (EPSG:4490). Data from AMap or Tencent maps is GCJ-02: import it with "
            "--crs GCJ-02."))
    if 1e7 <= miny and maxy < 1e8 and 0 < minx and maxx < 1e7:
        raise _refuse(N_("The coordinates look like Gauss–Krüger with x and y swapped (x is "
                         "the northing); swap the columns or give the CRS with --crs, one of "
                         "%(choices)s."), cm)
    if 1e7 <= minx and maxx < 1e8 and 0 < miny and maxy < 1e7:
        zone, last = int(minx // 1e6), int(maxx // 1e6)
        if zone != last:
            raise _refuse(N_("The eastings carry different zone numbers (%(first)s to "
                             "%(last)s); give the CRS with --crs, one of %(choices)s."),
                          cm, first=zone, last=last)
        if 25 <= zone <= 45:
            epsg, meridian = 4513 + zone - 25, zone * 3
        elif 13 <= zone <= 23:
            epsg, meridian = 4491 + zone - 13, zone * 6 - 3
        else:
            raise _refuse(N_("The eastings start with %(zone)s, which is no Gauss–Krüger zone "
                             "of China; give the CRS with --crs, one of %(choices)s."),
                          cm, zone=zone)
        xian, beijing = older_datum_codes(meridian, True) if zone >= 25 else (None, None)
        return CrsChoice(CRS.from_epsg(epsg), "detected", N_(
            "The file has no coordinate system; the eastings carry zone number %(zone)s, so "
            "CGCS2000 Gauss–Krüger zone %(zone)s (EPSG:%(epsg)s) was assumed. Data on Xian 1980 "
            "or Beijing 1954 needs --crs EPSG:%(xian)s or EPSG:%(beijing)s."),
            {"zone": zone, "epsg": epsg, "xian": xian, "beijing": beijing})
    if 0 < minx and maxx < 1e6 and 0 < miny and maxy < 1e7:
        if cm is None:
            raise _refuse(N_("The eastings carry no zone number and no county central meridian "
                             "is set; give the CRS with --crs, one of %(choices)s."), cm)
        epsg = gk_epsg(cm, False)
        xian, beijing = older_datum_codes(cm, False)
        choice = CrsChoice(CRS.from_epsg(epsg), "detected", N_(
            "The file has no coordinate system; the eastings carry no zone number, so CGCS2000 "
            "Gauss–Krüger with the county's central meridian %(cm)s°E (EPSG:%(epsg)s) was "
            "assumed. Data on Xian 1980 or Beijing 1954 needs --crs EPSG:%(xian)s or "
            "EPSG:%(beijing)s."), {"cm": cm, "epsg": epsg, "xian": xian, "beijing": beijing})
        if region is not None and not _lonlat_box(choice.crs, bounds).intersects(
                region.buffer(0.5)):
            raise _refuse(N_("The eastings carry no zone number and, read with the county's "
                             "central meridian %(cm)s°E, the data falls far outside the "
                             "county; give the CRS with --crs, one of %(choices)s."), cm, cm=cm)
        return choice
    raise _refuse(N_("The coordinates (x %(x)s, y %(y)s) are neither longitude/latitude nor "
                     "Gauss–Krüger metres; give the CRS with --crs, one of %(choices)s."),
                  cm, x=f"{minx:.0f}", y=f"{miny:.0f}")


def _lonlat_box(crs: CRS, bounds) -> BaseGeometry:
    transformer = Transformer.from_crs(crs, CRS.from_epsg(STORAGE_SRID), always_xy=True)
    minx, miny, maxx, maxy = transformer.transform_bounds(*bounds)
    return box(minx, miny, maxx, maxy)


def _check_fits(choice: CrsChoice, bounds, cm: int | None) -> None:
    try:
        lonlat = _lonlat_box(choice.crs, bounds)
        fits = lonlat.is_valid and box(*_CHINA).contains(lonlat)
    except Exception:  # pyproj fails on coordinates far outside the projection's area
        fits = False
    if not fits:
        raise _refuse(N_("The coordinates do not fit %(crs)s: they fall outside China. Give "
                         "the right coordinate system with --crs, one of %(choices)s."),
                      cm, crs=choice.label)


def transformer_to_storage(crs: CRS) -> Transformer:
    """Return a transformer from ``crs`` to the storage CRS (x = easting/longitude)."""
    return Transformer.from_crs(crs, CRS.from_epsg(STORAGE_SRID), always_xy=True)


def geometry_to_storage(geometry: BaseGeometry, transformer: Transformer) -> BaseGeometry:
    """Return ``geometry`` moved by ``transformer``."""
    return shapely.transform(geometry, transformer.transform, interleaved=False)
