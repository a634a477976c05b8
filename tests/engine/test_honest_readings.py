"""Modality, approximation, time and partial knowledge, read honestly: hand-worked on tiny standards.

A permission (可) or a guidance norm (原则上/为宜/左右) never fails: not met, it ``departs``.
A tolerance (our reading of 左右) widens the bounds it is given on. Nothing is in force before its
document's date (``not_in_force``). A fail whose requirement is only partly known reports what is
known of the shortfall (a lower bound) or nothing, never 0. Rules that restate one another count once.
Every standard here is the test's own (the ``make_registry`` fixture), so the plugins' readings can
change without moving these answers; the reference evaluator is asked the same questions.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shequ.engine import VERDICTS, evaluate
from shequ.engine.reference import evaluate_rule

AS_OF = dt.date(2019, 6, 1)  # the tiny standards' document is dated 2018-08-22


def rule(rule_id: str, metric: str, requirement: str, extra: str = "") -> str:
    return f"""
[[rules]]
id = "{rule_id}"
title = "规则"
metric = "{metric}"
requirement = {requirement}
source = {{ clause = "1", quote = "q" }}
{extra}
"""


def details(registry, frame: dict, as_of: dt.date = AS_OF) -> pl.DataFrame:
    return evaluate(pl.DataFrame(frame), ["mini"], as_of=as_of, registry=registry).details()


def column(registry, frame: dict, name: str = "verdict", as_of: dt.date = AS_OF) -> list:
    return details(registry, frame, as_of).get_column(name).to_list()


def reference(registry, frame: dict, as_of: dt.date = AS_OF) -> list[str]:
    """The same verdicts from the independent per-row evaluator, rule by rule."""
    loaded = registry.get("mini")
    date = loaded.standard.documents[0].date
    return [
        VERDICTS[evaluate_rule(row, r, registry.catalog, as_of, date)]
        for row in pl.DataFrame(frame).to_dicts()
        for r in loaded.standard.rules
    ]


# --------------------------------------------------------------------------
# modality: a permission and a guidance norm never fail


@pytest.mark.parametrize("strength", ["permissive", "guidance"])
def test_a_permission_or_a_guidance_norm_not_met_departs_and_never_fails(make_registry, strength):
    # 「交叉任职比例可在70%以上」: a permission, read as a share of at least 70 %
    registry = make_registry(
        rule("cross", "party_members", '{ form = "share", of = "population", min = 0.7 }', f'strength = "{strength}"')
    )
    frame = {"id": list("abcd"), "party_members": [80, 69, 0, None], "population": [100, 100, 100, 100]}
    assert column(registry, frame) == ["pass", "departs", "departs", "unknown"]
    assert reference(registry, frame) == ["pass", "departs", "departs", "unknown"]
    # what it would take is still said: 70 % − 69 % = 1 point short
    assert column(registry, frame, "shortfall")[:2] == [0.0, pytest.approx(0.01)]
    assert column(registry, frame, "strength") == [strength] * 4


def test_across_many_values_a_permission_and_a_tolerant_norm_never_fail(make_registry):
    registry = make_registry(
        rule("may", "party_members", '{ form = "min", value = 70 }', 'strength = "permissive"')
        + rule("about", "households", '{ form = "max", value = 150 }', 'strength = "guidance"\ntolerance = 0.1')
    )
    values = [float(v) for v in range(0, 400, 7)]
    frame = {"id": [f"c{i}" for i in range(len(values))], "party_members": values, "households": values}
    verdicts = column(registry, frame)
    assert "fail" not in verdicts and "departs" in verdicts and "pass" in verdicts
    assert verdicts == reference(registry, frame)


def test_a_departure_is_not_a_violation_for_fail_on_violation(make_registry):
    registry = make_registry(rule("about", "households", '{ form = "max", value = 150 }', 'strength = "guidance"'))
    results = evaluate(pl.DataFrame({"id": ["a"], "households": [900]}), ["mini"], as_of=AS_OF, registry=registry)
    assert results.details().get_column("verdict").to_list() == ["departs"]
    assert not results.has_failures()


def test_an_aggregate_guidance_departs_too(make_registry):
    registry = make_registry(
        rule(
            "count",
            "households",
            '{ form = "aggregate", statistic = "count", min = 3, scope = "jurisdiction" }',
            'strength = "guidance"',
        )
    )
    results = evaluate(pl.DataFrame({"id": ["a", "b"], "households": [1, 2]}), ["mini"], as_of=AS_OF, registry=registry)
    row = results.aggregate_details().row(0, named=True)
    # two communities counted, three wanted: one short, and not a fail
    assert (row["verdict"], row["shortfall"], row["strength"]) == ("departs", 1.0, "guidance")


# --------------------------------------------------------------------------
# approximation: a tolerance widens the bounds, and the texts say so


@pytest.mark.parametrize(("strength", "below"), [("mandatory", "fail"), ("guidance", "departs")])
def test_tolerance_edges_of_a_minimum(make_registry, strength, below):
    # 「150户左右」 read with ±10 %: at least 150 × (1 − 0.1) = 135 households
    registry = make_registry(
        rule("about", "households", '{ form = "min", value = 150 }', f'strength = "{strength}"\ntolerance = 0.1')
    )
    edge = 150 * (1 - 0.1)
    frame = {"id": list("abc"), "households": [edge, edge - 0.01, 150.0]}
    assert column(registry, frame) == ["pass", below, "pass"]
    assert reference(registry, frame) == ["pass", below, "pass"]
    assert column(registry, frame, "required")[0] == "≈ ≥ 150 户 (±10%)"
    assert column(registry, frame, "tolerance")[0] == 0.1
    # the shortfall is to the widened bound: passing needs 135, not 150
    assert column(registry, frame, "shortfall")[1] == pytest.approx(0.01)


def test_tolerance_edges_of_a_maximum_and_a_range(make_registry):
    # 「一般以150户左右为宜」: at most 150 × 1.1 = 165; 「1.5-2公里左右」: 1.35–2.2 km
    registry = make_registry(
        rule("grid", "households", '{ form = "max", value = 150 }', 'strength = "guidance"\ntolerance = 0.1')
        + rule("radius", "service_radius_km", '{ form = "range", min = 1.5, max = 2 }', "tolerance = 0.1")
    )
    top = 150 * (1 + 0.1)
    frame = {
        "id": list("abcd"),
        "households": [top, top + 0.01, 100.0, None],
        "service_radius_km": [1.5 * (1 - 0.1), 1.34, 2 * (1 + 0.1), 2.21],
    }
    verdicts = column(registry, frame)
    # rules in order for each community: grid, radius
    assert verdicts == ["pass", "pass", "departs", "fail", "pass", "pass", "unknown", "fail"]
    assert verdicts == reference(registry, frame)
    assert column(registry, frame, "required")[:2] == ["≈ ≤ 150 户 (±10%)", "≈ 1.5–2 km (±10%)"]


def test_a_tolerance_widens_a_share_and_a_scaled_minimum_with_its_floor(make_registry):
    registry = make_registry(
        rule("share", "registered_volunteers", '{ form = "share", of = "population", min = 0.1 }', "tolerance = 0.2")
        + rule(
            "space",
            "service_space_m2",
            '{ form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 300 }',
            "tolerance = 0.1",
        )
    )
    # share: 10 % ± 20 % → 8 %; space: 1500 households × 30 / 100 = 450 → 405; a blank basis leaves the floor 270
    frame = {
        "id": list("abc"),
        "volunteers.registered": [81.0, 79.0, None],
        "population": [1000, 1000, 1000],
        "service_space_m2": [406.0, 404.0, 269.0],
        "households": [1500, 1500, None],
    }
    verdicts = column(registry, frame)
    assert verdicts == ["pass", "pass", "fail", "fail", "unknown", "fail"]
    assert verdicts == reference(registry, frame)


def test_tolerance_is_only_for_bounds(make_registry):
    from shequ.errors import ProblemsError

    with pytest.raises(ProblemsError, match="'tolerance' applies only to a requirement of form"):
        make_registry(rule("p", "count.police_room", '{ form = "present" }', "tolerance = 0.1"))
    with pytest.raises(ProblemsError, match="'tolerance' must be between 0 and 1"):
        make_registry(rule("m", "households", '{ form = "min", value = 1 }', "tolerance = 1.5"))


# --------------------------------------------------------------------------
# time: nothing is in force before its document's date


def test_not_in_force_before_the_document_date_then_not_due_then_judged(make_registry):
    registry = make_registry(rule("police", "count.police_room", '{ form = "present" }', "due = 2018-12-31"))
    frame = {"id": ["a", "b"], "count.police_room": [0, None], "kind": ["rural", "urban"]}
    # whatever the community: a rural one, one with no data
    assert column(registry, frame, as_of=dt.date(2018, 8, 21)) == ["not_in_force", "not_in_force"]
    assert column(registry, frame, as_of=dt.date(2018, 8, 22)) == ["not_due", "not_due"]  # issued, not yet due
    assert column(registry, frame, as_of=dt.date(2019, 1, 1)) == ["fail", "unknown"]
    for day in (dt.date(2018, 8, 21), dt.date(2018, 8, 22), dt.date(2019, 1, 1)):
        assert column(registry, frame, as_of=day) == reference(registry, frame, as_of=day)


def test_an_aggregate_is_not_in_force_before_its_document(make_registry):
    registry = make_registry(
        rule("count", "households", '{ form = "aggregate", statistic = "count", min = 3, scope = "jurisdiction" }')
    )
    frame = pl.DataFrame({"id": ["a"], "households": [1]})
    results = evaluate(frame, ["mini"], as_of=dt.date(2018, 1, 1), registry=registry)
    assert results.aggregate_details().get_column("verdict").to_list() == ["not_in_force"]


def test_a_standard_not_yet_issued_leaves_every_community_uncovered(make_registry):
    registry = make_registry(rule("police", "count.police_room", '{ form = "present" }'))
    results = evaluate(
        pl.DataFrame({"id": ["a"], "count.police_room": [0]}), ["mini"], as_of=dt.date(2018, 1, 1), registry=registry
    )
    row = results.summary().row(0, named=True)
    assert (row["not_in_force"], row["covered"], row["compliance"]) == (1, False, None)
    assert results.matrix().get_column("mini").to_list() == ["not in force"]


# --------------------------------------------------------------------------
# partial knowledge: a lower-bound shortfall, or none


def test_a_floor_with_its_basis_blank_fails_with_a_lower_bound_shortfall(make_registry):
    # Donghai-like: 每百户不少于30平方米、最少不低于600平方米, households blank.
    # 450 m² is below the 600 m² floor whatever the households: a fail, at least 600 − 450 = 150 short.
    registry = make_registry(
        rule(
            "space",
            "service_space_m2",
            '{ form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 600 }',
        )
    )
    frame = {
        "id": list("abcd"),
        "service_space_m2": [450.0, 700.0, 450.0, 450.0],
        "households": [None, None, 1500, 3000],
    }
    assert column(registry, frame) == ["fail", "unknown", "fail", "fail"]
    assert column(registry, frame, "shortfall") == [150.0, None, 150.0, 450.0]
    # with the households known the requirement is exact: max(600, 1500 × 0.3) = 600; 3000 × 0.3 = 900
    assert column(registry, frame, "shortfall_basis") == ["lower_bound", None, "exact", "exact"]
    assert column(registry, frame, "required")[0] == "≥ 600 m² (floor; households unknown)"


def test_a_fail_with_nothing_known_of_the_gap_has_no_shortfall(make_registry):
    # floor 3 is neither floor 1, 2 nor 4: a fail, but no distance to a bound says how far off it is
    registry = make_registry(
        rule("office", "floor.convenience_service_center", '{ form = "placement", floors = [1, 2, 4] }')
    )
    frame = {"id": ["a", "b"], "floor.convenience_service_center": [3, 1]}
    assert column(registry, frame) == ["fail", "pass"]
    assert column(registry, frame, "shortfall") == [None, 0.0]
    assert column(registry, frame, "shortfall_basis") == [None, "exact"]


# --------------------------------------------------------------------------
# restatements count once; strengths filter and are counted apart


RESTATED = (
    rule(
        "space_rate",
        "service_space_m2",
        '{ form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 600 }',
        'strength = "target"\nrestates = ["space_floor"]',
    )
    + rule("space_floor", "service_space_m2", '{ form = "min", value = 600 }', 'restates = ["space_rate"]')
    + rule("police", "count.police_room", '{ form = "present" }')
    + rule("size", "households", '{ form = "range", min = 2000, max = 3000 }', 'strength = "guidance"')
)


def test_rules_that_restate_one_another_count_once(make_registry):
    registry = make_registry(RESTATED)
    frame = {
        "id": ["a", "b"],
        "service_space_m2": [500.0, 650.0],
        "households": [1500, 2500],
        "count.police_room": [1, 0],
    }
    results = evaluate(pl.DataFrame(frame), ["mini"], as_of=AS_OF, registry=registry)
    assert results.details().get_column("verdict").to_list() == [
        *("fail", "fail", "pass", "departs"),  # a: 500 < 600 under both statements; 1500 outside 2000–3000
        *("fail", "pass", "fail", "pass"),  # b: 650 < 2500 × 0.3 = 750, though ≥ 600; no police room
    ]
    a, b = results.summary().to_dicts()
    # a: the two statements of one floor are one provision, failed once (and the stronger strength is kept)
    assert (a["pass"], a["fail"], a["departs"], a["fail_mandatory"], a["fail_target"]) == (1, 1, 1, 1, 0)
    assert (a["judged"], a["compliance"], a["applicable"], a["unknown_share"]) == (2, 0.5, 3, 0.0)
    # b: one statement met, the other not: the provision fails once, under the statement that fails
    assert (b["pass"], b["fail"], b["fail_target"], b["fail_mandatory"], b["pass_guidance"]) == (1, 2, 1, 1, 1)
    # the guidance pass is no binding pass: compliance 0 of 2
    assert (b["judged"], b["compliance"]) == (2, 0.0)


def test_strength_filter_keeps_only_those_rules(make_registry):
    registry = make_registry(RESTATED)
    frame = pl.DataFrame({"id": ["a"], "service_space_m2": [500.0], "households": [1500], "count.police_room": [1]})
    results = evaluate(frame, ["mini"], as_of=AS_OF, registry=registry, strengths=["guidance"])
    assert results.details().get_column("rule").to_list() == ["size"]
    assert results.strengths == ("guidance",)
    mandatory = evaluate(frame, ["mini"], as_of=AS_OF, registry=registry, strengths=["mandatory"])
    # the restates link to the target statement is dropped with it
    assert mandatory.details().get_column("rule").to_list() == ["space_floor", "police"]
    assert mandatory.summary().row(0, named=True)["fail"] == 1


def test_a_result_cites_its_document_by_number_else_title(make_registry):
    registry = make_registry(rule("police", "count.police_room", '{ form = "present" }'))
    # the tiny standard's document has no number: its title, never its id "doc"
    assert column(registry, {"id": ["a"], "count.police_room": [1]}, "document") == ["试验文件"]
