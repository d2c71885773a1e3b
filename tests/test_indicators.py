"""Control indicators and zone capacities: data with provenance, read from data/."""

import pytest

from geo.indicators import load_rules, load_zones, zone_of


def test_2008_plot_ratio_minimums_are_mapped_to_2017_industry_codes():
    book = load_rules()
    # 2002 code 31 (non-metallic minerals, ≥0.7) is 30 in GB/T 4754-2017; 40 (electronics,
    # ≥1.0) is 39; 32 (ferrous metals, ≥0.6) is 31.
    assert book.strictest("plot_ratio", "30").value == 0.7
    assert book.strictest("plot_ratio", "3911").value == 1.0
    assert book.strictest("plot_ratio", "31").value == 0.6
    assert book.strictest("plot_ratio", "25").value == 0.5
    assert book.strictest("plot_ratio", "43") is None  # repair: not in the 2008 table


def test_every_rule_says_where_it_comes_from():
    for rule in load_rules().rules:
        assert rule.source and rule.edition and rule.effective_date, rule
    confirmed = {r.rule_set: r.confirmed for r in load_rules().rules}
    assert confirmed == {"2008": True, "shanxi-2018": False}


def test_investment_intensity_converts_per_hectare_to_per_mu():
    rule = load_rules().strictest("investment_intensity", "39", "1")
    assert rule.value == pytest.approx(4400 / 15) and rule.unit == "wan_yuan_per_mu"


def test_caps_and_minimums_apply_to_every_industry():
    book = load_rules()
    assert book.strictest("building_coefficient", "13").value == 30
    assert book.strictest("office_share", "35").value == 7
    assert book.strictest("green_ratio", "35").value == 20


def test_parcels_outside_the_parks_fall_in_the_rest_of_the_county():
    zones = load_zones("141023")
    assert zone_of(zones, None).name == "*" and zone_of(zones, "无名园区").name == "*"
    park = zone_of(zones, "襄汾经济技术开发区")
    assert park.level == "provincial" and park.remaining["so2"] == 120 and not park.confirmed
