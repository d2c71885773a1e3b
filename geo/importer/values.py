"""Map the words a file uses for a field's values to the dictionary's: the user's, then ours.

A bureau writes 可供 where the dictionary says 可供地. The user maps such words with
``--map-value 状态:可供=可供地`` (or a mapping file, or the upload page's drop-downs); the
dictionary's own other words (``geo.fields.VALUE_ALIASES``) apply without being asked. Both
are counted, so the report and the import run say which words became which value.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from geo.errors import N_, GeoError
from geo.fields import Field, value_aliases

GIVEN, DICTIONARY = "given", "dictionary"  # who mapped a word: the user, or the dictionary


@dataclass(frozen=True)
class Applied:
    """One word of a column that was read as a field's value, on ``rows`` rows."""

    column: str
    field: str
    source: str
    target: str
    how: str  # GIVEN | DICTIONARY
    rows: int


def parse_value_maps(items: Iterable[str]) -> dict[str, dict[str, str]]:
    """Return ``["列:源=目标", …]`` as {column: {source: target}}; refuse a malformed item.

    >>> parse_value_maps(["状态:可供=可供地", "状态：已预留=reserved"])
    {'状态': {'可供': '可供地', '已预留': 'reserved'}}
    """
    result: dict[str, dict[str, str]] = {}
    for item in items:
        column, sep, rest = item.replace("：", ":", 1).partition(":")
        source, eq, target = rest.partition("=")
        if not sep or not eq or not column.strip() or not source.strip() or not target.strip():
            raise GeoError(N_("%(value)s is not a value mapping; write it as "
                              "COLUMN:SOURCE=TARGET, e.g. 状态:可供=可供地."),
                           field="map_value", value=item)
        result.setdefault(column.strip(), {})[source.strip()] = target.strip()
    return result


def read_map_file(path: str | Path) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
    """Return (column mapping, value mapping) of a JSON mapping file.

    The file is ``{"columns": {"宗地号": "code"}, "values": {"状态": {"可供": "可供地"}}}``;
    either part may be left out, and a file of only ``{"状态": {"可供": "可供地"}}`` is the
    value mapping.
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        data = None
    if isinstance(data, dict) and not ({"columns", "values"} & data.keys()):
        data = {"values": data}
    columns = data.get("columns", {}) if isinstance(data, dict) else None
    values = data.get("values", {}) if isinstance(data, dict) else None
    if not (_flat(columns) and isinstance(values, dict)
            and all(isinstance(k, str) and _flat(v) for k, v in values.items())):
        raise GeoError(N_("%(value)s is not a mapping file: it must be JSON like "
                          '{"columns": {"宗地号": "code"}, "values": {"状态": {"可供": '
                          '"可供地"}}}.'), field="map_file", value=Path(path).name)
    return dict(columns), {k: dict(v) for k, v in values.items()}


def _flat(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items())


class ValueMap:
    """The words to read as other values, per column of one file, and how often each was."""

    def __init__(self, given: Mapping[str, Mapping[str, str]], mapping: Mapping[str, str],
                 fields: Mapping[str, Field]) -> None:
        self.fields = {column: fields[name] for column, name in mapping.items()
                       if name in fields}
        self.given: dict[str, dict[str, str]] = {}
        for key, words in given.items():
            column = self._column(key, mapping)
            f = self.fields[column]
            self.given[column] = {source: _target(f, target) for source, target
                                  in words.items()}
        self.counts: Counter[tuple[str, str, str]] = Counter()

    def _column(self, key: str, mapping: Mapping[str, str]) -> str:
        """Return the file's column that ``key`` names: itself, or the field mapped from it."""
        if key in self.fields:
            return key
        wanted = key.strip().lower()
        for column, f in self.fields.items():
            if wanted in (f.name.lower(), f.zh.lower(), f.en.lower()):
                return column
        raise GeoError(N_("The file has no column %(value)s that is read as a field; its "
                          "columns are: %(choices)s."), field="map_value", value=key,
                       choices=", ".join(c for c in mapping if c in self.fields))

    def table(self, column: str) -> dict[str, tuple[str, str]]:
        """Return {word: (value, how)} for ``column``: the user's words over the dictionary's."""
        f = self.fields.get(column)
        if f is None:
            return {}
        words = {w: (v, DICTIONARY) for w, v in value_aliases(f.name).items()} \
            if f.kind == "choice" else {}
        words.update({w: (v, GIVEN) for w, v in self.given.get(column, {}).items()})
        return words

    def count(self, column: str, word: str, how: str) -> None:
        """Record that one row's ``word`` in ``column`` was read through the map."""
        self.counts[(column, word, how)] += 1

    def applied(self) -> list[Applied]:
        """Return every word that was read as another value, in the order first met."""
        result = []
        for (column, word, how), rows in self.counts.items():
            source = self.given if how == GIVEN else None
            target = (source[column][word] if source is not None
                      else value_aliases(self.fields[column].name)[word])
            result.append(Applied(column, self.fields[column].name, word, target, how, rows))
        return result

    def unused(self) -> list[tuple[str, str]]:
        """Return the user's (column, word) pairs that no row of the file holds."""
        return [(column, word) for column, words in self.given.items() for word in words
                if (column, word, GIVEN) not in self.counts]


def _target(f: Field, target: str) -> str:
    """Return the stored value ``target`` names (value, zh or en label); refuse another."""
    if f.kind != "choice":
        return target
    wanted = target.strip()
    for choice in f.choices:
        if wanted in (choice.value, choice.zh) or wanted.lower() == choice.en.lower():
            return choice.value
    raise GeoError(N_("%(value)s is not a value of %(field)s; use one of: %(choices)s."),
                   field=f.name, value=target, choices="、".join(c.zh for c in f.choices))


def as_json(applied: Iterable[Applied]) -> list[dict[str, object]]:
    """Return the applied words as plain dicts (kept with the import run)."""
    return [{"column": a.column, "field": a.field, "source": a.source, "target": a.target,
             "how": a.how, "rows": a.rows} for a in applied]
