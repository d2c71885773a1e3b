"""The data dictionary: one definition per field, validation that names the field."""

import datetime as dt

import pytest
from sqlalchemy import inspect as sa_inspect

from geo.errors import FieldError
from geo.fields import alias_index, clean_record, fields_for, get_field
from geo.models import Building, Parcel, Project

SYSTEM_COLUMNS = {"id", "extra", "version", "created_at", "updated_at", "geom", "site",
                  "parcel_id", "deleted_at"}


@pytest.mark.parametrize(("entity", "model"), [
    ("parcel", Parcel), ("building", Building), ("project", Project),
])
def test_every_column_is_a_dictionary_field_and_back(entity, model):
    columns = {c.key for c in sa_inspect(model).columns} - SYSTEM_COLUMNS
    names = {f.name for f in fields_for(entity)} - {"parcel"}
    assert columns == names


@pytest.mark.parametrize("entity", ["parcel", "building", "project"])
def test_no_alias_names_two_fields(entity):
    seen: dict[str, str] = {}
    for f in fields_for(entity):
        for key in {f.name, f.zh, *f.aliases}:
            assert seen.setdefault(key.lower(), f.name) == f.name, key


def test_aliases_map_chinese_and_pinyin_headers():
    index = alias_index(fields_for("parcel"))
    assert index["宗地号"] == "code"
    assert index["rjl"] == "plot_ratio"
    assert index["投资强度"] == "investment_intensity"


def test_every_field_has_both_labels_and_known_unit():
    for entity in ("parcel", "building", "project"):
        for f in fields_for(entity):
            assert f.zh and f.en
            assert f.unit is None or f.unit_label("zh")


def test_idle_fields_belong_to_the_idle_layer_only():
    stock = {f.name for f in fields_for("parcel", "stock")}
    idle = {f.name for f in fields_for("parcel", "idle")}
    assert {"idle_cause", "idle_since", "disposal"} <= idle - stock


def test_clean_converts_types_and_accepts_chinese_choice_labels():
    fields = [get_field("parcel", n) for n in ("plot_ratio", "status", "agreed_start")]
    cleaned = clean_record(fields, {"plot_ratio": "1.2", "status": "可供地",
                                    "agreed_start": "2019/03/01"})
    assert cleaned == {"plot_ratio": 1.2, "status": "available",
                       "agreed_start": dt.date(2019, 3, 1)}


@pytest.mark.parametrize(("name", "value", "message"), [
    ("plot_ratio", "abc", "must be a number"),
    ("plot_ratio", "25", "between 0 and 20"),
    ("building_coefficient", "-1", "between 0 and 100"),
    ("status", "unknown", "must be one of"),
    ("agreed_start", "31/12/2020", "must be a date"),
    ("code", "", "is required"),
])
def test_clean_rejects_bad_values_naming_the_field(name, value, message):
    with pytest.raises(FieldError, match=message) as info:
        get_field("parcel", name).clean(value)
    assert info.value.field == name


def test_computed_area_is_never_taken_from_input():
    cleaned = clean_record(fields_for("parcel", "stock"),
                           {"code": "A1", "layer": "stock", "status": "available",
                            "area_m2": "123"})
    assert "area_m2" not in cleaned


def test_models_refuse_values_that_break_the_dictionary():
    with pytest.raises(FieldError, match="between 0 and 20") as info:
        Parcel(code="P1", layer="stock", status="available", plot_ratio=25)
    assert info.value.field == "plot_ratio"
    with pytest.raises(FieldError):
        Project(code="X1", name="项目", stage="unknown")


def test_models_store_choice_values_given_as_labels():
    assert Parcel(code="P1", layer="闲置工业用地", status="闲置未处置").layer == "idle"
    assert Project(code="X1", name="项目", stage="投产").stage == "producing"


@pytest.mark.parametrize("entity", ["parcel", "project"])
def test_every_field_has_its_own_shapefile_column_name(entity):
    # A Shapefile keeps 10 bytes of a column name: two fields cut to the same name break the
    # export (EMISSION_N was both NOx and NH3-N).
    names = [f.dbf_name for f in fields_for(entity)]
    assert len(names) == len(set(names))
