"""The land-use columns of an import: each column's code system, and each row's code in it.

A column's system is the one declared (``Options.code_systems``), else the one system in which
every value of the column is a code (with its name, where given) or a name; several such
systems are refused with the candidates listed (geo/land_use.py, docs/domain.md).
"""

from __future__ import annotations

from collections.abc import Mapping

from geo.errors import N_, GeoError
from geo.land_use import fitting_systems, in_no_system, parse, resolve, system_label
from geo.reference import LAND_USE_FIELDS

# each land-use field and the field holding its system
NOTE_DECLARED = N_("Column %(column)s: land-use codes of %(system)s, as declared.")
NOTE_DETECTED = N_("Column %(column)s: land-use codes of %(system)s, told from its codes and "
                   "names.")
NOTE_NONE = N_("Column %(column)s: no value is a land-use code or name of any system.")


def as_text(raw: object) -> str | None:
    """Return a land-use cell as text; a number read from a DBF gets back its leading zero.

    >>> as_text(601.0), as_text(100101), as_text(" 05H1 ")
    ('0601', '100101', '05H1')
    """
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool) and len(str(raw)) % 2:
        return f"0{raw}"  # land-use codes have an even number of digits: 601 was 0601
    return str(raw).strip() or None


def column_systems(source, mapping: Mapping[str, str], declared: Mapping[str, str],
                   notes: list) -> dict[str, str | None]:
    """Return the system of each land-use field the file fills; add what was decided to
    ``notes``. Rows whose own system column is filled are not asked."""
    systems: dict[str, str | None] = {}
    by_field = {target: column for column, target in mapping.items()}
    for field, system_field in LAND_USE_FIELDS.items():
        column = by_field.get(field)
        if column is None:
            continue
        if declared.get(field):
            systems[field] = declared[field]
            notes.append((NOTE_DECLARED, {"column": column,
                                          "system": system_label(declared[field])}))
            continue
        raws = source.values(column, 0, source.size)
        own = (source.values(by_field[system_field], 0, source.size)
               if system_field in by_field else [None] * len(raws))
        values = {parse(as_text(r)) for r, s in zip(raws, own, strict=True)
                  if s in (None, "")} - {None}
        systems[field] = _detect(column, values, notes) if values else None
    return systems


def _detect(column: str, values: set, notes: list) -> str | None:
    nowhere = set(in_no_system(values))
    fits = fitting_systems(values - nowhere)
    if len(fits) > 1:
        raise GeoError(N_("The land-use values of column %(column)s are codes of several "
                          "systems: %(choices)s. Say which with --code-system (or "
                          "--planned-code-system) %(ids)s."), field="code_system",
                       column=column, choices="、".join(system_label(s) for s in fits),
                       ids="|".join(fits))
    if not fits and values - nowhere:
        raise GeoError(N_("The land-use values of column %(column)s mix code systems; no one "
                          "system holds them all. Say which with --code-system, or give a "
                          "system column."), field="code_system", column=column)
    if not fits:
        notes.append((NOTE_NONE, {"column": column}))
        return None
    notes.append((NOTE_DETECTED, {"column": column, "system": system_label(fits[0])}))
    return fits[0]


def resolve_column(values: dict[str, list], field: str, system: str | None, add) -> None:
    """Put each row's code (in its system) and system in ``values``; report what fails."""
    system_field = LAND_USE_FIELDS[field]
    raws = values[field]
    own = values.get(system_field) or [None] * len(raws)
    codes, systems = [], []
    seen: dict[tuple, tuple] = {}  # a column repeats a few values: each is resolved once
    for i, raw in enumerate(raws):
        row_system = own[i] or system
        key = (raw, row_system)
        if key not in seen:
            seen[key] = _resolve(parse(as_text(raw)), row_system, raw)
        value, code, problem = seen[key]
        if value is None:
            codes.append(None)
            systems.append(own[i])
            continue
        if problem:
            add(i, field, problem[0], **problem[1])
        codes.append(code)
        systems.append(row_system)
    values[field], values[system_field] = codes, systems


def _resolve(value, system: str | None, raw: object) -> tuple:
    """Return (value, code, problem) of one cell."""
    if value is None:
        return None, None, None
    if system is None:
        return value, None, (N_("Land use %(value)s is a code or name of none of the systems "
                                "(GB/T 21010-2017, 三调, 用地用海 2023)."), {"value": raw})
    code, problem = resolve(system, value)
    return value, code, problem
