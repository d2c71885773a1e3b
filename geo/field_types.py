"""What a field is: its labels, unit, type and validation; how records are checked and how
imported column names find their field. The fields themselves are in geo/fields.py."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from geo.errors import N_, FieldError

# Units as the bureau writes them: (zh, en).
UNITS: dict[str, tuple[str, str]] = {
    "m2": ("平方米", "m²"),
    "mu": ("亩", "mu"),
    "ha": ("公顷", "ha"),
    "percent": ("%", "%"),
    "wan_yuan": ("万元", "10k CNY"),
    "wan_yuan_per_mu": ("万元/亩", "10k CNY/mu"),
    "m": ("米", "m"),
    "t": ("吨", "t"),
    "t_per_year": ("吨/年", "t/yr"),
    "t_per_day": ("吨/日", "t/day"),
    "kva": ("千伏安", "kVA"),
    "km": ("公里", "km"),
}


@dataclass(frozen=True)
class Choice:
    """One allowed value of a choice field, with its labels."""

    value: str
    zh: str
    en: str


@dataclass(frozen=True)
class Field:
    """One attribute: its name, labels, unit, type, validation and import aliases."""

    name: str
    zh: str
    en: str
    kind: str  # text | number | integer | date | choice | json
    unit: str | None = None
    required: bool = False
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    choices: tuple[Choice, ...] = ()
    aliases: tuple[str, ...] = ()
    layers: frozenset[str] = frozenset({"idle", "stock"})
    computed: bool = False  # derived from other data, never typed in
    # Layers on which the field is about the current user's default (令53): kept off the
    # sheet an investor gets, shown on the staff's internal one.
    internal_on: frozenset[str] = frozenset()

    @property
    def dbf_name(self) -> str:
        """Return the short column name for a Shapefile (≤ 10 ASCII bytes): the DBF alias."""
        for alias in self.aliases:
            if alias.isascii() and alias.isupper() and len(alias) <= 10:
                return alias
        return self.name[:10].upper()

    def label(self, lang: str = "zh") -> str:
        """Return the label in ``lang`` ("zh" or "en")."""
        return self.en if lang == "en" else self.zh

    def heading(self, lang: str = "zh") -> str:
        """Return the label with its unit, as a column or form label: 投资强度（万元/亩）."""
        if not self.unit:
            return self.label(lang)
        unit = self.unit_label(lang)
        return f"{self.en} ({unit})" if lang == "en" else f"{self.zh}（{unit}）"

    def unit_label(self, lang: str = "zh") -> str:
        """Return the unit as shown to a user, or an empty string."""
        if not self.unit:
            return ""
        zh, en = UNITS[self.unit]
        return en if lang == "en" else zh

    def choice_label(self, value: str | None, lang: str = "zh") -> str | None:
        """Return the label of a choice value (the value itself when unknown)."""
        for choice in self.choices:
            if choice.value == value:
                return choice.en if lang == "en" else choice.zh
        return value

    def clean(self, raw: object) -> object:
        """Return ``raw`` converted to this field's type, or raise FieldError."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if self.required:
                raise FieldError(self.name, N_("%(field)s is required."))
            return None
        if self.kind == "text":
            value = str(raw).strip()
            if self.max_length and len(value) > self.max_length:
                raise FieldError(
                    self.name,
                    N_("%(field)s is longer than %(max)s characters."),
                    max=self.max_length,
                )
            return value
        if self.kind in ("number", "integer"):
            return self._clean_number(raw)
        if self.kind == "date":
            return _clean_date(self, raw)
        if self.kind == "choice":
            value = str(raw).strip()
            for choice in self.choices:
                if value in (choice.value, choice.zh, choice.en):
                    return choice.value
            raise FieldError(
                self.name,
                N_("%(field)s must be one of: %(choices)s."),
                choices="、".join(c.zh for c in self.choices),
            )
        return raw

    def _clean_number(self, raw: object) -> float | int:
        try:
            if isinstance(raw, bool):
                raise ValueError
            value = float(str(raw).strip().rstrip("%")) if isinstance(raw, str) else float(raw)
        except (TypeError, ValueError):
            raise FieldError(self.name, N_("%(field)s must be a number.")) from None
        if not math.isfinite(value):
            raise FieldError(self.name, N_("%(field)s must be a number."))
        if self.kind == "integer":
            if value != int(value):
                raise FieldError(self.name, N_("%(field)s must be a whole number."))
            value = int(value)
        if (self.min is not None and value < self.min) or (
            self.max is not None and value > self.max
        ):
            raise FieldError(
                self.name,
                N_("%(field)s must be between %(min)s and %(max)s."),
                min=_fmt(self.min),
                max=_fmt(self.max),
            )
        return value


def _fmt(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _clean_date(f: Field, raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip().replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise FieldError(f.name, N_("%(field)s must be a date like 2024-05-31.")) from None


def json_value(value: object) -> object:
    """Return a field's value as JSON takes it: dates (and datetimes) as ISO text.

    >>> json_value(dt.date(2024, 5, 31))
    '2024-05-31'
    """
    return value.isoformat() if isinstance(value, dt.date) else value


def choices_of(*triples: tuple[str, str, str]) -> tuple[Choice, ...]:
    return tuple(Choice(*t) for t in triples)


def clean_record(
    fields: Iterable[Field], values: Mapping[str, object], partial: bool = False
) -> dict[str, object]:
    """Return ``values`` validated and converted, field by field; raise the first FieldError.

    Computed fields are ignored (they are never typed in). With ``partial`` only the
    fields present in ``values`` are checked, so an update need not repeat the rest.

    >>> from geo.fields import fields_for
    >>> clean_record(fields_for("building"), {"floor_area_m2": "1200", "storeys": 1})
    {'floor_area_m2': 1200.0, 'storeys': 1, 'span_m': None, 'clear_height_m': None, \
'crane_t': None, 'idle': None}
    """
    cleaned: dict[str, object] = {}
    for f in fields:
        if f.computed or (partial and f.name not in values):
            continue
        cleaned[f.name] = f.clean(values.get(f.name))
    return cleaned


def alias_index(fields: Iterable[Field]) -> dict[str, str]:
    """Return a map from every name and alias (lower-cased) to the field name, for imports.

    The Shapefile column name LandMatch itself writes (``dbf_name``) is an alias too, so that
    its own exports come back in.
    """
    index: dict[str, str] = {}
    for f in fields:
        for key in (f.name, f.zh, f.en, *f.aliases, f.dbf_name):
            index.setdefault(key.strip().lower(), f.name)
    return index
