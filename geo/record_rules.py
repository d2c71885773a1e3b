"""Rules over a whole parcel record (fields that must agree), checked on every write path.

The data dictionary checks each value on its own (geo/field_types.py); these rules need the
record as it will be stored: a partial update (``PATCH {"layer": "stock"}``) must not leave an
idle status on a stock parcel just because the status was not sent. They run

- on every ORM flush of a parcel (``geo/models.py`` installs the hook): the API, the forms,
  restoring a version, splits, merges, matching and the ledger;
- on every row of an import (``geo/importer/validate.py``), and on the merged record when an
  import updates a parcel (``geo/importer/commit.py``), since imports write in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping

from geo.errors import N_, FieldError
from geo.fields import PARCEL_STATUSES, get_field
from geo.idle_law import method_problem
from geo.land_use import system_label
from geo.reference import land_use

# Statuses of idle land being dealt with (闲置未处置, 处置中): the idle layer's alone.
IDLE_LAYER_ONLY = ("idle", "disposing")
STATUSES_BY_LAYER = {
    "idle": tuple(c.value for c in PARCEL_STATUSES),
    "stock": tuple(c.value for c in PARCEL_STATUSES if c.value not in IDLE_LAYER_ONLY),
}
# Names of the fields the rules read, so a caller can hand over just those.
RULE_FIELDS = ("layer", "status", "plot_ratio_min", "plot_ratio_max", "idle_cause", "disposal",
               "land_use", "land_use_system", "planned_use", "planned_use_system",
               "registered_area", "registered_area_unit")


def parcel_problems(record: Mapping[str, object]) -> list[FieldError]:
    """Return what is wrong with a parcel ``record`` as a whole (empty when nothing is).

    >>> [e.field for e in parcel_problems({"layer": "stock", "status": "idle"})]
    ['status']
    >>> parcel_problems({"layer": "idle", "status": "idle", "plot_ratio_min": 1.0,
    ...                  "plot_ratio_max": 2.0})
    []
    """
    problems = []
    layer, status = record.get("layer"), record.get("status")
    if layer in STATUSES_BY_LAYER and status and status not in STATUSES_BY_LAYER[layer]:
        status_field = get_field("parcel", "status")
        problems.append(FieldError(
            "status", N_("Status %(value)s is not one a parcel of %(layer)s can have; choose "
                         "one of: %(choices)s."),
            value=status_field.choice_label(status, "zh"),
            layer=get_field("parcel", "layer").choice_label(layer, "zh"),
            choices="、".join(status_field.choice_label(s, "zh")
                             for s in STATUSES_BY_LAYER[layer])))
    low, high = record.get("plot_ratio_min"), record.get("plot_ratio_max")
    if low is not None and high is not None and float(low) > float(high):
        problems.append(FieldError(
            "plot_ratio_min", N_("%(field)s %(low)s is above the planned maximum %(high)s."),
            low=f"{float(low):g}", high=f"{float(high):g}"))
    # 令53: a government cause never leads to the fee or to recovery without compensation.
    unlawful = method_problem(record.get("idle_cause"), record.get("disposal"))
    if unlawful is not None:
        problems.append(unlawful)
    for name in ("land_use", "planned_use"):
        # a code is read in its own system; one without a system is kept but never matched
        code, system = record.get(name), record.get(f"{name}_system")
        if code and system and land_use(system, code) is None:
            problems.append(FieldError(
                name, N_("Land-use code %(value)s is not a code of %(system)s."),
                value=code, system=system_label(system)))
    if record.get("registered_area") is not None and not record.get("registered_area_unit"):
        problems.append(FieldError(
            "registered_area_unit", N_("%(field)s: say the unit of the registered area "
                                       "(平方米, 亩 or 公顷).")))
    return problems


def check_parcel(record: Mapping[str, object]) -> None:
    """Raise the first problem of a parcel ``record`` as a whole (FieldError, HTTP 400)."""
    problems = parcel_problems(record)
    if problems:
        raise problems[0]


def check_parcel_object(parcel: object) -> None:
    """Raise the first problem of a Parcel as it stands (before it is written)."""
    check_parcel({name: getattr(parcel, name) for name in RULE_FIELDS})
