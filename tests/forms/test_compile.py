"""Each form compiled to Polars on a tiny table: met, not met, and unknown where data is missing."""

from __future__ import annotations

import datetime as dt

import polars as pl
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

AS_OF = dt.date(2019, 6, 1)


def judged(requirement, metric: str, frame: dict, columns, unit: str = "", as_of: dt.date = AS_OF) -> dict:
    """Column by column: value, ok, lo, hi, text and applies of the compiled part."""
    part = forms.compile_requirement(requirement, metric, columns, as_of, unit)
    expressions = [
        part.value.alias("value"),
        part.ok.alias("ok"),
        part.lo.alias("lo"),
        part.hi.alias("hi"),
        part.text.alias("text"),
        (part.applies if part.applies is not None else pl.lit(True)).alias("applies"),
    ]
    # with_columns, not select: literal bounds broadcast to every row
    return pl.DataFrame(frame).with_columns(expressions).to_dict(as_series=False)


def test_minimum_maximum_and_range_leave_missing_values_unknown(columns):
    frame = {"x": [3.0, 1.0, None]}
    minimum = judged(Minimum(value=2), "x", frame, columns, "个")
    assert minimum["ok"] == [True, False, None]
    assert minimum["text"] == ["≥ 2 个"] * 3
    assert judged(Maximum(value=2), "x", frame, columns)["ok"] == [False, True, None]
    within = judged(Range(min=1, max=2), "x", frame, columns, "人")
    assert within["ok"] == [False, True, None]
    assert (within["lo"][0], within["hi"][0], within["text"][0]) == (1.0, 2.0, "1–2 人")


def test_a_rate_bound_reads_as_a_percentage(columns):
    frame = {"x": [0.35, 0.1]}
    assert judged(Minimum(value=0.3), "x", frame, columns, "比例")["text"] == ["≥ 30%"] * 2
    assert judged(Range(min=0.2, max=0.35), "x", frame, columns, "比例")["text"][0] == "20%–35%"


def test_scaled_minimum_below_the_floor_fails_even_without_its_basis(columns):
    frame = {"households": [1500, 800, None, None], "area": [450.0, 300.0, 250.0, 5000.0]}
    scaled = judged(ScaledMinimum(rate=30, per=100, floor=300), "area", frame, columns, "m²")
    # 1500 / 100 × 30 = 450; 800 households fall back on the 300 m² floor
    assert scaled["lo"] == [450.0, 300.0, None, None]
    assert scaled["ok"] == [True, True, False, None]
    assert scaled["text"][:2] == ["≥ 450 m²", "≥ 300 m²"]


def test_share_is_unknown_when_the_denominator_is_zero_or_missing(columns):
    frame = {"office": [100.0, 150.0, 10.0, 10.0], "space": [500.0, 500.0, 0.0, None]}
    share = judged(Share(of="space", max=0.2), "office", frame, columns)
    assert share["value"][:2] == [0.2, 0.3]
    assert share["ok"] == [True, False, None, None]
    assert share["text"][0] == "≤ 20% of space"
    assert forms.compile_requirement(Share(of="space", max=0.2), "office", columns, AS_OF).unit == "比例"


def test_presence_and_placement(columns):
    assert judged(Present(), "count.x", {"count.x": [2, 0, None]}, columns)["ok"] == [True, False, None]
    floors = {"floor": [1, 3, -1, None]}
    assert judged(Placement(floors=(1, 2)), "floor", floors, columns)["ok"] == [True, False, False, None]
    assert judged(Placement(floors=(1, 2), basement=True), "floor", floors, columns)["ok"] == [True, False, True, None]


def test_a_form_naming_its_own_metric_reads_it(columns):
    frame = {"households": [100, 100], "population": [12000, 9000]}
    assert judged(Minimum(value=10000, metric="population"), "households", frame, columns)["ok"] == [True, False]


def test_conditional_without_otherwise_does_not_apply_when_its_condition_fails(columns):
    requirement = Conditional(when=Condition(metric="members", min=50), then=Present())
    frame = {"members": [60, 60, 20, None], "branch": [1, 0, 0, 1]}
    result = judged(requirement, "branch", frame, columns)
    assert result["applies"] == [True, True, False, None]
    assert result["ok"][:2] == [True, False]
    assert result["text"][0] == "if members ≥ 50: present"


def test_conditional_with_otherwise_judges_the_branch_that_holds(columns):
    requirement = Conditional(
        when=Condition(metric="population", min=5000), then=Minimum(value=2), otherwise=Minimum(value=1)
    )
    frame = {"population": [6000, 6000, 3000, None], "rooms": [2, 1, 1, 5]}
    result = judged(requirement, "rooms", frame, columns)
    assert result["ok"] == [True, False, True, None]
    assert result["text"][1:3] == ["(population ≥ 5000) ≥ 2", "(not population ≥ 5000) ≥ 1"]


STAGED = Staged(
    stages=(
        Stage(due=dt.date(2018, 12, 31), requirement=Minimum(value=2)),
        Stage(due=dt.date(2020, 12, 31), requirement=Minimum(value=5)),
    )
)


def test_staged_compiles_the_stage_in_force_and_is_not_due_before_the_first(columns):
    before = forms.compile_requirement(STAGED, "x", columns, dt.date(2018, 1, 1))
    assert (before.not_due, before.due) == (True, dt.date(2018, 12, 31))
    between = judged(STAGED, "x", {"x": [3.0, 1.0]}, columns, as_of=dt.date(2019, 6, 1))
    assert between["ok"] == [True, False]
    assert between["text"][0] == "≥ 2 (from 2018-12-31)"
    later = judged(STAGED, "x", {"x": [3.0]}, columns, as_of=dt.date(2021, 1, 1))
    assert (later["ok"], later["lo"]) == ([False], [5.0])


def test_any_of_is_met_when_one_option_is_and_unknown_only_when_none_is(columns):
    requirement = AnyOf(options=(Minimum(value=2000, metric="households"), Minimum(value=10000, metric="population")))
    frame = {"households": [2500, 100, None, 100], "population": [100, 12000, 100, None]}
    result = judged(requirement, "households", frame, columns)
    assert result["ok"] == [True, True, None, None]
    assert result["value"][:2] == [2500.0, 12000.0]  # the value of the option met
    # an option on another metric than the rule's is named (in a unitless test: no unit after it)
    assert result["text"][0] == "≥ 2000 or population ≥ 10000"


def test_all_of_fails_when_one_part_fails_and_is_unknown_only_when_none_fails(columns):
    requirement = AllOf(options=(Present(metric="count.a"), Present(metric="count.b")))
    frame = {"count.a": [1, 1, 0, None, None], "count.b": [2, 0, None, 1, None]}
    result = judged(requirement, "count.a", frame, columns)
    assert result["ok"] == [True, False, False, None, None]
    # the value shown is that of the first part not met, else of the first part
    assert result["value"][:3] == [1.0, 0.0, 0.0]
    assert result["text"][0] == "present and count.b present"  # a part on another metric than the rule's is named


def test_an_aggregate_is_not_compiled_per_community(columns):
    with pytest.raises(TypeError, match="cannot compile requirement form 'aggregate' per community"):
        forms.compile_requirement(Aggregate(statistic="sum", min=1), "x", columns, AS_OF)
