"""Map a file's columns to the data dictionary's fields by their aliases, with overrides."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from functools import cache

from geo.county import DATA_DIR
from geo.errors import N_, GeoError
from geo.fields import DERIVED_FIELDS, Field, alias_index, fields_for

EXTRA = "extra"  # a column kept as it is, under its own name, in the parcel's ``extra``
SKIP = ""  # a column left out
EXTRA_JSON = "extra_json"  # an export's "extra" column: a JSON object unpacked into ``extra``
# Row ids of the source system, and the buildings list of a GeoJSON export: left out.
SOURCE_IDS = frozenset({"id", "fid", "objectid", "ogc_fid", "buildings"})
_UNIT = re.compile(r"\s*[（(][^）)]*[）)]\s*$")


def importable_fields(layer: str) -> tuple[Field, ...]:
    """Return the fields a file may fill for ``layer`` (the layer itself comes from the user;
    computed fields, such as the ellipsoidal area, are computed again)."""
    return tuple(f for f in fields_for("parcel", layer) if f.name != "layer" and not f.computed)


@cache
def dbf_aliases() -> dict[str, str]:
    """Return {column name (lower case): field name} of data/dbf_aliases.csv.

    Pinyin column names in common use that the dictionary's own aliases miss; the file says
    where each comes from. The dictionary's aliases come first when both name a column.

    >>> dbf_aliases()["xzqsrq"]
    'idle_since'
    """
    with open(DATA_DIR / "dbf_aliases.csv", encoding="utf-8", newline="") as f:
        return {r["alias"].strip().lower(): r["field"] for r in csv.DictReader(f)}


def auto_mapping(columns: Iterable[str], layer: str) -> dict[str, str]:
    """Return {column: field name, "extra" or ""} found through names, labels and aliases.

    When two columns name the same field, the one whose alias comes first in the dictionary
    wins and the other is kept in ``extra``.

    >>> auto_mapping(["DKBH", "RJL", "备注"], "idle")
    {'DKBH': 'code', 'RJL': 'plot_ratio', '备注': 'extra'}
    """
    fields = importable_fields(layer)
    index = alias_index(fields_for("parcel", layer))  # "layer" too: it comes from the user
    known = {f.name for f in fields_for("parcel", layer)}
    for alias, name in dbf_aliases().items():
        if name in known:  # a computed field's column is then skipped as its zh header is
            index.setdefault(alias, name)
    derived = alias_index(DERIVED_FIELDS)
    rank = {f.name: [k.strip().lower() for k in (f.name, f.zh, f.en, *f.aliases)]
            for f in fields}  # a data/dbf_aliases.csv name ranks after these
    mapping: dict[str, str] = {}
    best: dict[str, tuple[int, str]] = {}
    for column in columns:
        key = column.strip().lower()
        name = index.get(key)
        if name is None and key in SOURCE_IDS:
            mapping[column] = SKIP
            continue
        if name is None and key in derived:
            # exports add derived columns: computed ones are recomputed, "extra" is unpacked
            mapping[column] = EXTRA_JSON if derived[key] == "extra" else SKIP
            continue
        name = name or index.get(_UNIT.sub("", key))
        if name in (None, "layer") or name not in rank:
            # an unknown column is kept; the layer and computed fields are not read
            mapping[column] = EXTRA if name is None else SKIP
            continue
        position = rank[name].index(key) if key in rank[name] else len(rank[name])
        if name in best and best[name][0] <= position:
            mapping[column] = EXTRA
            continue
        if name in best:
            mapping[best[name][1]] = EXTRA
        best[name] = (position, column)
        mapping[column] = name
    return mapping


def apply_overrides(mapping: Mapping[str, str], overrides: Mapping[str, str],
                    layer: str) -> dict[str, str]:
    """Return ``mapping`` changed by ``overrides`` ({column: field, "extra" or ""}).

    A field given to one column is taken from any other; unknown columns or fields are
    refused by name.
    """
    names = {f.name for f in importable_fields(layer)}
    result = dict(mapping)
    for column, target in overrides.items():
        target = target.strip()
        if column not in result:
            raise GeoError(N_("The file has no column %(value)s; its columns are: "
                              "%(choices)s."), field="map", value=column,
                           choices=", ".join(result))
        if target not in names and target not in (EXTRA, SKIP, EXTRA_JSON):
            raise GeoError(N_("%(value)s is not a field of this layer; use one of: "
                              "%(choices)s, extra, or nothing to leave the column out."),
                           field="map", value=target, choices=", ".join(sorted(names)))
        if target in names:
            for other, name in result.items():
                if name == target:
                    result[other] = EXTRA
        result[column] = target
    return result


def parse_overrides(items: Iterable[str]) -> dict[str, str]:
    """Return ``["源列=field", …]`` as a dict; refuse an item without "=".

    >>> parse_overrides(["宗地号=code", "备注="])
    {'宗地号': 'code', '备注': ''}
    """
    result = {}
    for item in items:
        column, sep, target = item.partition("=")
        if not sep or not column.strip():
            raise GeoError(N_("%(value)s is not a mapping; write it as column=field."),
                           field="map", value=item)
        result[column.strip()] = target.strip()
    return result
