"""Land-use values as files write them ("0601", "0601 工业用地", "工业用地"), and their system.

A code alone does not say its system (1001 is 铁路用地 in GB/T 21010-2017 and 三调, 工业用地 in
用地用海 2023: docs/domain.md "Land-use codes"), so a column's system is declared, or told from
all its codes together with their names; a name without a code is looked up in the system.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from geo.errors import N_
from geo.fields import CODE_SYSTEMS
from geo.reference import land_use, land_use_names

SYSTEMS = tuple(c.value for c in CODE_SYSTEMS)
_CODE_FIRST = re.compile(r"^([0-9]{2}[0-9A-Za-z]{0,6})(?![0-9A-Za-z])\s*[-_:：、.]?\s*(.*)$")
_CODE_LAST = re.compile(r"^(.*?)\s*[(（]\s*([0-9]{2}[0-9A-Za-z]{0,6})\s*[)）]$")


@dataclass(frozen=True)
class Value:
    """One land-use value read from a file: its code and its name, either may be missing."""

    code: str | None
    name: str | None


def parse(raw: object) -> Value | None:
    """Return the code and name of a land-use value (None when empty).

    >>> parse("0601 工业用地"), parse("工业用地"), parse("05h1")
    (Value(code='0601', name='工业用地'), Value(code=None, name='工业用地'), \
Value(code='05H1', name=None))
    """
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None
    found = _CODE_FIRST.match(text)
    if found:
        return Value(found[1].upper(), found[2].replace(" ", "") or None)
    found = _CODE_LAST.match(text)
    if found:
        return Value(found[2].upper(), found[1].replace(" ", "") or None)
    return Value(None, text.replace(" ", ""))


def resolve(system: str, value: Value) -> tuple[str | None, tuple[str, dict] | None]:
    """Return (the code in ``system``, None) or (None, (msgid, params)) saying what is wrong.

    >>> resolve("ydyh2023", Value(None, "工业用地"))
    ('1001', None)
    >>> resolve("ydyh2023", Value("1001", "铁路用地"))[1][1]["name"]
    '工业用地'
    """
    label = system_label(system)
    if value.code is None:
        found = land_use_names(system).get(value.name or "")
        if found is None:
            return None, (N_("Land use %(value)s is not a name of %(system)s."),
                          {"value": value.name, "system": label})
        return found.code, None
    code = land_use(system, value.code)
    if code is None:
        return None, (N_("Land-use code %(value)s is not a code of %(system)s."),
                      {"value": value.code, "system": label})
    if value.name and value.name != code.zh.replace(" ", ""):
        return None, (N_("In %(system)s, code %(value)s is %(name)s, not %(given)s."),
                      {"value": value.code, "system": label, "name": code.zh,
                       "given": value.name})
    return code.code, None


def fitting_systems(values: Iterable[Value]) -> tuple[str, ...]:
    """Return the systems in which every value is a code (with its name, if given) or a name.

    >>> fitting_systems([Value("1001", None), Value("100102", None)])
    ('ydyh2023',)
    >>> fitting_systems([Value("0601", "工业用地")])
    ('gbt21010', 'sandiao')
    """
    values = set(values)
    return tuple(s for s in SYSTEMS if all(resolve(s, v)[1] is None for v in values))


def in_no_system(values: Iterable[Value]) -> list[Value]:
    """Return the values that are no code or name of any system."""
    return [v for v in values if not any(resolve(s, v)[1] is None for s in SYSTEMS)]


def system_label(system: str | None, lang: str = "zh") -> str:
    """Return a system's name as people write it ("" for None)."""
    for choice in CODE_SYSTEMS:
        if choice.value == system:
            return choice.en if lang == "en" else choice.zh
    return system or ""
