"""A new project's needs as one validated structure, read through the data dictionary."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from geo.errors import N_, FieldError
from geo.fields import NEEDS_FIELDS, clean_record
from geo.indicators import POLLUTANTS
from geo.reference import industry_codes

PARCEL_LAYERS = ("idle", "stock")


class UnknownPlace(FieldError):
    """A town or park the county does not have: the request is understood but cannot be met."""

    status = 422
    code = "unknown_place"


@dataclass(frozen=True)
class Needs:
    """What a project needs from a parcel; every field is named as in ``NEEDS_FIELDS``."""

    industry: str
    land_class: str
    total_investment: float
    chain: str | None = None
    area_min_mu: float | None = None
    area_max_mu: float | None = None
    factory_floor_area_m2: float | None = None
    factory_clear_height_m: float | None = None
    factory_crane_t: float | None = None
    floor_area_m2: float | None = None
    plot_ratio: float | None = None
    building_coefficient: float | None = None
    office_share: float | None = None
    green_ratio: float | None = None
    emissions: dict[str, float] = field(default_factory=dict)
    power_kva: float | None = None
    water_t_per_day: float | None = None
    gas: bool = False
    rail: bool = False
    towns: tuple[str, ...] = ()
    parks: tuple[str, ...] = ()
    lon: float | None = None
    lat: float | None = None
    max_distance_km: float | None = None
    layers: tuple[str, ...] = PARCEL_LAYERS
    on: dt.date | None = None  # the control indicators in force on this date (None: today)

    @property
    def wants_factory(self) -> bool:
        """Return True when the project wants a factory building rather than bare land."""
        return self.factory_floor_area_m2 is not None

    @property
    def point(self) -> tuple[float, float] | None:
        """Return (lon, lat) of the project's preferred location, if given."""
        return None if self.lon is None or self.lat is None else (self.lon, self.lat)

    def as_json(self) -> dict:
        """Return the needs as plain JSON values, named as in the dictionary (echoed back)."""
        data = asdict(self)
        emissions = data.pop("emissions")
        data.update({f"emission_{p}": emissions.get(p) for p in POLLUTANTS})
        data["gas"] = "yes" if self.gas else None
        data["rail"] = "yes" if self.rail else None
        for key in ("towns", "parks", "layers"):
            data[key] = list(data[key])
        data["on"] = self.on.isoformat() if self.on else None
        return data


def _split(raw: object) -> tuple[str, ...]:
    if raw is None:
        return ()
    items = raw if isinstance(raw, list | tuple) else str(raw).replace("，", ",").split(",")
    return tuple(s for s in (str(i).strip() for i in items) if s)


def industry_code(raw: str) -> str:
    """Return the GB/T 4754 code in ``raw``: a code, "code name" as the form's list offers
    it, or a division's name in Chinese or English (else ``raw``, for the check to refuse).

    >>> industry_code("35 专用设备制造业"), industry_code("专用设备制造业"), industry_code("3311")
    ('35', '35', '3311')
    """
    text = raw.strip()
    head = text.split()[0] if text else text
    if head.isdigit():
        return head
    for code in industry_codes().values():
        if text in (code.zh, code.en):
            return code.code
    return text


def parse_needs(raw: Mapping[str, object]) -> Needs:
    """Return ``raw`` (form or JSON values) as validated Needs; raise FieldError naming the field.

    Either a land area (``area_min_mu``) or a factory (``factory_floor_area_m2``) is needed.

    >>> parse_needs({"industry": "3311", "land_class": "industrial2", "area_min_mu": "30",
    ...              "area_max_mu": 60, "total_investment": 9000}).area_max_mu
    60.0
    """
    lists = {k: raw.get(k) for k in ("towns", "parks", "layers")}
    flat = {k: v for k, v in raw.items() if k not in lists}
    if isinstance(flat.get("industry"), str):
        flat["industry"] = industry_code(flat["industry"])
    values = clean_record(NEEDS_FIELDS, {**flat, "towns": None, "parks": None, "layers": None})
    industry = str(values["industry"])
    if industry[:2] not in industry_codes() or not industry.isdigit():
        raise FieldError("industry", N_("%(field)s: unknown GB/T 4754 code %(value)s."),
                         value=industry)
    if values["area_min_mu"] is None and values["factory_floor_area_m2"] is None:
        raise FieldError("area_min_mu", N_("%(field)s is required (or a factory floor area)."))
    low, high = values["area_min_mu"], values["area_max_mu"]
    if low is not None and high is not None and high < low:
        raise FieldError("area_max_mu", N_("%(field)s must not be below the minimum."))
    if (values["lon"] is None) != (values["lat"] is None):
        raise FieldError("lat" if values["lat"] is None else "lon",
                         N_("%(field)s is required with the other coordinate."))
    if values["max_distance_km"] is not None and values["lon"] is None:
        raise FieldError("lon", N_("%(field)s is required with a maximum distance."))
    layers_field = next(f for f in NEEDS_FIELDS if f.name == "layers")
    layers = tuple(str(layers_field.clean(v)) for v in _split(lists["layers"])) or PARCEL_LAYERS
    emissions = {p: float(v) for p in POLLUTANTS
                 if (v := values.pop(f"emission_{p}")) is not None and v > 0}
    values.update(
        industry=industry, emissions=emissions, gas=values["gas"] == "yes",
        rail=values["rail"] == "yes", towns=_split(lists["towns"]),
        parks=_split(lists["parks"]), layers=layers,
    )
    return Needs(**values)


def known_places(needs: Needs, county) -> Needs:
    """Return ``needs`` when its towns and parks are the county's own (``county``: anything
    with ``towns`` and ``parks``, such as geo.boundaries.places); else raise FieldError.

    A misspelt name would otherwise select no parcel and look like "no land".
    """
    for key, names in (("towns", {t.name for t in county.towns}),
                       ("parks", {p.name for p in county.parks})):
        unknown = [v for v in getattr(needs, key) if v not in names]
        if unknown:
            raise UnknownPlace(key, N_("%(field)s: %(value)s is not a name of this county; "
                                       "choose one from the list."), value="、".join(unknown))
    return needs
