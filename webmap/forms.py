"""Forms generated from the data dictionary: fields, labels, choices and validation."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import Form, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from geo.errors import Conflict, FieldError
from geo.fields import CODE_SYSTEMS, Field, fields_for, get_field
from geo.land_use import system_label
from geo.places import PARCEL_FIELD, Places
from geo.project_editing import editable_fields
from geo.reference import LAND_USE_FIELDS, land_use_codes
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


class GroupedSelectField(SelectField):
    """A drop-down whose groups may repeat a value (a land-use code in each code system):
    only its first option is selected, as a browser would otherwise show the last."""

    def iter_groups(self):
        found = False
        for name, group in super().iter_groups():
            choices = []
            for c in group:
                choices.append(c._replace(selected=c.selected and not found))
                found = found or c.selected
            yield name, choices


def form_field(field: Field, options: list[tuple[str, str]] | None = None):
    """Return the WTForms field for one dictionary field, labelled in the user's language.

    ``options`` ((value, label) pairs) make a text field a drop-down: the register's towns
    and parks, the land-use code list.
    """
    language = lang()
    label = field.heading(language)
    validators = [Dictionary(field)]
    render = {"required": True} if field.required else {}
    if field.kind == "choice" or options is not None:
        choices = [SelectChoice("", "—")] + ([SelectChoice(*o[:2], optgroup=(o[2:] or [None])[0])
                                              for o in options]
                                             if options is not None else [
            SelectChoice(c.value, c.en if language == "en" else c.zh) for c in field.choices])
        return GroupedSelectField(label, choices=choices, validators=validators,
                                  validate_choice=False, render_kw=render)
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
                    options: dict[str, list[tuple[str, str]]] | None = None,
                    **kwargs) -> FlaskForm:
    """Return a form of the dictionary ``fields`` (computed ones left out) and ``hidden`` ones;
    ``options`` turn the named fields into drop-downs (``form_field``)."""

    class DictionaryForm(FlaskForm):
        pass

    for name in hidden:
        setattr(DictionaryForm, name, HiddenField())
    for field in fields:
        if not field.computed:
            setattr(DictionaryForm, field.name,
                    form_field(field, (options or {}).get(field.name)))
    return DictionaryForm(**kwargs)


def land_use_options(first: str | None) -> list[tuple[str, str, str]]:
    """Return the land-use codes as (code, "code name", system) in the user's language, one
    group per code system, the system ``first`` first.

    One code names different land in different systems (docs/domain.md "Land-use codes"), so
    each system is its own group; the parcel's system field says which one the code is read
    in. Read from the code list (geo/reference.py), so a system added there is offered here.
    """
    language = lang()
    order = [c.value for c in CODE_SYSTEMS]
    codes = sorted(land_use_codes().values(), key=lambda c: (
        c.system != first, order.index(c.system) if c.system in order else len(order), c.code))
    return [(c.code, c.label(language), system_label(c.system, language)) for c in codes]


def parcel_options(found: Places | None, current: dict | None = None
                   ) -> dict[str, list[tuple[str, str]]]:
    """Return the drop-downs of a parcel form: towns, parks (in use) and land-use codes.

    A value stored before (a town of earlier boundaries) stays on offer, so the form shows it.
    """
    options: dict[str, list[tuple[str, ...]]] = {}
    for name, system in LAND_USE_FIELDS.items():
        if get_field("parcel", name).kind != "choice":
            # the current use is usually surveyed in 三调, the planned in 用地用海分类
            default = "sandiao" if name == "land_use" else "ydyh2023"
            options[name] = land_use_options((current or {}).get(system) or default)
    if found is not None:
        language = lang()
        for kind, name in PARCEL_FIELD.items():
            options[name] = [(p.name, p.name if language == "zh" else
                              f"{p.name} ({p.name_en})") for p in found.of(kind)]
    for name, values in options.items():
        stored = (current or {}).get(name)
        if stored and stored not in {v for v, *_rest in values}:
            values.append((str(stored), str(stored)))
    return options


def parcel_form(layer: str, *, new: bool = False, places: Places | None = None,
                current: dict | None = None, **kwargs) -> FlaskForm:
    """Return the attribute form of a parcel of ``layer`` (with its code when ``new``).

    Town and park are drop-downs of ``places``, land use one of the code list; the user may
    confirm an overlap with another parcel (``confirm_overlap``) after being warned of it.
    """
    fields = [f for f in fields_for("parcel", layer) if new or f.name != "code"]
    form = dictionary_form(fields, ("version", "geometry", "confirm_overlap"),
                           parcel_options(places, current or kwargs.get("data")), **kwargs)
    return form


def required_names(entity: str = "parcel") -> set[str]:
    """Return the names of ``entity``'s required fields (marked on the forms)."""
    return {f.name for f in fields_for(entity) if f.required}


def project_form(places: Places | None = None, current: dict | None = None,
                 **kwargs) -> FlaskForm:
    """Return the attribute form of a project (its stage moves on the project page only);
    its town is a drop-down of ``places``' towns (and the ``current`` one)."""
    options = {}
    if places is not None:
        options["town"] = parcel_options(places, current or kwargs.get("data"))["town"]
    return dictionary_form(editable_fields(), options=options, **kwargs)


def dictionary_values(form: FlaskForm) -> dict[str, object]:
    """Return the form's dictionary fields as {name: value}, without version and geometry."""
    return {name: f.data for name, f in form._fields.items()
            if name not in ("version", "geometry", "csrf_token", "confirm_overlap")}


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
