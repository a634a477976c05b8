"""Requirements in words: as the standard states them (``shequ rules``, ``show``) and in a comparison's units."""

from __future__ import annotations

import datetime as dt

import pytest

from shequ import forms
from shequ.model import (
    Aggregate,
    AllOf,
    AnyOf,
    Condition,
    Conditional,
    Maximum,
    Minimum,
    Placement,
    Present,
    Range,
    ScaledMinimum,
    Share,
    Stage,
    Staged,
)

UNITS = {"households": "户", "population": "人", "service_space_m2": "m²", "volunteer_share": "比例"}


def stated(requirement, metric: str) -> str:
    """As a standard states it, the rule on ``metric``."""
    return forms.words(requirement, UNITS[metric], UNITS.get)


@pytest.fixture
def compared(display):
    """In a comparison: ratios shown in %, other metrics in their own unit."""

    def shown(measured: forms.Measured):
        if measured.of is not None or UNITS.get(measured.metric or "") == "比例":
            return display("%", 100.0)
        return display(UNITS.get(measured.metric or "", ""))

    return lambda requirement, metric: forms.words(requirement, unit_of=UNITS.get, shown=shown, metric=metric)


def test_bounds_in_the_metric_unit_a_rate_in_percent():
    assert stated(Minimum(value=300), "service_space_m2") == "≥ 300 m²"
    assert stated(Maximum(value=9000), "population") == "≤ 9000 人"
    assert stated(Range(min=1000, max=2000), "households") == "1000–2000 户"
    assert stated(Range(min=7, max=7), "population") == "exactly 7 人"
    # a rate (unit 比例) is a fraction in the TOML and a percentage in words, as the documents write it
    assert stated(Minimum(value=0.3), "volunteer_share") == "≥ 30%"
    assert stated(Maximum(value=0.2), "volunteer_share") == "≤ 20%"
    assert stated(Range(min=0.2, max=0.35), "volunteer_share") == "20%–35%"


def test_a_comparison_shows_ratios_in_percent_and_ranges_with_an_equals_sign(compared):
    assert compared(Minimum(value=0.3), "volunteer_share") == "≥ 30%"
    assert compared(Range(min=7, max=7), "population") == "= 7 人"
    assert compared(Maximum(value=9000), "population") == "≤ 9000 人"


def test_scaled_minimum_says_rate_basis_and_floor_in_both_voices(compared):
    scaled = ScaledMinimum(rate=30, per=100, basis="households", floor=300)
    text = "≥ 30 m² per 100 households, at least 300 m²"
    assert stated(scaled, "service_space_m2") == text
    assert compared(scaled, "service_space_m2") == text  # a rate has no single bound to convert


def test_share_in_percent_or_per_so_many(compared):
    assert stated(Share(of="population", min=0.04), "households") == "≥ 4% of population"
    per_10000 = Share(of="population", per=10000, min=2, max=5)
    assert stated(per_10000, "households") == "≥ 2 per 10000 and ≤ 5 per 10000 of population"
    # a comparison puts both bounds in one range
    assert compared(Share(of="population", min=0.04, max=0.1), "households") == "4–10% of population"


def test_a_share_a_catalog_ratio_names_is_not_followed_by_its_denominator(display):
    ratio = display("%", 100.0, normalised="share of staff_office_m2 in service_space_m2 = staff_office_share")
    share = Share(of="service_space_m2", max=0.2)
    assert forms.words(share, unit_of=UNITS.get, shown=lambda _: ratio, metric="staff_office_m2") == "≤ 20%"


def test_presence_and_placement():
    assert stated(Present(), "households") == "present"
    assert stated(Present(metric="count.police_room"), "households") == "count.police_room: present"
    assert stated(Placement(floors=(1, 2)), "households") == "floor 1 or 2, not a basement"
    assert stated(Placement(floors=(1,), basement=True), "households") == "floor 1"


def test_an_option_on_another_metric_is_named_and_in_its_own_unit(compared):
    alternatives = AnyOf(
        options=(Range(min=2000, max=3000, metric="households"), Minimum(value=10000, metric="population"))
    )
    assert stated(alternatives, "households") == "(households: 2000–3000 户) or (population: ≥ 10000 人)"
    # a comparison keyed on households does not repeat its name
    assert compared(alternatives, "households") == "(2000–3000 户) or (population: ≥ 10000 人)"


def test_all_of_says_every_part_joined_by_and(compared):
    both = AllOf(options=(Present(metric="count.police_room"), Minimum(value=10000, metric="population")))
    assert stated(both, "households") == "(count.police_room: present) and (population: ≥ 10000 人)"
    assert compared(both, "count.police_room") == "(present) and (population: ≥ 10000 人)"


def test_conditional_says_its_condition_and_both_branches():
    branch = Conditional(
        when=Condition(metric="party_members", min=50),
        then=Present(metric="count.party_general_branch"),
        otherwise=Present(metric="count.party_branch"),
    )
    assert stated(branch, "households") == (
        "if party_members ≥ 50: count.party_general_branch: present; otherwise count.party_branch: present"
    )


def test_staged_lists_every_stage_with_its_date(compared):
    staged = Staged(
        stages=(
            Stage(due=dt.date(2018, 12, 31), requirement=Minimum(value=0.04)),
            Stage(due=dt.date(2020, 12, 31), requirement=Minimum(value=0.1)),
        )
    )
    assert stated(staged, "volunteer_share") == "≥ 4% by 2018-12-31; ≥ 10% by 2020-12-31"
    assert compared(staged, "volunteer_share") == "≥ 4% by 2018-12-31; ≥ 10% by 2020-12-31"


def test_aggregates_say_the_statistic_the_bound_and_the_scope():
    share = Aggregate(statistic="share", condition=Present(), min=0.5)
    assert stated(share, "households") == "share of communities where present ≥ 50% (per jurisdiction and per district)"
    rate = Aggregate(statistic="rate", of="population", per=10000, min=2, scope="jurisdiction")
    assert stated(rate, "households") == "per 10000 population ≥ 2 (across the jurisdiction)"
    count = Aggregate(statistic="count", condition=Present(), min=3, scope="district")
    assert stated(count, "households") == "number of communities where present ≥ 3 (per district)"
    assert stated(Aggregate(statistic="sum", max=10), "households") == "total ≤ 10 (per jurisdiction and per district)"


def test_conditions_and_coverage_in_words():
    assert forms.condition_text(Condition(metric="population", min=1000, max=5000)) == (
        "population ≥ 1000 and population ≤ 5000"
    )
    assert forms.condition_text(Condition(metric="flag.x", present=False)) == "flag.x absent"
