"""Project needs: one validated structure; bad values name their field."""

import pytest

from geo.errors import FieldError
from geo.needs import parse_needs

GOOD = {"industry": "3311", "land_class": "二类工业用地", "area_min_mu": "20", "area_max_mu": "60",
        "total_investment": "9000", "emission_so2": "3.5", "gas": "是", "towns": "新城镇，汾城镇",
        "lon": "111.44", "lat": "35.88", "max_distance_km": "10"}


def test_form_values_become_typed_needs():
    needs = parse_needs(GOOD)
    assert needs.land_class == "industrial2" and needs.area_min_mu == 20.0
    assert needs.emissions == {"so2": 3.5} and needs.gas is True and needs.rail is False
    assert needs.towns == ("新城镇", "汾城镇") and needs.point == (111.44, 35.88)
    assert needs.layers == ("idle", "stock")
    echoed = needs.as_json()
    assert echoed["emission_so2"] == 3.5 and echoed["towns"] == ["新城镇", "汾城镇"]


def test_a_factory_can_stand_in_for_the_land_area():
    raw = {k: v for k, v in GOOD.items() if not k.startswith("area")}
    needs = parse_needs({**raw, "factory_floor_area_m2": 5000})
    assert needs.wants_factory and needs.area_min_mu is None


@pytest.mark.parametrize(("change", "field"), [
    ({"area_min_mu": None}, "area_min_mu"),
    ({"total_investment": "-1"}, "total_investment"),
    ({"total_investment": None}, "total_investment"),
    ({"industry": "99"}, "industry"),
    ({"industry": "abc"}, "industry"),
    ({"land_class": "forest"}, "land_class"),
    ({"area_max_mu": "10"}, "area_max_mu"),
    ({"lat": None}, "lat"),
    ({"emission_nox": "lots"}, "emission_nox"),
    ({"layers": "sites"}, "layers"),
])
def test_bad_needs_name_the_field(change, field):
    with pytest.raises(FieldError) as caught:
        parse_needs({**GOOD, **change})
    assert caught.value.field == field
