"""Every requirement form, judged on small hand-made tables with hand-worked answers."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shequ.engine import evaluate
from shequ.errors import ProblemsError

AS_OF = dt.date(2019, 6, 1)


def rule(metric: str, requirement: str, extra: str = "") -> str:
    return f"""
[[rules]]
id = "r"
title = "规则"
metric = "{metric}"
requirement = {requirement}
source = {{ clause = "1", quote = "q" }}
{extra}
"""


def verdicts(registry, frame: dict, as_of: dt.date = AS_OF, column: str = "verdict") -> list:
    results = evaluate(pl.DataFrame(frame), ["mini"], as_of=as_of, registry=registry)
    return results.details().get_column(column).to_list()


def test_scaled_minimum_with_floor(make_registry):
    registry = make_registry(
        rule("service_space_m2", '{ form = "scaled_min", rate = 30, per = 100, basis = "households", floor = 300 }')
    )
    frame = {
        "id": list("abcde"),
        "households": [1500, 1500, 800, None, None],
        "service_space_m2": [450.0, 449.0, 300.0, 250.0, 5000.0],
    }
    assert verdicts(registry, frame) == ["pass", "fail", "pass", "fail", "unknown"]
    # 1,500 households × 30 m² / 100 = 450 m²; 800 households fall back on the 300 m² floor
    assert verdicts(registry, frame, column="required_min")[:3] == [450.0, 450.0, 300.0]
    assert verdicts(registry, frame, column="shortfall")[:3] == [0.0, 1.0, 0.0]
    assert verdicts(registry, frame, column="required")[:3] == ["≥ 450 m²", "≥ 450 m²", "≥ 300 m²"]


def test_range_shortfall_is_distance_to_the_nearest_bound(make_registry):
    registry = make_registry(rule("committee_members", '{ form = "range", min = 5, max = 9 }'))
    frame = {"id": list("abcd"), "staff.committee_members": [4.0, 5.0, 9.0, 12.0]}
    assert verdicts(registry, frame) == ["fail", "pass", "pass", "fail"]
    assert verdicts(registry, frame, column="shortfall") == [1.0, 0.0, 0.0, 3.0]


def test_share_of_two_metrics(make_registry):
    registry = make_registry(rule("staff_office_m2", '{ form = "share", of = "service_space_m2", max = 0.2 }'))
    frame = {
        "id": list("abcd"),
        "staff_office_m2": [100.0, 150.0, 10.0, 10.0],
        "service_space_m2": [500.0, 500.0, 0.0, None],
    }
    assert verdicts(registry, frame) == ["pass", "fail", "unknown", "unknown"]
    assert verdicts(registry, frame, column="value")[:2] == [0.2, 0.3]


def test_presence_and_missing_lists(make_registry):
    registry = make_registry(rule("flag.work_access_system", '{ form = "present" }'))
    frame = {"id": list("abc"), "flags": [["work_access_system"], [], None]}
    assert verdicts(registry, frame) == ["pass", "fail", "unknown"]


def test_conditional_without_otherwise_is_not_applicable_below_the_threshold(make_registry):
    registry = make_registry(
        rule(
            "count.party_general_branch",
            '{ form = "conditional", when = { metric = "party_members", min = 50 }, then = { form = "present" } }',
        )
    )
    frame = {"id": list("abcd"), "party_members": [60, 60, 20, None], "count.party_general_branch": [1, 0, 0, 1]}
    assert verdicts(registry, frame) == ["pass", "fail", "not_applicable", "unknown"]


def test_conditional_with_otherwise(make_registry):
    registry = make_registry(
        rule(
            "full_time_deputies",
            '{ form = "conditional", when = { metric = "population", min = 5000 }, '
            'then = { form = "min", value = 2 }, otherwise = { form = "min", value = 1 } }',
        )
    )
    frame = {
        "id": list("abcd"),
        "population": [6000, 6000, 3000, 3000],
        "staff.full_time_deputies": [2.0, 1.0, 1.0, 0.0],
    }
    assert verdicts(registry, frame) == ["pass", "fail", "pass", "fail"]


def test_staged_values_pick_the_stage_in_force(make_registry):
    registry = make_registry(
        rule(
            "registered_volunteers",
            """{ form = "staged", stages = [
        { due = 2018-12-31, requirement = { form = "share", of = "population", min = 0.04 } },
        { due = 2020-12-31, requirement = { form = "share", of = "population", min = 0.10 } } ] }""",
        )
    )
    frame = {"id": ["a"], "population": [1000], "volunteers.registered": [50.0]}  # 5 %
    assert verdicts(registry, frame, as_of=dt.date(2018, 6, 1)) == ["not_in_force"]  # before the document (2018-08-22)
    assert verdicts(registry, frame, as_of=dt.date(2018, 10, 1)) == ["not_due"]  # before the first stage
    assert verdicts(registry, frame, as_of=dt.date(2019, 6, 1)) == ["pass"]
    assert verdicts(registry, frame, as_of=dt.date(2021, 1, 1)) == ["fail"]
    assert verdicts(registry, frame, as_of=dt.date(2021, 1, 1), column="shortfall") == [pytest.approx(0.05)]


def test_due_date_and_document_date(make_registry):
    registry = make_registry(rule("count.police_room", '{ form = "present" }', "due = 2018-12-31"))
    frame = {"id": ["a"], "count.police_room": [0]}
    assert verdicts(registry, frame, as_of=dt.date(2018, 1, 1)) == ["not_in_force"]  # before the document (2018-08-22)
    assert verdicts(registry, frame, as_of=dt.date(2018, 10, 1)) == ["not_due"]  # before the deadline
    assert verdicts(registry, frame, as_of=dt.date(2019, 1, 1)) == ["fail"]


def test_alternatives(make_registry):
    registry = make_registry(
        rule(
            "households",
            """{ form = "any_of", options = [
        { form = "range", metric = "households", min = 2000, max = 3000 },
        { form = "min", metric = "population", value = 10000 } ] }""",
        )
    )
    frame = {
        "id": list("abcde"),
        "households": [2500, 1500, 1500, None, None],
        "population": [5000, 12000, 5000, 12000, 5000],
    }
    assert verdicts(registry, frame) == ["pass", "pass", "fail", "pass", "unknown"]


def test_all_parts(make_registry):
    registry = make_registry(
        rule(
            "count.police_room",
            """{ form = "all_of", options = [
        { form = "present", metric = "count.police_room" },
        { form = "min", metric = "population", value = 10000 } ] }""",
        )
    )
    frame = {
        "id": list("abcdef"),
        "count.police_room": [1, 0, 1, None, 0, None],
        "population": [12000, 12000, 5000, 12000, None, None],
    }
    # all met: pass; one not met: fail, whatever the other; none failing but one unknown: unknown
    assert verdicts(registry, frame) == ["pass", "fail", "fail", "unknown", "fail", "unknown"]


def test_placement(make_registry):
    registry = make_registry(rule("floor.residents_committee_office", '{ form = "placement", floors = [1, 2] }'))
    frame = {"id": list("abcd"), "floor.residents_committee_office": [1, 2, 5, -1]}
    assert verdicts(registry, frame) == ["pass", "pass", "fail", "fail"]


def test_applicability_by_kind_flag_and_condition(make_registry):
    registry = make_registry(
        rule(
            "households",
            '{ form = "min", value = 1 }',
            'applies_to = { kinds = ["urban"], flags = ["village_to_residence"], '
            'when = [{ metric = "population", min = 100 }] }',
        )
    )
    frame = {
        "id": list("abcde"),
        "kind": ["urban", "rural", "urban", None, "urban"],
        "flags": [
            ["village_to_residence"],
            ["village_to_residence"],
            [],
            ["village_to_residence"],
            ["village_to_residence"],
        ],
        "population": [500, 500, 500, 500, 50],
        "households": [10, 10, 10, 10, 10],
    }
    assert verdicts(registry, frame) == ["pass", "not_applicable", "not_applicable", "unknown", "not_applicable"]


def test_aggregate_share_per_jurisdiction_and_district(make_registry):
    registry = make_registry(
        rule(
            "designation.high_level_harmonious",
            '{ form = "aggregate", statistic = "share", condition = { form = "present" }, min = 0.5 }',
            'applies_to = { kinds = ["urban"] }',
        )
    )
    frame = {
        "id": list("abcde"),
        "district": ["东", "东", "西", "西", "西"],
        "kind": ["urban", "urban", "urban", "urban", "rural"],
        "designations": [["high_level_harmonious"], [], [], [], ["high_level_harmonious"]],
    }
    results = evaluate(pl.DataFrame(frame), ["mini"], as_of=AS_OF, registry=registry)
    aggregates = {row["district"]: row for row in results.aggregate_details().to_dicts()}
    assert aggregates["(all)"]["verdict"] == "fail" and aggregates["(all)"]["value"] == 0.25
    assert aggregates["东"]["verdict"] == "pass" and aggregates["西"]["verdict"] == "fail"
    assert results.details().get_column("verdict").to_list() == []  # no community-level rule


def test_aggregates_are_judged_when_first_read_and_kept(make_registry, monkeypatch):
    """A summary does not wait for the rules over sets of communities; reading them twice judges them once."""
    registry = make_registry(
        rule(
            "designation.high_level_harmonious",
            '{ form = "aggregate", statistic = "share", condition = { form = "present" }, min = 0.5 }',
        )
    )
    frame = pl.DataFrame({"id": ["a", "b"], "designations": [["high_level_harmonious"], []]})
    results = evaluate(frame, ["mini"], as_of=AS_OF, registry=registry)
    calls = []
    judge = results.judge_aggregates
    monkeypatch.setattr(results, "judge_aggregates", lambda: calls.append(1) or judge())
    results.summary()
    assert calls == []
    first = results.aggregates
    assert results.aggregates is first and calls == [1]
    assert first.get_column("verdict_code").to_list() == [0]  # pass: half the communities have it


def test_aggregate_with_unknowns_is_judged_only_when_both_readings_agree(make_registry):
    registry = make_registry(
        rule(
            "designation.featured",
            '{ form = "aggregate", statistic = "share", condition = { form = "present" }, min = 0.5 }',
        )
    )
    frame = {"id": list("abcd"), "designations": [["featured"], [], None, None]}
    (row,) = [
        r
        for r in evaluate(pl.DataFrame(frame), ["mini"], as_of=AS_OF, registry=registry).aggregate_details().to_dicts()
        if r["district"] == "(all)"
    ]
    assert row["verdict"] == "unknown"  # 1/4 known, up to 3/4 possible


def test_aggregate_rate_per_10000(make_registry):
    registry = make_registry(
        rule(
            "social_workers",
            '{ form = "aggregate", statistic = "rate", of = "population", per = 10000, min = 2, '
            'scope = "jurisdiction" }',
        )
    )
    frame = {"id": list("ab"), "district": ["东", "西"], "population": [6000, 4000], "staff.social_workers": [1.0, 1.0]}
    rows = evaluate(pl.DataFrame(frame), ["mini"], as_of=AS_OF, registry=registry).aggregate_details().to_dicts()
    assert [(r["district"], r["verdict"], r["value"]) for r in rows] == [("(all)", "pass", 2.0)]


def test_a_count_of_communities_needs_no_metric_and_reads_no_column(make_registry):
    # "每个街道至少设立2个村改居社区": how many communities match applies_to, per district
    registry = make_registry(
        """
[[rules]]
id = "converted"
title = "村改居社区数量"
applies_to = { flags = ["village_to_residence"] }
requirement = { form = "aggregate", statistic = "count", min = 2, scope = "district" }
source = { clause = "1", quote = "q" }
"""
    )
    assert registry.get("mini").standard.rule("converted").metric == "communities"
    frame = {
        "id": list("abcde"),
        "district": ["东", "东", "东", "西", "西"],
        "flags": [["village_to_residence"], ["village_to_residence"], [], ["village_to_residence"], []],
    }
    results = evaluate(pl.DataFrame(frame), ["mini"], as_of=AS_OF, registry=registry)
    rows = {r["district"]: (r["verdict"], r["value"]) for r in results.aggregate_details().to_dicts()}
    assert rows == {"东": ("pass", 2.0), "西": ("fail", 1.0)}


def test_only_a_count_without_a_condition_may_leave_its_metric_out(make_registry):
    with pytest.raises(ProblemsError, match="metric"):
        make_registry(
            """
[[rules]]
id = "share"
title = "比例"
requirement = { form = "aggregate", statistic = "count", condition = { form = "present" }, min = 2 }
source = { clause = "1", quote = "q" }
"""
        )


def test_every_input_community_appears_even_with_no_data(make_registry):
    registry = make_registry(rule("households", '{ form = "min", value = 1 }'))
    frame = pl.DataFrame({"id": ["a", "b", "c"]})
    results = evaluate(frame, ["mini"], as_of=AS_OF, registry=registry)
    assert results.summary().get_column("id").to_list() == ["a", "b", "c"]
    assert results.details().get_column("verdict").to_list() == ["unknown"] * 3


def test_district_quota_counts_communities_meeting_the_condition(make_registry):
    """二(二)1 of Panzhihua's document: 东区、西区 each build 2 — judged per named district only."""
    registry = make_registry(
        rule(
            "designation.high_level_harmonious",
            '{ form = "aggregate", statistic = "count", condition = { form = "present" }, '
            'min = 2, scope = "district" }',
            'applies_to = { districts = ["东区", "西区"] }',
        )
    )
    frame = {
        "id": list("abcdef"),
        "district": ["东区", "东区", "西区", "西区", "仁和区", "仁和区"],
        "designations": [["high_level_harmonious"], ["high_level_harmonious"], ["high_level_harmonious"], [], [], []],
    }
    rows = evaluate(pl.DataFrame(frame), ["mini"], as_of=AS_OF, registry=registry).aggregate_details().to_dicts()
    assert sorted((r["district"], r["verdict"], r["value"]) for r in rows) == [
        ("东区", "pass", 2.0),
        ("西区", "fail", 1.0),
    ]  # no "(all)" row, 仁和区 is not covered
