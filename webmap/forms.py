"""Forms generated from the data dictionary: fields, labels, choices and validation."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from geo.errors import Conflict, FieldError
from geo.fields import Field, fields_for
from geo.project_editing import editable_fields
from webmap.errors import user_message
from webmap.i18n import lang

HTML_TYPES = {"number": "number", "integer": "number", "date": "date"}


class Dictionary:
    """Validate a form value with its data-dictionary field (the same check as the API's)."""

    def __init__(self, field: Field) -> None:
        self.field = field

    def __call__(self, _form, form_field) -> None:
        try:
            self.field.clean(form_field.data)
        except FieldError as error:
            raise ValidationError(user_message(error, self.field)) from None


def form_field(field: Field):
    """Return the WTForms field for one dictionary field, labelled in the user's language."""
    language = lang()
    label = field.heading(language)
    validators = [Dictionary(field)]
    if field.kind == "choice":
        choices = [SelectChoice("", "—")] + [
            SelectChoice(c.value, c.en if language == "en" else c.zh) for c in field.choices]
        return SelectField(label, choices=choices, validators=validators, validate_choice=False)
    render = {"required": True} if field.required else {}
    if field.kind in HTML_TYPES:
        render["type"] = HTML_TYPES[field.kind]
        if field.kind != "date":
            render["step"] = "1" if field.kind == "integer" else "any"
            for bound in ("min", "max"):
                if getattr(field, bound) is not None:
                    render[bound] = f"{getattr(field, bound):g}"
    if field.max_length:
        render["maxlength"] = field.max_length
    return StringField(label, validators=validators, render_kw=render)


def dictionary_form(fields: Iterable[Field], hidden: tuple[str, ...] = ("version",),
                    **kwargs) -> FlaskForm:
    """Return a form of the dictionary ``fields`` (computed ones left out) and ``hidden`` ones."""

    class DictionaryForm(FlaskForm):
        pass

    for name in hidden:
        setattr(DictionaryForm, name, HiddenField())
    for field in fields:
        if not field.computed:
            setattr(DictionaryForm, field.name, form_field(field))
    return DictionaryForm(**kwargs)


def parcel_form(layer: str, *, new: bool = False, **kwargs) -> FlaskForm:
    """Return the attribute form of a parcel of ``layer`` (with its code when ``new``)."""
    fields = [f for f in fields_for("parcel", layer) if new or f.name != "code"]
    return dictionary_form(fields, ("version", "geometry"), **kwargs)


def project_form(**kwargs) -> FlaskForm:
    """Return the attribute form of a project (its stage moves on the project page only)."""
    return dictionary_form(editable_fields(), **kwargs)


def dictionary_values(form: FlaskForm) -> dict[str, object]:
    """Return the form's dictionary fields as {name: value}, without version and geometry."""
    return {name: f.data for name, f in form._fields.items()
            if name not in ("version", "geometry", "csrf_token")}


def building_forms(count: int, data: list[dict] | None = None, formdata=None) -> list[Form]:
    """Return ``count`` rows of building fields (prefix b-<i>-), filled from ``data``."""

    class BuildingRow(Form):
        pass

    for field in fields_for("building"):
        setattr(BuildingRow, field.name, form_field(field))
    data = data or []
    return [BuildingRow(formdata=formdata, prefix=f"b-{i}-",
                        data=data[i] if i < len(data) else None) for i in range(count)]


def building_rows(rows: list[Form]) -> list[dict[str, object]]:
    """Return the filled-in rows as {name: value}; rows left blank are dropped."""
    values = [{name: f.data for name, f in row._fields.items()} for row in rows]
    return [v for v in values if any(x not in (None, "") for x in v.values())]


class BuildingsForm(FlaskForm):
    """The version and the number of building rows sent."""

    version = HiddenField()
    rows = HiddenField()


class SplitForm(FlaskForm):
    """The line drawn across a parcel."""

    version = HiddenField()
    line = HiddenField()


class MergeForm(FlaskForm):
    """The code of the neighbouring parcel to merge in."""

    version = HiddenField()
    other = StringField()


class VersionForm(FlaskForm):
    """A button that acts on one version of a record (delete, restore a version)."""

    version = HiddenField()


def labels(entity: str = "parcel") -> dict[str, str]:
    """Return the labels of ``entity``'s fields in the user's language (history, conflicts)."""
    language = lang()
    names = {f.name: f.label(language) for f in fields_for(entity)}
    names.update({"extra": _("Other attributes"), "deleted_at": _("Deleted at"),
                  "version": _("Version")})
    return names


def shown_value(entity: str, name: str, value: object) -> str:
    """Return a stored value as a user reads it: a choice's label, a number with its unit."""
    if value is None or value == "":
        return ""
    language = lang()
    field = {f.name: f for f in fields_for(entity)}.get(name)
    if field is not None and field.choices:
        return field.choice_label(value, language) or str(value)
    if isinstance(value, dict):
        return "；".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if field is not None and field.unit and isinstance(value, int | float):
        return f"{value:g} {field.unit_label(language)}"
    return str(value)


def conflict_rows(error: Conflict, entity: str = "parcel") -> list[tuple[str, str, str]]:
    """Return (label, stored value, submitted value) of each field the user submitted, the
    values in the interface language (issue 14: they showed as "idle", "yes")."""
    names = labels(entity)
    keys = [k for k in error.current if k in error.submitted and k != "version"]
    return [(names.get(k, k), shown_value(entity, k, error.current.get(k)),
             shown_value(entity, k, error.submitted.get(k))) for k in keys]
