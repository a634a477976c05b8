"""Which stage is in force, and how staged and conditional layers settle for a hypothetical community."""

from __future__ import annotations

import datetime as dt

from shequ import forms
from shequ.forms.staged import in_force
from shequ.model import Condition, Conditional, Minimum, Present, ScaledMinimum, Share, Stage, Staged

FIRST, SECOND = dt.date(2018, 12, 31), dt.date(2020, 12, 31)
STAGED = Staged(
    stages=(Stage(due=FIRST, requirement=Minimum(value=2)), Stage(due=SECOND, requirement=Minimum(value=5)))
)


def test_the_latest_stage_whose_date_has_come_is_in_force():
    assert in_force(STAGED, dt.date(2018, 1, 1)) == (STAGED.stages[0], False)  # nothing due yet: the first, not due
    assert in_force(STAGED, FIRST) == (STAGED.stages[0], True)  # due on its date
    assert in_force(STAGED, dt.date(2020, 12, 30)) == (STAGED.stages[0], True)
    assert in_force(STAGED, SECOND) == (STAGED.stages[1], True)
    assert in_force(STAGED, dt.date(2030, 1, 1)) == (STAGED.stages[1], True)


def test_only_a_staged_requirement_has_stages():
    assert forms.stages(STAGED) == STAGED.stages
    assert forms.stage_in_force(STAGED, SECOND) == (STAGED.stages[1], True)
    assert forms.stages(Minimum(value=1)) == ()
    assert forms.stage_in_force(Minimum(value=1), SECOND) is None


def peel(requirement, as_of: dt.date = SECOND, **values: float | None):
    return forms.form_of(requirement).peel(requirement, as_of, values.get)


def test_peeling_a_staged_requirement_notes_when_its_stage_binds():
    assert peel(STAGED) == forms.Step(then=Minimum(value=5), due=SECOND, note="from 2020-12-31")
    assert peel(STAGED, dt.date(2018, 1, 1)) == forms.Step(
        then=Minimum(value=2), due=FIRST, note="not before 2018-12-31"
    )
    assert peel(Minimum(value=1)) is None  # nothing to settle


def test_peeling_a_conditional_picks_the_branch_the_community_falls_in():
    branch = Conditional(when=Condition(metric="population", min=5000), then=Present())
    assert peel(branch, population=6000) == forms.Step(then=Present())
    assert peel(branch, population=None) == forms.Step(then=Present(), depends="if population ≥ 5000")
    assert peel(branch, population=3000) == forms.Step(then=None, not_applicable="only if population ≥ 5000")
    with_otherwise = Conditional(when=branch.when, then=Present(), otherwise=Minimum(value=1))
    assert peel(with_otherwise, population=3000) == forms.Step(then=Minimum(value=1))


def test_aspects_rank_rates_per_100_households_whatever_the_document_wrote(display):
    per_household = ScaledMinimum(rate=0.3, basis="households", floor=300)
    aspects = forms.form_of(per_household).aspects(per_household, display("m²"))
    assert aspects == (
        ("rate per 100 households", 30.0, "≥ 30 m² per 100 households"),
        ("minimum", 300.0, "≥ 300 m²"),
    )
    share = Share(of="population", min=0.04)
    assert forms.form_of(share).aspects(share, display("%", 100.0)) == (("minimum", 4.0, "≥ 4%"),)
    assert forms.form_of(Present()).aspects(Present(), display("")) == (("presence", "present", "present"),)
