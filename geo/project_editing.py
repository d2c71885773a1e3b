"""Change a key project's own attributes, move it to the bin and back; each change audited.

The version check (Conflict, HTTP 409), the audited commit and the bin are the parcels' own
(geo/editing.py). The stage is not edited here: it moves only through the dated transitions
of geo/lifecycle.py, and the parcels only when the project lands there.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from geo.audit import history, record_change, snapshot
from geo.editing import check_version, restore_from_bin, saving, soft_delete
from geo.errors import N_, FieldError, GeoError, NotFound
from geo.fields import Field, clean_record, fields_for, get_field
from geo.lifecycle import get_project
from geo.models import AuditRecord, Project
from geo.parcel_checks import check_place
from geo.places import Places

# Fields a form may show but not change: the identity, and what moves by its own rules.
FIXED = ("code", "stage", "parcel")
FIXED_MESSAGES = {
    "code": N_("%(field)s cannot be changed: it names the project in the register."),
    "stage": N_("%(field)s changes only by moving the project on or putting it back, on the "
                "project's page, so that each change is dated in its timeline."),
    "parcel": N_("%(field)s changes only when the project lands (its timeline or an offer)."),
}


def editable_fields() -> tuple[Field, ...]:
    """Return the project fields an editor types in (all but code, stage and parcel)."""
    return tuple(f for f in fields_for("project") if f.name not in FIXED and not f.computed)


def _current(project: Project, name: str) -> object:
    if name == "parcel":
        return project.parcel.code if project.parcel else None
    return getattr(project, name)


def _refuse_fixed(project: Project, values: Mapping[str, object]) -> None:
    """Raise FieldError when ``values`` would change code, stage or parcel.

    Sending them unchanged is allowed, so a client may send back the record it read.
    """
    for name in FIXED:
        if name not in values or values[name] in (None, ""):
            continue
        if get_field("project", name).clean(values[name]) != _current(project, name):
            raise FieldError(name, FIXED_MESSAGES[name])


def update_project(session: Session, code: str, values: Mapping[str, object],
                   expected_version: object, user: str, *,
                   places: Places | None = None) -> Project:
    """Change a project's attributes (those present in ``values``), validated by the
    dictionary; the stored version must be ``expected_version``. With ``places``, a town
    that does not exist is refused (geo/parcel_checks.py)."""
    project = get_project(session, code)
    check_version(project, expected_version, values)
    try:
        _refuse_fixed(project, values)
        cleaned = clean_record(editable_fields(), values, partial=True)
        if places is not None and "town" in cleaned:
            check_place(places, "towns", "town", cleaned["town"], project.town)
    except FieldError as error:
        error.params["entity"] = "project"  # "name" is 项目名称 here, not a parcel's 地块名称
        raise
    before = snapshot(project)
    for name, value in cleaned.items():
        setattr(project, name, value)
    with saving(session, project, values):
        record_change(session, user, "update", project, before, None)
    return project


def delete_project(session: Session, code: str, expected_version: object, user: str) -> None:
    """Move a project to the bin: hidden from the ledger, map and API, restorable by an admin.

    A project that holds land is refused: binned, it would keep the land from everyone.
    """
    project = get_project(session, code)
    if project.parcels:
        raise GeoError(N_("Project %(value)s holds parcel %(parcel)s: put it back to 签约 "
                          "first, which gives the land back, then move it to the bin."),
                       field="code", value=code, parcel=project.parcels[0].code)
    soft_delete(session, project, expected_version, user)


def restore_project(session: Session, code: str, user: str) -> Project:
    """Take a project out of the bin, back into the ledger."""
    project = get_project(session, code, deleted=True)
    restore_from_bin(session, project, user)
    return project


def deleted_projects(session: Session) -> list[Project]:
    """Return the projects in the bin, most recently deleted first."""
    return list(session.scalars(select(Project).where(Project.deleted_at.is_not(None))
                                .order_by(Project.deleted_at.desc())
                                .execution_options(include_deleted=True)))


def project_history(session: Session, code: str, *,
                    binned: bool = False) -> tuple[Project, list[AuditRecord]]:
    """Return a project and its audit records, newest first; from the bin only with ``binned``
    (editors), as geo.editing.parcel_history."""
    project = session.scalar(select(Project).where(Project.code == code)
                             .execution_options(include_deleted=True))
    if project is None or (project.deleted_at is not None and not binned):
        raise NotFound(N_("No project with code %(value)s."), field="code", value=code)
    return project, history(session, "project", code)
