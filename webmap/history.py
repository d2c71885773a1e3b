"""A record's history as a user reads it: actions in words, labelled values with their units."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext

from geo.areas import M2_PER_HA, M2_PER_MU
from geo.fields import fields_for
from geo.models import AuditRecord
from webmap.i18n import lang

ACTIONS = {
    "create": lazy_gettext("Created"),
    "import": lazy_gettext("Imported"),
    "update": lazy_gettext("Changed"),
    "delete": lazy_gettext("Moved to the bin"),
    "restore": lazy_gettext("Restored from the bin"),
    "restore_version": lazy_gettext("Earlier version restored"),
    "split": lazy_gettext("Split"),
    "merge": lazy_gettext("Merged"),
    "locate": lazy_gettext("Town and park set from the boundaries"),
    "reserve": lazy_gettext("Reserved for a project"),
    "release": lazy_gettext("Released by its project"),
    "supply": lazy_gettext("Supplied"),
    "dispose": lazy_gettext("Disposal started"),
    "close": lazy_gettext("Disposed"),
    "recover": lazy_gettext("Taken back"),
    "enter_reserve": lazy_gettext("Entered into the land reserve"),
    "advance": lazy_gettext("Stage moved on"),
    "put_back": lazy_gettext("Stage put back"),
    "offer": lazy_gettext("Offered"),
}
# Notes geo/ writes in fixed words, shown in the user's language.
NOTES = (
    (re.compile(r"^version (\d+)$"), lazy_gettext("back to version %(x)s")),
    (re.compile(r"^split from (.+)$"), lazy_gettext("split from %(x)s")),
    (re.compile(r"^split into (.+)$"), lazy_gettext("split into %(x)s")),
    (re.compile(r"^merged into (.+)$"), lazy_gettext("merged into %(x)s")),
    (re.compile(r"^merged (.+)$"), lazy_gettext("merged %(x)s in")),
    (re.compile(r"^(boundaries)$"), lazy_gettext("after new boundaries were loaded")),
)
HIDDEN = ("deleted_at",)  # shown by the action (moved to / restored from the bin)


@dataclass
class Row:
    """One line of the history table."""

    at: object
    user: str
    action: str
    note: str | None
    version: int | None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    geometry: bool = False
    first: bool = False  # the version the register started from, restorable like any other


def action_label(action: str) -> str:
    """Return an audit action in the user's language (the code itself when unknown)."""
    return str(ACTIONS[action]) if action in ACTIONS else action


def _note(note: str | None) -> str | None:
    if not note:
        return note
    for pattern, text in NOTES:
        found = pattern.match(note)
        if found:
            return str(text) % {"x": found.group(1)}
    return note


def value_text(entity: str, name: str, value: object) -> str:
    """Return a stored value as a user reads it: choice labels, units, 亩 and 公顷 for areas."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    language = lang()
    if name == "area_m2" and isinstance(value, int | float):
        mu, ha = f"{value / M2_PER_MU:,.2f}", f"{value / M2_PER_HA:,.4f}"
        return _("%(mu)s mu (%(ha)s ha)", mu=mu, ha=ha)
    if name == "buildings" and isinstance(value, list):
        return _("%(n)s buildings", n=len(value))
    fields = {f.name: f for f in fields_for(entity)} if entity in ("parcel", "project") else {}
    f = fields.get(name)
    if f is not None and f.kind == "choice":
        return str(f.choice_label(str(value), language))
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if f is not None and f.unit and isinstance(value, int | float):
        return f"{value:g} {f.unit_label(language)}"
    return str(value)


def history_rows(records: list[AuditRecord], entity: str, names: dict[str, str],
                 current_version: int) -> list[Row]:
    """Return the history, newest first, with a first version to restore when none is recorded.

    A record the register started with (the demo county, or one loaded before audits) has
    no record of its own first version; its oldest change still holds every value before it,
    so the line "first version" lets a user restore it like any other.
    """
    rows = []
    for r in records:
        changes = [(names.get(k, k), value_text(entity, k, pair[0]), value_text(entity, k, pair[1]))
                   for k, pair in (r.changes or {}).items() if k not in HIDDEN]
        rows.append(Row(r.at, r.user_name, action_label(r.action), _note(r.note), r.version,
                        changes, bool(r.geom_after)))
    versions = [r.version for r in records if r.version]
    oldest = min(versions) if versions else current_version
    if oldest > 1 and not any(r.action in ("create", "import") and r.version == oldest
                              for r in records):
        rows.append(Row(None, "", _("First version (imported or created before the history "
                                     "was kept)"), None, oldest - 1, first=True))
    return rows
