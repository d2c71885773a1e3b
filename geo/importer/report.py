"""The validation report of an import: every row for a CSV file, and grouped for people.

One line per distinct problem (its kind and field), with how many rows have it and the first
of them; a choice column's unknown words listed once each with their row counts; and a
finding that is really about the whole file (a declared area read in 亩) said once for the
file. The per-row report stays whole in the CSV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from geo.errors import N_
from geo.fields import Field
from geo.importer.validate import Issue
from geo.sheets import csv_text

Translate = Callable[[Issue], str]  # the message in the user's language
Gettext = Callable[..., str]  # gettext(msgid, **params) in the user's language

FIRST_ROWS = 5  # rows named per problem
FIRST_VALUES = 6  # unknown words named per column
# Messages that say a value is not among the allowed ones: grouped by field, listing words.
UNKNOWN_VALUE = (N_("%(field)s must be one of: %(choices)s."),
                 N_("Land-use code %(value)s is in none of the code tables (三调, 用地用海分类, "
                    "GB/T 21010)."))
# Messages about the whole file rather than a row: {msgid: (summary msgid, params that key
# the group)}. Another module's per-row hint that is about the file belongs here too.
FILE_NOTES: dict[str, tuple[str, tuple[str, ...]]] = {
    N_("The declared area %(declared)s was read as %(unit)s (it matches the computed area "
       "%(computed)s m² in that unit)."): (
        N_("%(field)s read as %(unit)s: it matches the computed area on %(n)s of %(total)s "
           "rows."), ("unit",)),
}


def report_rows(issues: list[Issue], translate: Translate) -> list[dict[str, object]]:
    """Return one dict per issue: row, code, field, severity, message."""
    return [{"row": i.row, "code": i.code or "", "field": i.field or "",
             "severity": i.severity, "message": translate(i)} for i in issues]


def report_csv(issues: list[Issue], translate: Translate, headers: dict[str, str]) -> str:
    """Return the report as CSV text (UTF-8 with a byte-order mark, so Excel reads Chinese)."""
    keys = ("row", "code", "field", "severity", "message")
    return csv_text([[headers.get(k, k) for k in keys],
                     *([row[k] for k in keys] for row in report_rows(issues, translate))])


@dataclass
class Group:
    """Every issue of one kind on one field: how many rows, the first ones, their words."""

    severity: str
    field: str | None
    message: str
    first: Issue
    count: int = 0
    rows: list[int] = field(default_factory=list)
    values: Counter = field(default_factory=Counter)

    @property
    def kind(self) -> str:
        """Return "values" (unknown words), "file" (a note on the file) or "rows"."""
        if self.message in UNKNOWN_VALUE:
            return "values"
        return "file" if self.message in FILE_NOTES else "rows"


def group_issues(issues: list[Issue]) -> list[Group]:
    """Return the issues grouped by severity, field and message, errors first.

    >>> from geo.importer.validate import Issue
    >>> found = [Issue(r, None, "status", "error", UNKNOWN_VALUE[0], {"value": v})
    ...          for r, v in ((2, "可供"), (3, "已预留"), (4, "可供"))]
    >>> [(g.count, dict(g.values)) for g in group_issues(found)]
    [(3, {'可供': 2, '已预留': 1})]
    """
    groups: dict[tuple, Group] = {}
    for issue in issues:
        keyed = FILE_NOTES.get(issue.message, ("", ()))[1]
        key = (issue.severity, issue.field, issue.message,
               tuple(str(issue.params.get(k)) for k in keyed))
        group = groups.get(key)
        if group is None:
            group = groups[key] = Group(issue.severity, issue.field, issue.message, issue)
        group.count += 1
        if len(group.rows) < FIRST_ROWS:
            group.rows.append(issue.row)
        if "value" in issue.params:
            group.values[str(issue.params["value"])] += 1
    return sorted(groups.values(), key=lambda g: g.severity != "error")


@dataclass(frozen=True)
class Line:
    """One line of the grouped report, in the user's language."""

    severity: str
    field: str | None
    text: str
    count: int
    rows: tuple[int, ...]
    values: tuple[tuple[str, int], ...] = ()  # unknown words and their row counts
    note: bool = False  # about the file, not rows


def summary(issues: list[Issue], translate: Translate, gettext: Gettext, lang: str,
            fields: Mapping[str, Field], total: int,
            columns: Mapping[str, str] | None = None) -> list[Line]:
    """Return the grouped report: one line per distinct problem.

    ``lang`` ("zh" or "en") is the user's language; ``fields`` labels the fields; ``total``
    is the file's rows (for a note on the file); ``columns`` ({field: column}) adds to an
    unknown-value line the ``--map-value`` that would map its first word (the command
    line's advice: the page passes None).
    """
    lines = []
    for g in group_issues(issues):
        f = fields.get(g.field or "")
        label = f.label(lang) if f else (g.field or "")
        rows = _rows(g)
        if g.kind == "values":
            words = g.values.most_common()
            shown = ("、" if lang == "zh" else ", ").join(
                gettext("%(value)s (%(n)s rows)", value=w, n=n) for w, n in words[:FIRST_VALUES])
            text = gettext("%(field)s: %(n)s values are not in its code table: %(values)s",
                           field=label, n=len(words), values=shown)
            if len(words) > FIRST_VALUES:
                text += "…"
            column = (columns or {}).get(g.field or "")
            if column and f is not None and f.kind == "choice":
                example = f"{column}:{words[0][0]}={guess(f, words[0][0])}"
                text += gettext("; map them with --map-value %(example)s", example=example)
            lines.append(Line(g.severity, g.field, text, g.count, tuple(g.rows),
                              tuple(words)))
        elif g.kind == "file":
            params = {**g.first.params, "field": label, "n": g.count, "total": total}
            lines.append(Line(g.severity, g.field, gettext(FILE_NOTES[g.message][0], **params),
                              g.count, tuple(g.rows), note=True))
        elif g.count == 1:
            lines.append(Line(g.severity, g.field, gettext(
                "Row %(row)s: %(message)s", row=g.first.row, message=translate(g.first)),
                1, tuple(g.rows)))
        else:
            lines.append(Line(g.severity, g.field, gettext(
                "%(n)s rows (%(rows)s): %(message)s", n=g.count, rows=rows,
                message=translate(g.first)), g.count, tuple(g.rows)))
    return lines


def _rows(g: Group) -> str:
    shown = ", ".join(str(r) for r in g.rows)
    return shown + (" …" if g.count > len(g.rows) else "")


def guess(f: Field, word: str) -> str:
    """Return the label of the choice ``word`` most likely means, for an example mapping.

    >>> from geo.fields import get_field
    >>> guess(get_field("parcel", "status"), "已意")
    '已意向'
    """
    for choice in f.choices:
        if choice.zh.startswith(word) or word.startswith(choice.zh):
            return choice.zh
    scored = [(len(set(word) & set(c.zh)), -i, c.zh) for i, c in enumerate(f.choices)]
    return max(scored)[2]
