"""What the register knows about a parcel being saved: the town and park its shape lies in,
the land-use code list, and the other live parcels its shape overlaps."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping

import shapely
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.areas import M2_PER_MU, ellipsoidal_area_m2
from geo.errors import N_, FieldError, GeoError
from geo.geometry import from_db
from geo.models import Parcel
from geo.places import PARCEL_FIELD, Places
from geo.reference import LAND_USE_FIELDS, any_land_use_code
from geo.register import backend_for

# Digitised neighbours miss or cross each other by centimetres: an overlap under one square
# metre is a drawing tolerance, not two parcels claiming the same land.
OVERLAP_MIN_M2 = 1.0


class Overlap(GeoError):
    """The shape overlaps other live parcels: refused unless the user confirms it."""

    status = 409
    code = "overlap"

    def __init__(self, found: list[tuple[str, float]]) -> None:
        super().__init__(
            N_("The shape overlaps parcel %(codes)s (%(mu)s mu in common). Check the shape, "
               "or confirm the overlap to save it anyway."), field="geometry",
            codes="、".join(code for code, _m2 in found),
            mu=f"{sum(m2 for _c, m2 in found) / M2_PER_MU:.2f}")
        self.overlaps = [{"code": code, "area_m2": round(m2, 1)} for code, m2 in found]


def overlapping(session: Session, geom: BaseGeometry,
                exclude: int | None = None) -> list[tuple[str, float]]:
    """Return (code, m² in common) of each live parcel ``geom`` overlaps, largest first.

    Binned parcels are left out by the bin hook (geo/register/bin.py); touching neighbours
    share a boundary, not land, and are not overlaps.
    """
    stmt = select(Parcel.id, Parcel.code, Parcel.geom).where(
        backend_for(session).bbox_filter(Parcel.geom, Parcel.id, geom.bounds))
    found = []
    shapely.prepare(geom)
    for pid, code, other in session.execute(stmt):
        if pid == exclude:
            continue
        shape = from_db(other)
        if not shapely.intersects(geom, shape):
            continue
        common = shapely.intersection(geom, shape)
        m2 = ellipsoidal_area_m2(common) if not common.is_empty else 0.0
        if m2 >= OVERLAP_MIN_M2:
            found.append((code, m2))
    return sorted(found, key=lambda f: -f[1])


def refuse_overlap(session: Session, geom: BaseGeometry, exclude: int | None,
                   confirmed: bool) -> None:
    """Raise Overlap (409) when ``geom`` overlaps another live parcel and it is not confirmed."""
    if confirmed:
        return
    found = overlapping(session, geom, exclude)
    if found:
        raise Overlap(found)


def check_land_use(values: Mapping[str, object]) -> None:
    """Refuse a current or planned land-use code that is in none of the code systems
    (data/landuse/).

    Whether it is a code of the parcel's own system is a record rule (geo/record_rules.py).
    """
    for name in LAND_USE_FIELDS:
        value = values.get(name)
        if value and str(value) not in any_land_use_code():
            raise FieldError(name, N_("%(field)s %(value)s is not in the land-use code list."),
                             value=value)


def set_places(places: Places, geom: BaseGeometry, values: MutableMapping[str, object],
               stored: Mapping[str, object] | None, reshaped: bool) -> None:
    """Fill ``values``' town and park from the shape where the user left them to it.

    A place is derived when it is empty, or when the shape changed and the place sent is the
    one stored before (the user did not choose it). One the user chose is kept if it exists
    (a warning says when the shape lies elsewhere: ``place_warnings``); one that does not
    exist is refused, naming the places that do (unless it is the one already stored: a
    place of earlier boundaries does not block other changes).
    """
    for kind, name in PARCEL_FIELD.items():
        if name not in values and not reshaped:
            continue  # a change that names neither the place nor a new shape leaves it be
        sent = values.get(name)
        if sent in (None, "") or (reshaped and stored is not None and sent == stored.get(name)):
            values[name] = places.locate(geom, kind)
        else:
            check_place(places, kind, name, sent, (stored or {}).get(name))


def check_place(places: Places, kind: str, name: str, value: object,
                stored: object = None) -> None:
    """Refuse a place (``name`` is its field) that is not among ``places`` of ``kind``.

    The value already stored is let through: a place of earlier boundaries does not block
    other changes.
    """
    if value not in (None, "") and value != stored and value not in places.names(kind):
        raise FieldError(name, N_("%(field)s %(value)s does not exist; choose one of: "
                                  "%(choices)s."), value=value,
                         choices="、".join(places.names(kind)))


def place_warnings(places: Places, parcel: Parcel) -> list[tuple[str, dict]]:
    """Return a warning (msgid, params) for each place of ``parcel`` its shape does not lie in."""
    geom = from_db(parcel.geom)
    warnings = []
    for kind, name in PARCEL_FIELD.items():
        derived, stored = places.locate(geom, kind), getattr(parcel, name)
        if stored != derived:
            warnings.append((N_("%(field)s is %(value)s, but the parcel's shape lies in "
                                "%(derived)s."),
                             {"field": name, "value": stored or "—", "derived": derived or "—"}))
    return warnings
