"""``forms.per_metric``: a requirement over several metrics as requirements of their own, one per metric.

The comparison views set each part of an ``all_of`` beside other rules on that part's metric.
"""

from __future__ import annotations

import datetime as dt

from shequ import forms
from shequ.model import AllOf, AnyOf, Minimum, Present, Stage, Staged

EARLY, LATE = dt.date(2018, 12, 31), dt.date(2020, 12, 31)


def test_a_requirement_on_one_metric_is_one_part():
    assert forms.per_metric(Minimum(value=450), "area") == (("area", Minimum(value=450)),)
    # alternatives are one requirement: either option meets it
    either = AnyOf(options=(Present(metric="count.a"), Present(metric="count.b")))
    assert forms.per_metric(either, "count.a") == (("count.a", either),)


def test_all_of_gives_each_metric_its_parts():
    both = AllOf(options=(Present(metric="count.a"), Minimum(value=2, metric="count.b"), Minimum(value=1)))
    assert forms.per_metric(both, "count.c") == (
        ("count.a", Present(metric="count.a")),
        ("count.b", Minimum(value=2, metric="count.b")),
        ("count.c", Minimum(value=1)),
    )
    # parts on one metric stay one requirement on it
    same = AllOf(options=(Minimum(value=1, metric="count.a"), Present(metric="count.b"), Minimum(value=3)))
    assert forms.per_metric(same, "count.a") == (
        ("count.a", AllOf(options=(Minimum(value=1, metric="count.a"), Minimum(value=3)))),
        ("count.b", Present(metric="count.b")),
    )


def test_a_staged_all_of_stages_each_metric_from_the_first_stage_naming_it():
    # the 一有七中心 shape: one centre due first, then all of them
    staged = Staged(
        stages=(
            Stage(due=EARLY, requirement=Present(metric="count.b")),
            Stage(due=LATE, requirement=AllOf(options=(Present(metric="count.a"), Present(metric="count.b")))),
        )
    )
    assert forms.per_metric(staged, "count.a") == (
        ("count.a", Staged(stages=(Stage(due=LATE, requirement=Present(metric="count.a")),))),
        ("count.b", Staged(stages=(Stage(due=EARLY, requirement=Present(metric="count.b")),))),
    )


def test_a_staged_requirement_dropping_a_metric_is_not_split():
    # a metric a later stage no longer bounds would read as still required: the rule stays whole
    staged = Staged(
        stages=(
            Stage(due=EARLY, requirement=AllOf(options=(Present(metric="count.a"), Present(metric="count.b")))),
            Stage(due=LATE, requirement=Present(metric="count.a")),
        )
    )
    assert forms.per_metric(staged, "count.a") == (("count.a", staged),)
