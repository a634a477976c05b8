"""The second reading of donghai (东政办发〔2019〕31号 东海县城市社区调整优化实施方案), pinned case by case.

Each test builds a few communities by hand and asserts what the reading chosen
in ``plugins/donghai/donghai.toml`` implies, with the document's own words in a
comment: a size norm is not an open minimum, one floor is judged once and on
one date, a 配建 standard for new estates does not judge existing communities,
and so on. The expected values are worked out from the text, not copied from
the engine's output.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from support import community_frame

from shequ import get_registry
from shequ.engine import evaluate

AFTER = dt.date(2020, 1, 1)
NO_FLAGS: list[str] = []


def standard():
    return get_registry().get("donghai").standard


def rule(rule_id: str):
    return standard().rule(rule_id)


def task(task_id: str):
    return next(t for t in standard().tasks if t.id == task_id)


def milestone(milestone_id: str):
    return next(m for m in standard().milestones if m.id == milestone_id)


def frame(rows: list[dict]) -> pl.DataFrame:
    """Communities as the canonical frame (see tests/support.py)."""
    return community_frame(rows, kind="urban")


def results(as_of: dt.date = AFTER, **columns):
    return evaluate(frame([{"id": "c", **columns}]), ["donghai"], as_of=as_of)


def judge(rule_id: str, as_of: dt.date = AFTER, **columns) -> dict:
    (row,) = results(as_of, **columns).details(rules=[rule_id]).to_dicts()
    return row


# --------------------------------------------------------------------------
# 二(二)2: 「原则上按照常住居民2000-3000户或者10000人的标准设置一个社区」


def test_a_large_community_does_not_meet_the_size_norm_by_its_population():
    # 5,000 households and 15,000 residents: far above both 3000户 and 10000人
    result = judge("community_size", households=5000, population=15000)
    assert result["verdict"] not in ("pass", "fail")  # guidance: it departs, never fails
    assert result["verdict"] == "departs"


def test_the_population_alternative_is_about_ten_thousand():
    options = rule("community_size").requirement.options
    assert (options[1].metric, options[1].min, options[1].max) == ("population", 9000, 11000)
    # 3,500 households but about 10,000 residents: the second standard is met
    assert judge("community_size", households=3500, population=10200)["verdict"] == "pass"
    assert judge("community_size", households=2500, population=7000)["verdict"] == "pass"
    assert judge("community_size", households=3779, population=12500)["verdict"] == "departs"


def test_the_population_alternative_is_shown_in_people():
    # the option is a number of 人, not of 户
    required = judge("community_size", households=5000, population=15000)["required"]
    assert "10000 户" not in required and "11000 户" not in required
    assert "人" in required


@pytest.mark.parametrize("rule_id", ["community_size", "service_radius"])
def test_size_principles_apply_to_the_redrawn_communities(rule_id):
    # 二(二) 调整原则, realised by 「47月底之前…基本完成社区优化调整工作」 (item 4, 7月底)
    assert rule(rule_id).due == dt.date(2019, 7, 31)
    before = judge(rule_id, as_of=dt.date(2019, 5, 1), households=1000, population=3000, service_radius_km=0.5)
    assert before["verdict"] == "not_due"


# --------------------------------------------------------------------------
# 600 m²: 二(一) 「最少不低于600平方米」 and 三(三)2 「2620日之前,…办公场所按不低于600平方米标准设置」


def test_the_600_floor_is_due_on_one_date_under_both_rules():
    floor, scaled = rule("service_space_floor_600"), rule("service_space_per_100_households")
    assert floor.due == scaled.due == dt.date(2019, 6, 20)
    small = {"households": 1000, "service_space_m2": 450.0}
    before = results(dt.date(2019, 6, 1), **small).details(rules=[floor.id, scaled.id])
    assert before.get_column("verdict").to_list() == ["not_due", "not_due"]
    after = results(dt.date(2019, 6, 21), **small).details(rules=[floor.id, scaled.id])
    assert after.get_column("verdict").to_list() == ["fail", "fail"]


def test_the_two_statements_of_the_floor_are_linked():
    assert rule("service_space_per_100_households").restates == ("service_space_floor_600",)
    assert rule("service_space_floor_600").restates == ("service_space_per_100_households",)
    assert rule("service_space_per_100_households").requirement.floor == 600


def test_the_floor_fails_whatever_the_households():
    # households blank, 450 m²: below 600 m² under any number of households
    result = judge("service_space_floor_600", service_space_m2=450.0)
    assert (result["verdict"], result["shortfall"]) == ("fail", 150.0)


def test_above_the_floor_the_rate_is_a_target():
    # 3,000 households need 900 m² (30 per 100); 700 m² meets the floor, not the rate
    big = {"households": 3000, "service_space_m2": 700.0}
    assert judge("service_space_floor_600", **big)["verdict"] == "pass"
    scaled = judge("service_space_per_100_households", **big)
    assert (scaled["verdict"], scaled["strength"]) == ("fail", "target")


# --------------------------------------------------------------------------
# 三(三)4: 「按每百户不低于30平方米的标准配建养老服务设施」: 配建, for new estates


def test_an_existing_community_is_not_judged_by_the_peijian_standard():
    existing = {"flags": NO_FLAGS, "households": 3000, "area.elderly_service_facility": 0.0}
    assert judge("elderly_service_space", **existing)["verdict"] == "not_applicable"


def test_a_new_estate_builds_30_m2_per_100_households():
    estate = {"flags": ["new_residential_estate"], "households": 1000}
    short = judge("elderly_service_space", **estate, **{"area.elderly_service_facility": 200.0})
    assert (short["verdict"], short["shortfall"]) == ("fail", 100.0)  # 30 × 1000 ÷ 100 = 300
    assert judge("elderly_service_space", **estate, **{"area.elderly_service_facility": 300.0})["verdict"] == "pass"


def test_planning_is_responsible_for_new_estates():
    # 「县自然资源和规划局要…负责新建住宅小区社区公共服务设施的建设验收,督促相关建设单位…」
    acceptance = task("new_estate_facilities_acceptance")
    assert acceptance.responsible == ("planning",) and acceptance.cooperating == ("developers",)
    assert not acceptance.guiding


# --------------------------------------------------------------------------
# Other readings


def test_service_radius_keeps_its_zuoyou_and_never_fails():
    # 「社区政务中心的服务半径为1.5-2公里左右」
    radius = rule("service_radius")
    assert (radius.strength, radius.tolerance) == ("guidance", 0.1)
    assert judge("service_radius", service_radius_km=2.1)["verdict"] == "pass"  # ≤ 2 × 1.1
    assert judge("service_radius", service_radius_km=1.4)["verdict"] == "pass"  # ≥ 1.5 × 0.9
    assert judge("service_radius", service_radius_km=0.6)["verdict"] == "departs"
    assert judge("service_radius", service_radius_km=3.0)["verdict"] == "departs"


def test_culture_and_leisure_facilities_need_not_be_a_centre():
    # 「配套完善社区文体、娱乐、休闲设施」: 设施, not Changchun's 社区文体活动中心
    equipment = {"count.recreation_facilities": 2, "count.culture_sports_center": 0}
    assert judge("culture_recreation_facilities", **equipment)["verdict"] == "pass"
    nothing = {"count.recreation_facilities": 0, "count.culture_sports_center": 0}
    assert judge("culture_recreation_facilities", **nothing)["verdict"] == "fail"


def test_the_count_of_25_is_due_at_the_end_of_the_implementation_stage():
    # 「基本完成社区优化调整工作」 by 7月底 is not the full count; 「组织实施阶段(20195月下旬至8月底)」
    assert rule("urban_community_count").due == dt.date(2019, 8, 31)
    rows = [{"id": f"c{i}", "households": 2500} for i in range(20)]
    early = evaluate(frame(rows), ["donghai"], as_of=dt.date(2019, 8, 1)).aggregate_details()
    (count,) = early.filter(pl.col("rule") == "urban_community_count").to_dicts()
    assert count["verdict"] == "not_due"


def test_the_recruitment_quota_counts_the_2019_recruits():
    # 「1521日之前,招录50名社区工作人员」: a one-off 2019 quota
    metric = get_registry().catalog.metric("newly_recruited_staff")
    assert "2019" in metric.zh and "2019" in metric.en


def test_undated_acts_of_the_approval_stage_are_due_at_its_end():
    # 「论证报批阶段(20195月上旬至5月中旬)」: 中旬 ends on the 20th
    for task_id in ("community_names_published", "approval_and_filing"):
        assert task(task_id).due == dt.date(2019, 5, 20)
    assert "government" not in milestone("submitted_for_approval").responsible


def test_every_changed_reading_is_recorded_in_its_notes():
    changed = [
        "service_space_per_100_households",
        "service_space_floor_600",
        "community_size",
        "service_radius",
        "urban_community_count",
        "elderly_service_space",
        "culture_recreation_facilities",
        "staff_recruitment_50",
    ]
    for rule_id in changed:
        assert "issue 10" in (rule(rule_id).notes or ""), rule_id
    assert "our reading of 左右: the text states no tolerance" in rule("service_radius").notes
    assert "the text states no tolerance" in rule("community_size").notes
