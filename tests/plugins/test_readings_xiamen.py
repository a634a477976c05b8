"""The second reading of Xiamen (厦民〔2017〕235号), pinned case by case.

Each test builds a few communities by hand and asserts what the reading chosen
in ``plugins/xiamen/xiamen.toml`` implies, with the clause's own words in a
comment: a city total that community data cannot count is no rule, a target
restated in absolute numbers is judged once, a city-wide share is judged for
the city, the plan's undated tasks fall due with the plan, and the boxes
missing from the copy are declared as gaps. The expected values are worked out
from the text, not copied from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from support import community_frame

from shequ import get_registry
from shequ.engine import evaluate
from shequ.reform import apply_reforms
from shequ.views.cost import cost

AFTER_2020 = dt.date(2021, 1, 1)
BEFORE_2020 = dt.date(2019, 1, 1)
LISTS = ("flags", "designations")


def readings(name: str) -> Path:
    return Path(str(resources.files("shequ_plugins.xiamen") / "readings" / name))


def standard():
    return get_registry().get("xiamen").standard


def rule(rule_id: str):
    return next(r for r in standard().rules if r.id == rule_id)


def row(community_id: str = "c", /, **columns: object) -> dict:
    """One community in the flat layout: urban, no flags or designations, unless the test says otherwise."""
    return {"id": community_id, "kind": "urban", "flags": [], "designations": [], **columns}


def frame(rows: list[dict]) -> pl.DataFrame:
    """Communities as the canonical frame (see tests/support.py)."""
    return community_frame(rows, numbers=pl.Float64)


def verdict(rule_id: str, columns: dict | None = None, as_of=AFTER_2020, registry=None) -> str:
    results = evaluate(frame([row(**(columns or {}))]), ["xiamen"], as_of=as_of, registry=registry)
    (result,) = results.details(rules=[rule_id]).to_dicts()
    return result["verdict"]


def statistic(rule_) -> str | None:
    """The statistic of an aggregate rule (None for a rule on each community)."""
    return getattr(rule_.requirement, "statistic", None)


def aggregates(rows: list[dict], as_of=AFTER_2020) -> list[dict]:
    return evaluate(frame(rows), ["xiamen"], as_of=as_of).aggregate_details().to_dicts()


# --------------------------------------------------------------------------
# 四(三)1 「到2020年,全市持证社工规模达到7000人左右,每万人拥有专业社工人数达到2人」


def test_the_citys_certified_social_workers_are_not_a_sum_of_community_staff():
    # 持证社工 work in agencies, hospitals, schools as well: community data cannot count them
    assert not [r.id for r in standard().rules if r.metric == "social_workers" and statistic(r) == "sum"]
    assert any("7000人左右" in u.quote for u in standard().unencoded)
    # three communities with 10 social workers in all: no verdict compares them with 7,000
    rows = [row(f"c{i}", population=10_000, **{"staff.social_workers": 10 / 3}) for i in range(3)]
    judged = [a for a in aggregates(rows) if a["metric"] == "social_workers"]
    assert [a["rule"] for a in judged] == ["social_workers_per_10000"]


@pytest.mark.parametrize(("workers", "expected"), [(5.0, "fail"), (6.0, "pass")])
def test_two_social_workers_per_10000_residents_is_a_plain_city_target_due_2020(workers, expected):
    # 30,000 residents × 2 / 10,000 = 6 social workers; judged for the city only, due by 2020
    rows = [
        row("a", population=20_000, **{"staff.social_workers": workers}),
        row("b", population=10_000, **{"staff.social_workers": 0.0}),
    ]
    per_10000 = [a for a in aggregates(rows) if a["rule"] == "social_workers_per_10000"]
    assert [(a["district"], a["verdict"]) for a in per_10000] == [("(all)", expected)]
    assert rule("social_workers_per_10000").due == dt.date(2020, 12, 31)
    before = [a for a in aggregates(rows, BEFORE_2020) if a["rule"] == "social_workers_per_10000"]
    assert before[0]["verdict"] == "not_due"


# --------------------------------------------------------------------------
# 四(三)3 「到2020年,注册志愿者达到54.82万人,注册志愿者人数占本地区居民比例达到13%」


def test_548200_volunteers_is_the_13_percent_target_restated_and_judged_once():
    # 548,200 ÷ 13 % ≈ 4.22 million residents: one target; the absolute sum is no rule
    assert not [r for r in standard().rules if r.metric == "registered_volunteers" and statistic(r) == "sum"]
    assert any("54.82万人" in u.quote for u in standard().unencoded)
    # a dataset of two communities at 13 %: passes, whatever 548,200 would say of 2,600 volunteers
    rows = [
        row("a", district="思明区", population=10_000, **{"volunteers.registered": 1_000.0}),
        row("b", district="湖里区", population=10_000, **{"volunteers.registered": 1_600.0}),
    ]
    judged = [a for a in aggregates(rows) if a["metric"] == "registered_volunteers"]
    assert [(a["rule"], a["district"], a["verdict"]) for a in judged] == [
        ("volunteer_registration_share", "(all)", "pass")
    ]
    assert judged[0]["value"] == pytest.approx(0.13)


# --------------------------------------------------------------------------
# 专栏1–4: reduced to their titles in the shipped copy


def test_the_boxes_missing_from_the_copy_are_declared_as_gaps():
    gaps = standard().gaps
    for box in ["专栏1", "专栏2", "专栏3", "专栏4"]:
        (gap,) = [g for g in gaps if box in g.reason]
        assert "copy_notes" in gap.reason and gap.concepts
    assert "premises" in next(g for g in gaps if "专栏1" in g.reason).concepts
    assert any("专栏1 to 专栏4" in note for note in get_registry().get("xiamen").standard.jurisdiction.copy_notes)


# --------------------------------------------------------------------------
# The plan's undated tasks fall due with the plan (「(2016-2020年)」)


@pytest.mark.parametrize(
    ("rule_id", "columns"),
    [
        ("party_members_home", {"count.party_member_activity_room": 0}),
        ("mass_organizations_room", {"count.mass_organizations_room": 0}),
        ("residents_deliberation_room", {"count.residents_deliberation_room": 0}),
        ("disability_rehabilitation_station", {"count.disability_rehabilitation_station": 0}),
        ("rural_hrss_platform", {"kind": "rural", "count.labour_social_security_platform": 0}),
        ("rural_workstation", {"kind": "village", "count.workstation": 0}),
        ("rural_grids", {"kind": "rural"}),
        ("volunteer_registration_system", {}),
        ("volunteer_incentive_system", {}),
        ("fifteen_minute_service_circle", {"indicators.convenience_service_minutes": 20}),
    ],
)
def test_an_undated_task_of_the_plan_is_a_target_due_at_its_end(rule_id, columns):
    assert (rule(rule_id).strength, rule(rule_id).due) == ("target", dt.date(2020, 12, 31))
    assert verdict(rule_id, columns, BEFORE_2020) == "not_due"
    assert verdict(rule_id, columns, AFTER_2020) == "fail"


def test_mediation_committees_stay_a_standing_duty():
    # 「依法在每个村(居)设立人民调解委员会」: by law, every village and community, from the day of issue
    assert (rule("people_mediation_committee").strength, rule("people_mediation_committee").due) == ("mandatory", None)
    assert verdict("people_mediation_committee", {"count.people_mediation_committee": 0}, dt.date(2018, 1, 1)) == "fail"


def test_a_village_is_judged_on_its_party_room_once_by_the_rural_rule():
    # 「“五室”[…党员活动室(现代远程教育播放室)…]」 governs villages; 「党员之家」 the residents' communities
    no_room = {"kind": "village", "count.party_member_activity_room": 0}
    assert verdict("party_members_home", no_room) == "not_applicable"
    assert verdict("rural_party_member_activity_room", no_room) == "fail"
    assert verdict("party_members_home", {"kind": "town", "count.party_member_activity_room": 0}) == "fail"


# --------------------------------------------------------------------------
# 四(三)1 「每个城乡社区至少配备1名社区社会工作者」


def test_one_social_worker_per_community_is_a_2020_target():
    assert rule("social_worker_per_community").strength == "target"
    assert verdict("social_worker_per_community", {"staff.social_workers": 0}, BEFORE_2020) == "not_due"
    assert verdict("social_worker_per_community", {"staff.social_workers": 0}) == "fail"


def test_the_standing_standard_reading_of_one_social_worker_is_an_overlay():
    standing = apply_reforms(get_registry(), overlays=[readings("social_worker_standing_standard.toml")])
    assert verdict("social_worker_per_community", {"staff.social_workers": 0}, dt.date(2018, 1, 1), standing) == "fail"


# --------------------------------------------------------------------------
# 四(三)1 「新进班子成员比例…达到24.2%」: shares of the 两委, not of the residents' committee


def test_committee_shares_are_over_the_two_committees():
    # 100 两委 members (of whom 60 sit on the residents' committee), 25 newly elected: 25 % ≥ 24.2 %
    columns = {"staff.two_committees_members": 100, "staff.committee_members": 60, "staff.committee_new_members": 25}
    (share,) = [a for a in aggregates([row(**columns)]) if a["rule"] == "committee_new_members_share"]
    assert (share["verdict"], share["value"]) == ("pass", pytest.approx(0.25))  # over 60 it would read 41.7 %
    assert rule("committee_under_35_share").requirement.of == "two_committees_members"


# --------------------------------------------------------------------------
# 四(二)4 「各区力争创出1—2个…示范品牌」: a quota of each district


def test_demonstration_brands_are_a_quota_of_each_district():
    rows = [
        row("a", district="同安区", kind="rural", designations=["rural_demonstration_brand"]),
        row("b", district="翔安区", kind="village"),
        row("c", district="思明区"),
    ]
    judged = {a["district"]: a["verdict"] for a in aggregates(rows) if a["rule"] == "rural_demonstration_brands"}
    # no city-wide row; 思明区 has no rural community and is not judged
    assert judged == {"同安区": "pass", "翔安区": "fail"}


# --------------------------------------------------------------------------
# Readings of what is counted


def test_the_fifteen_minute_circle_says_what_it_measures():
    circle = rule("fifteen_minute_service_circle")
    assert circle.title == "打造“15分钟便民服务圈”" and circle.metric == "convenience_service_minutes"
    assert verdict("fifteen_minute_service_circle", {"indicators.convenience_service_minutes": 15}) == "pass"


def test_town_communities_are_urban_for_purchased_services():
    # 「城市社区“三无”等弱势群体…全部实现政府购买服务,农村社区逐步推行」: 城 against 乡
    assert verdict("vulnerable_services_purchased", {"kind": "town"}) == "fail"
    assert verdict("vulnerable_services_purchased", {"kind": "rural"}) == "not_applicable"


def test_a_village_clinic_is_not_a_community_health_service_centre():
    # 「村卫生室(所)」 is its own tier
    assert verdict("rural_clinic", {"kind": "village", "count.village_clinic": 1}) == "pass"
    assert verdict(
        "rural_clinic", {"kind": "village", "count.village_clinic": 0, "count.health_service_center": 1}
    ) == ("fail")


def test_social_work_rewards_are_no_community_cost():
    # 专栏6: rewards and subsidies go to persons; without such a column, unknown, never 0
    (by_community,) = cost(
        get_registry(), frame([row(households=1000)]), ["xiamen"], as_of=AFTER_2020
    ).by_community.to_dicts()
    assert by_community["one_off_yuan"] is None
    assert by_community["one_off_unknown"] == 5


def test_one_set_of_rural_premises_may_serve_as_workstation_and_service_centre():
    # 「规范设置农村社区工作站,为农村村民提供便利的“一站式”服务」 and the 四中心 「便民服务中心」: both kept
    both = {"kind": "village", "count.workstation": 1, "count.convenience_service_center": 1}
    assert verdict("rural_workstation", both) == verdict("rural_convenience_service_center", both) == "pass"


def test_the_plan_says_its_period_ended_in_2020():
    # 「厦门市城乡社区服务体系建设规划(2016-2020年)」: status as issued, the end of the period in the notes
    (document,) = standard().documents
    assert document.status == "effective"
    assert any("period ended on 2020-12-31" in note for note in document.notes)
