"""Read the header row of a county 台账 sheet: units in headers, 序号, 1-N月 columns.

A county office lays its ledger out by hand (docs/domain.md "The county's 台账 sheet"): a
merged title row, then headers such as ``总投资（亿元）``, ``1-10月完成投资（亿元）``,
``形象进度``. Each header is matched through the data dictionary's labels and aliases once its
unit is taken off; the unit gives the factor to the dictionary's own unit (亿元 → 万元: × 10000).
A unit that does not fit the field refuses the file, naming the column: a figure read in the
wrong unit is worse than no figure.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from geo.errors import N_, GeoError
from geo.field_types import Field

# Units a header may carry, per dictionary unit, with the factor to the dictionary's unit.
UNIT_SCALES: dict[str, dict[str, float]] = {
    "wan_yuan": {"万元": 1, "亿元": 10000, "元": 0.0001},
    "mu": {"亩": 1, "公顷": 15},  # 1 公顷 = 15 亩 (docs/domain.md "Units")
    "percent": {"%": 1, "％": 1},
}
# Columns that number the rows or the sheet's sections: read past, never imported.
ROW_NUMBERS = ("序号", "序", "no", "no.")
_UNIT = re.compile(r"^(?P<base>.+?)[（(](?P<unit>[^（()）]*)[）)]$")
# 1-10月完成投资, 1—10月份累计完成投资, 2026年1-10月完成投资: investment done this year.
_YEAR_TO_DATE = re.compile(r"^(\d{4}年)?1[-－—–~～至到](?P<month>\d{1,2})月份?(累计)?完成投资$")
# 2026年计划投资, 年度计划投资: the year's planned investment.
_YEAR_PLAN = re.compile(r"^(\d{4}年度?|本年度?|年度)计划(完成)?投资$")
# Rows that add up the others (合计, 总计, 小计) and section headings (一、工业项目).
_TOTAL = re.compile(r"^(合计|总计|小计|共计|total)", re.IGNORECASE)
_SECTION = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[）)])")


@dataclass(frozen=True)
class Column:
    """A sheet column matched to a dictionary field, with its unit's factor.

    ``ytd_month`` is N of a ``1-N月完成投资`` column: the investment done this year, not to date.
    """

    entity: str
    field: Field
    scale: float = 1.0
    ytd_month: int | None = None


def squeeze(value: object) -> str:
    """Return a header or cell as text without spaces or line breaks.

    >>> squeeze(" 总投资\\n（亿元）")
    '总投资（亿元）'
    """
    return re.sub(r"\s+", "", str(value)) if value is not None else ""


def _scale(field: Field, unit: str, column: str) -> float:
    unit = unit.strip()
    if not field.unit or not unit:
        return 1.0  # a remark in brackets (项目名称（全称）): not a unit
    scales = UNIT_SCALES.get(field.unit, {field.unit_label("zh"): 1})
    if unit in scales:
        return scales[unit]
    raise GeoError(N_("Column %(column)s: the unit %(unit)s does not fit %(field)s; use "
                      "%(units)s."), field=field.name, column=column, unit=unit,
                   units="、".join(scales))


def match_header(text: object, index: dict[str, tuple[str, Field]], column: str,
                 ytd_field: tuple[str, Field], plan_field: tuple[str, Field]) -> Column | None:
    """Return the Column a header names, or None when it names no ledger field.

    ``index`` maps lower-cased names and aliases to (entity, field); ``ytd_field`` and
    ``plan_field`` are the fields of ``1-N月完成投资`` and ``年度计划投资`` headers.
    """
    header = squeeze(text)
    if not header:
        return None
    found = _UNIT.match(header)
    base, unit = (found["base"], found["unit"]) if found else (header, "")
    for key in (base, header):
        month = _YEAR_TO_DATE.match(key)
        if month and 1 <= int(month["month"]) <= 12:
            entity, field = ytd_field
            return Column(entity, field, _scale(field, unit, column), int(month["month"]))
        if _YEAR_PLAN.match(key):
            entity, field = plan_field
            return Column(entity, field, _scale(field, unit, column))
        if key.lower() in index:
            entity, field = index[key.lower()]
            return Column(entity, field, _scale(field, unit, column) if key == base else 1.0)
    return None


def is_row_number(text: object) -> bool:
    """Return True for a header that only numbers the rows (序号)."""
    return squeeze(text).lower() in ROW_NUMBERS


def is_not_a_project(cells: Sequence[object], skipped: Iterable[int]) -> bool:
    """Return True for a row that adds up others (合计) or heads a section (一、工业项目).

    ``skipped`` are the row-number columns (序号), which such rows often fill.
    """
    skipped = set(skipped)
    filled = [squeeze(c) for c in cells if squeeze(c)]
    if any(_TOTAL.match(t) for t in filled[:3]):
        return True
    rest = [squeeze(c) for i, c in enumerate(cells) if i not in skipped and squeeze(c)]
    return not rest or (len(filled) == 1 and bool(_SECTION.match(filled[0])))


def month_end(month: int, today: dt.date) -> dt.date:
    """Return the day a ``1-N月`` figure stands at: the end of month N of this year, or
    today while that month runs; last year's when N is still ahead of today.

    >>> month_end(10, dt.date(2026, 12, 6)), month_end(12, dt.date(2026, 12, 6))
    (datetime.date(2026, 10, 31), datetime.date(2026, 12, 6))
    >>> month_end(12, dt.date(2027, 1, 8))
    datetime.date(2026, 12, 31)
    """
    year = today.year if month <= today.month else today.year - 1
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    return min(last, today)
