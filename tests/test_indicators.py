"""Control indicators and zone capacities: data with provenance, read from data/."""

import csv
import datetime as dt

import pytest

from geo.county import DATA_DIR
from geo.indicators import RuleBook, load_rules, load_zones, region_class_of, zone_of
from geo.reference import industry_codes

ON_2008 = dt.date(2022, 6, 1)  # the 2008 edition in force (docs/domain.md)


def _value(indicator, industry, on=ON_2008, level=None):
    rules = load_rules().where(on, "141023").applicable(indicator, industry, level)
    return [(r.rule_set, r.value) for r in rules]


def test_2008_plot_ratio_minimums_are_mapped_to_2017_industry_codes():
    # 2002 code 31 (non-metallic minerals, ≥0.7) is 30 in GB/T 4754-2017; 40 (electronics,
    # ≥1.0) is 39; 32 (ferrous metals, ≥0.6) is 31.
    assert _value("plot_ratio", "30") == [("2008", 0.7)]
    assert _value("plot_ratio", "3911") == [("2008", 1.0)]
    assert _value("plot_ratio", "31") == [("2008", 0.6)]
    assert _value("plot_ratio", "25") == [("2008", 0.5)]
    assert _value("plot_ratio", "43") == []  # repair: not in the 2008 table


def test_rubber_and_plastics_read_the_2008_table_by_group():
    # 2017's 29 merges 2002's 29 rubber (≥0.8) and 30 plastics (≥1.0): plastics is 1.0.
    assert _value("plot_ratio", "29") == [("2008", 1.0)]
    assert _value("plot_ratio", "2922") == [("2008", 1.0)]
    assert _value("plot_ratio", "2911") == [("2008", 0.8)]


def test_every_rule_carries_edition_document_region_dates_scope_and_source():
    for rule in load_rules().rules:
        assert rule.source and rule.edition and rule.document and rule.region, rule
        assert rule.scope == "13-43", rule
        assert rule.effective_from or not rule.confirmed, rule  # no date: never confirmed
    confirmed = {(r.rule_set, r.confirmed) for r in load_rules().rules}
    assert confirmed == {("2008", True), ("2023", False), ("shanxi-2018", False)}


def test_the_shanxi_news_figure_has_no_invented_date_and_stays_unconfirmed():
    shanxi = [r for r in load_rules().rules if r.rule_set == "shanxi-2018"]
    assert shanxi and all(r.effective_from == "" and not r.confirmed for r in shanxi)
    assert all(r.region == "14" and "待确认" in r.source for r in shanxi)


def test_no_investment_intensity_cell_without_a_source_is_left():
    assert not [r for r in load_rules().rules if r.indicator == "investment_intensity"
                and r.region == "CN"]


def test_editions_follow_each_other_in_time():
    assert {r for r, _ in _value("plot_ratio", "39", dt.date(2023, 6, 24))} == {"2008"}
    assert {r for r, _ in _value("plot_ratio", "39", dt.date(2023, 6, 25))} == {"2023"}
    assert _value("plot_ratio", "39", dt.date(2007, 1, 1)) == []


def test_manufacturing_rules_are_not_written_for_other_projects():
    book = load_rules().where(ON_2008, "141023")
    assert book.covers("3911") and not book.covers("59") and not book.covers("65")
    assert book.applicable("building_coefficient", "5990") == []


def test_caps_and_minimums_apply_to_every_manufacturing_industry():
    assert _value("building_coefficient", "13") == [("2008", 30)]
    assert _value("office_share", "35") == [("2008", 7)]
    assert _value("green_ratio", "35") == [("2008", 20)]


def test_provincial_rules_apply_only_in_their_province():
    assert _value("investment_intensity", "35", level="provincial") == [("shanxi-2018", 200)]
    book = load_rules()
    elsewhere = RuleBook(book.rules, book.rule_sets, ON_2008, "410101")  # outside Shanxi
    assert elsewhere.applicable("investment_intensity", "35", "provincial") == []


def test_the_region_class_comes_from_the_county_land_grade():
    region = region_class_of("141023")
    assert region.land_grade is None and region.region_class is None  # grade not confirmed
    with open(DATA_DIR / "land_grade_classes.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["land_grade"]) for r in rows] == list(range(1, 16))
    assert {r["region_class"] for r in rows} == {str(c) for c in range(1, 8)}
    assert all(r["source"] and r["confirmed"] == "no" for r in rows)


def test_industry_codes_are_gb_t_4754_2017():
    codes = industry_codes()
    assert codes["88"].zh == "文化艺术业" and "87" not in codes  # 2011's 87 is 2017's 88
    assert codes["16"].zh == "烟草制品业"


@pytest.mark.parametrize("industry", ["8810", "5990", "6510"])
def test_non_manufacturing_codes_are_accepted(industry):
    from geo.needs import parse_needs

    needs = parse_needs({"industry": industry, "land_class": "industrial",
                         "area_min_mu": 10, "total_investment": 1000})
    assert needs.industry == industry


def test_parcels_outside_the_parks_fall_in_the_rest_of_the_county():
    zones = load_zones("141023")
    assert zone_of(zones, None).name == "*" and zone_of(zones, "无名园区").name == "*"
    park = zone_of(zones, "襄汾经济技术开发区")
    assert park.level == "provincial" and park.remaining["so2"] == 120 and not park.confirmed


def _rule(rule_set, value, confirmed, **kw):
    from geo.indicators import Rule

    return Rule("plot_ratio", "min", value, "ratio", edition=rule_set, document="doc",
                effective_from="2020-01-01", scope="13-43", source=f"source {rule_set}",
                confirmed=confirmed, rule_set=rule_set, **kw)


def test_the_strictest_confirmed_rule_decides_and_an_unconfirmed_one_only_warns():
    book = RuleBook((_rule("national", 1.0, True), _rule("local", 1.5, False, region="14")),
                    on=dt.date(2024, 1, 1), county="141023")
    failed = book.judge("plot_ratio", "35", None, 0.9)
    assert (failed.severity, failed.rule.rule_set, failed.passed) == ("error", "national", False)
    warned = book.judge("plot_ratio", "35", None, 1.2)
    assert (warned.severity, warned.rule.rule_set, warned.passed) == ("warning", "local", False)
    ok = book.judge("plot_ratio", "35", None, 1.5)
    assert (ok.severity, ok.rule.rule_set, ok.confirmed) == ("ok", "national", True)
    assert book.judge("plot_ratio", "59", None, 0.1) is None  # logistics: out of scope


def test_a_rule_needing_an_unconfirmed_region_class_cannot_reject():
    from geo.indicators import RegionClass

    rule = _rule("national", 1.0, True, region_class="7")
    book = RuleBook((rule,), on=dt.date(2024, 1, 1),
                    region=RegionClass(14, "7", False, "unconfirmed table"))
    assert book.judge("plot_ratio", "35", None, 0.5).severity == "warning"
    sure = RuleBook((rule,), on=dt.date(2024, 1, 1), region=RegionClass(14, "7", True, "s"))
    assert sure.judge("plot_ratio", "35", None, 0.5).severity == "error"
    unknown = RuleBook((rule,), on=dt.date(2024, 1, 1))
    assert unknown.judge("plot_ratio", "35", None, 0.5) is None  # no class: the row is moot
