"""An import's report and value mapping in the user's language, for the command and the page."""

from __future__ import annotations

from flask_babel import gettext

from geo.importer import Applied, Plan
from geo.importer.mapping import importable_fields
from geo.importer.report import Line, summary
from geo.importer.values import GIVEN
from webmap.errors import translate
from webmap.i18n import lang


def grouped(plan: Plan, command_line: bool) -> list[Line]:
    """Return the plan's grouped report; on the command line with ``--map-value`` advice."""
    fields = {f.name: f for f in importable_fields(plan.layer)}
    columns = {name: column for column, name in plan.mapping.items() if name in fields}
    return summary(plan.issues, lambda i: translate(i.message, i.field, i.params), gettext,
                   lang(), fields, plan.source.size, columns if command_line else None)


def target_label(plan: Plan, field_name: str, value: str) -> str:
    """Return a choice value as the user reads it (可供地), or the value itself."""
    f = {f.name: f for f in importable_fields(plan.layer)}.get(field_name)
    return (f.choice_label(value, lang()) or value) if f else value


def applied_text(plan: Plan, a: Applied) -> str:
    """Return one word read as another value: 状态：可供 → 可供地（80 行，词典同义词）."""
    how = gettext("as asked") if a.how == GIVEN else gettext("dictionary synonym")
    return gettext("%(column)s: %(source)s → %(target)s (%(n)s rows, %(how)s)",
                   column=a.column, source=a.source,
                   target=target_label(plan, a.field, a.target), n=a.rows, how=how)
