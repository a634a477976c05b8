"""The dispatch: one form per model class, structure walked through it, and no Polars for listing a standard."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from shequ import forms
from shequ.model import (
    REQUIREMENT_FORMS,
    Aggregate,
    AnyOf,
    Condition,
    Conditional,
    Minimum,
    Present,
    Range,
    ScaledMinimum,
    Share,
    Stage,
    Staged,
)


def test_every_form_of_the_schema_has_its_own_module():
    assert set(forms.FORMS) == set(REQUIREMENT_FORMS.values()), "add the new form's module to forms.FORMS"
    modules = {type(form).__module__ for form in forms.FORMS.values()}
    assert len(modules) == len(forms.FORMS)


def test_an_unknown_class_is_refused():
    with pytest.raises(TypeError, match="no requirement form handles Condition"):
        forms.form_of(Condition(metric="population", min=1))  # type: ignore[arg-type]


def test_importing_the_model_registry_and_forms_loads_no_polars():
    # `shequ --help` and reference checks must stay instant: Polars loads only when something is compiled
    code = "import shequ.registry, shequ.model, shequ.forms, sys; assert 'polars' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


STAGED = Staged(
    stages=(
        Stage(due=dt.date(2018, 12, 31), requirement=Minimum(value=2)),
        Stage(due=dt.date(2020, 12, 31), requirement=Minimum(value=5)),
    )
)


def test_walk_visits_every_nested_requirement_depth_first():
    then = AnyOf(options=(Range(min=1, max=2, metric="households"), Present(metric="count.x")))
    conditional = Conditional(when=Condition(metric="population", min=5000), then=then, otherwise=Minimum(value=1))
    assert list(forms.walk(conditional)) == [conditional, then, *then.options, conditional.otherwise]
    share_of = Aggregate(statistic="share", condition=Present(), min=0.5)
    assert list(forms.walk(share_of)) == [share_of, Present()]
    assert list(forms.walk(STAGED)) == [STAGED, *(stage.requirement for stage in STAGED.stages)]


def test_leaf_is_the_form_that_says_what_is_measured():
    assert forms.leaf(STAGED) == Minimum(value=5)  # the final stage
    share = Share(of="population", min=0.04)
    assert forms.leaf(Conditional(when=Condition(metric="population", min=1), then=share)) == share
    alternatives = AnyOf(options=(Minimum(value=1), Minimum(value=2, metric="population")))
    assert forms.leaf(alternatives) is alternatives


def test_references_name_every_metric_a_form_reads_for_the_registry_to_check():
    assert forms.references(Minimum(value=1)) == ()  # the rule's metric, checked with the rule
    assert forms.references(ScaledMinimum(rate=30, per=100, metric="area.x")) == (
        ("metric", "area.x"),
        ("basis", "households"),
    )
    assert forms.references(Share(of="population", min=0.04)) == (("of", "population"),)
    assert forms.references(Aggregate(statistic="rate", of="resident_units", min=0.4)) == (("of", "resident_units"),)
    conditional = Conditional(when=Condition(metric="party_members", min=50), then=Present())
    assert forms.references(conditional) == (("when.metric", "party_members"),)


def test_numbers_are_what_the_audit_looks_for_in_the_quote():
    assert forms.numbers(ScaledMinimum(rate=30, per=100, floor=300)) == (("rate", 30), ("per", 100), ("floor", 300))
    assert forms.numbers(ScaledMinimum(rate=0.3)) == (("rate", 0.3),)  # per 1 is not written in a document
    assert forms.numbers(Share(of="population", per=10000, min=2)) == (("min", 2), ("per", 10000))
    assert forms.numbers(Range(min=5, max=9)) == (("min", 5), ("max", 9))
    assert forms.numbers(Present()) == ()
    assert forms.numbers(STAGED) == ()  # each stage states its own


def test_measured_says_what_a_comparison_keys_a_form_by():
    assert forms.measured(Minimum(value=1), "households") == forms.Measured("households")
    assert forms.measured(Minimum(value=1, metric="population"), "households") == forms.Measured("population")
    assert forms.measured(Share(of="service_space_m2", max=0.2), "staff_office_m2") == forms.Measured(
        "staff_office_m2", of="service_space_m2"
    )
    counted = Aggregate(statistic="count", condition=Present(), min=3)
    assert forms.measured(counted, "designation.x") == forms.Measured(None)  # a number of communities
