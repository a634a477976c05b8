"""The second reading of Panzhihua (攀委发〔2015〕10号), pinned case by case.

Each test builds a few communities by hand and asserts what the reading chosen
in ``plugins/panzhihua/panzhihua.toml`` implies, with the clause's own words in
a comment: money with no period stated is never yearly, town communities are
城市社区 of the office-fund clause, a city-wide target is judged once for the
city, a programme the city pushes is a task rather than a duty every community
can fail. The expected values are worked out from the text, not copied from the
engine's output.
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
LISTS = ("flags", "designations")


def readings(name: str) -> Path:
    return Path(str(resources.files("shequ_plugins.panzhihua") / "readings" / name))


def standard(registry=None):
    return (registry or get_registry()).get("panzhihua").standard


def rule(rule_id: str, registry=None):
    return next(r for r in standard(registry).rules if r.id == rule_id)


def task(task_id: str):
    return next(t for t in standard().tasks if t.id == task_id)


def row(community_id: str = "c", /, **columns: object) -> dict:
    """One community in the flat layout: urban, no flags or designations, unless the test says otherwise."""
    return {"id": community_id, "kind": "urban", "flags": [], "designations": [], **columns}


def frame(rows: list[dict]) -> pl.DataFrame:
    """Communities as the canonical frame (see tests/support.py)."""
    return community_frame(rows, numbers=pl.Float64)


def details(rows: list[dict], rule_ids, as_of=AFTER_2020, registry=None) -> dict[tuple[str, str], dict]:
    results = evaluate(frame(rows), ["panzhihua"], as_of=as_of, registry=registry)
    return {(r["id"], r["rule"]): r for r in results.details(rules=list(rule_ids)).to_dicts()}


def verdict(rule_id: str, columns: dict | None = None, as_of=AFTER_2020, registry=None) -> str:
    return details([row(**(columns or {}))], [rule_id], as_of, registry)[("c", rule_id)]["verdict"]


def aggregates(rows: list[dict], rule_id: str, as_of=AFTER_2020, registry=None) -> dict[str, dict]:
    results = evaluate(frame(rows), ["panzhihua"], as_of=as_of, registry=registry)
    return {r["district"]: r for r in results.aggregate_details().filter(rule=rule_id).to_dicts()}


def costs(rows: list[dict]) -> dict:
    (by_community,) = cost(get_registry(), frame(rows), ["panzhihua"], as_of=AFTER_2020).by_community.to_dicts()
    return by_community


# --------------------------------------------------------------------------
# 三(五)4: 「按照每百户3000元的标准落实…专项资金」 — no period stated


def test_special_funds_are_money_of_no_stated_period_never_yearly():
    # the sentence before says 每年 for the office funds; this one says no period
    (special,) = [o for o in standard().obligations if o.id == "special_funds"]
    assert special.kind == "unstated"
    # 2,693 households: 2693 / 100 * 3000 = 80,790 yuan, apart from the 50,000 yuan of yearly office funds
    money = costs([row(households=2693)])
    assert money["unstated_yuan"] == pytest.approx(80_790)
    assert money["yearly_yuan"] == pytest.approx(50_000)


def test_the_special_funds_rule_says_it_reads_the_amount_as_yearly():
    # the rule can only compare with the yearly funds a dataset records: the inference is in its title
    special = rule("special_funds_per_100_households")
    assert "未写期限" in special.title and "period not stated" in (special.title_en or "")
    # 1,000 households: 1000 / 100 * 3000 = 30,000 a year under that reading
    result = details([row(households=1000, **{"finance.special_funds_yuan": 29_999})], [special.id])
    assert (result["c", special.id]["verdict"], result["c", special.id]["required_min"]) == ("fail", 30_000)


# --------------------------------------------------------------------------
# 三(五)4: 「每个城市社区每年不低于5万元」 — town communities are 城市社区 of this clause


def test_a_town_community_has_the_urban_office_fund_floor():
    # before: a town community was not covered and cost 0 yuan, silently
    assert verdict("office_funds_urban", {"kind": "town", "finance.office_funds_yuan": 49_000}) == "fail"
    assert verdict("office_funds_urban", {"kind": "town", "finance.office_funds_yuan": 50_000}) == "pass"
    assert costs([row(kind="town", households=700)])["yearly_yuan"] == pytest.approx(50_000)


def test_the_literal_reading_of_town_communities_is_an_overlay():
    literal = apply_reforms(get_registry(), overlays=[readings("town_communities_literal.toml")])
    town = {"kind": "town", "finance.office_funds_yuan": 0}
    assert verdict("office_funds_urban", town, registry=literal) == "not_applicable"
    assert rule("high_level_share_urban", literal).applies_to.kinds == ("urban",)


def test_the_office_fund_floors_of_2015_still_apply_later():
    # 「2015年起…三年调整一次」: the adjusted amounts are not in the text; the 2015 floor is the last known one
    rural = {"kind": "rural", "finance.office_funds_yuan": 40_000}
    assert verdict("office_funds_rural", rural, as_of=dt.date(2024, 6, 1)) == "pass"
    assert "三年调整一次" in (rule("office_funds_rural").notes or "")


# --------------------------------------------------------------------------
# 二(二)2-3: 「全市城市社区中, 高水平综合性和谐社区面达到 50%以上…」 — one target for the whole city


def city(designated: dict[str, list[bool]], kind: str = "urban", designation: str = "high_level_harmonious"):
    return [
        row(f"{kind}-{district}-{i}", district=district, kind=kind, designations=[designation] if on else [])
        for district, flags in designated.items()
        for i, on in enumerate(flags)
    ]


def test_a_city_share_target_is_judged_once_for_the_city_not_per_district():
    # 东区 3 of 4, 西区 0 of 2: the city has 3 / 6 = 50 % ≥ 50 % by 2018; 西区's 0 % breaks nothing
    rows = aggregates(
        city({"东区": [True, True, True, False], "西区": [False, False]}), "high_level_share_urban", dt.date(2019, 1, 1)
    )
    assert set(rows) == {"(all)"}
    assert (rows["(all)"]["verdict"], rows["(all)"]["value"]) == ("pass", pytest.approx(0.5))


def test_town_communities_count_in_the_urban_share():
    # 2 urban designated + 2 town not designated: 2 / 4 = 50 % (the urban ones alone would be 100 %)
    rows = aggregates(
        city({"东区": [True, True]}) + city({"东区": [False, False]}, kind="town"),
        "high_level_share_urban",
        dt.date(2019, 1, 1),
    )
    assert rows["(all)"]["communities"] == 4
    assert rows["(all)"]["value"] == pytest.approx(0.5)


def test_the_2020_stage_follows_the_2018_one():
    # 「2019 年——2020 年…达到 70%以上」: 3 of 5 = 60 % passes 2018's 50 %, fails 2020's 70 %
    communities = city({"东区": [True, True, True, False, False]})
    assert aggregates(communities, "high_level_share_urban", dt.date(2019, 1, 1))["(all)"]["verdict"] == "pass"
    assert aggregates(communities, "high_level_share_urban", AFTER_2020)["(all)"]["verdict"] == "fail"


# --------------------------------------------------------------------------
# 二(二)1: 「东区、西区、仁和区各建设 2 个…, 米易县和盐边县各建设 1 个…」 — a quota per named district


def test_the_2015_quotas_are_judged_per_named_district():
    communities = city({"东区": [True, True, False], "西区": [True, False], "米易县": [True]})
    districts = aggregates(communities, "high_level_2015_city_districts", dt.date(2016, 1, 1))
    assert {d: r["verdict"] for d, r in districts.items()} == {"东区": "pass", "西区": "fail"}
    counties = aggregates(communities, "high_level_2015_counties", dt.date(2016, 1, 1))
    assert {d: r["verdict"] for d, r in counties.items()} == {"米易县": "pass"}


def test_featured_quotas_include_the_number_named():
    # 「三区各建设 6 个以上特色社区」: 6 is enough (以上 includes the bound), 5 is not
    six = aggregates(
        city({"仁和区": [True] * 6}, designation="featured"), "featured_2015_city_districts", dt.date(2016, 1, 1)
    )
    five = aggregates(
        city({"仁和区": [True] * 5}, designation="featured"), "featured_2015_city_districts", dt.date(2016, 1, 1)
    )
    assert (six["仁和区"]["verdict"], five["仁和区"]["verdict"]) == ("pass", "fail")


# --------------------------------------------------------------------------
# 二(一) 「公共服务综合信息平台建设实现全覆盖」 and 三(二)1 「…“六中心一平台”建设」: judged once


def test_the_information_platform_is_judged_once_for_the_city():
    on_platform = [r.id for r in standard().rules if r.metric == "flag.public_service_info_platform"]
    assert on_platform == ["info_platform_full_coverage"]
    assert rule("info_platform_full_coverage").strength == "target"
    communities = [row("a", district="东区", flags=["public_service_info_platform"]), row("b", district="西区")]
    assert details(communities, on_platform) == {}  # no verdict on any one community
    # 三(五)3 「…建成运行后」: not yet built in 2015; the goal falls due by 2020 (inferred)
    assert aggregates(communities, "info_platform_full_coverage", dt.date(2016, 1, 1))["(all)"]["verdict"] == "not_due"
    rows = aggregates(communities, "info_platform_full_coverage", AFTER_2020)
    assert set(rows) == {"(all)"}
    assert rows["(all)"]["verdict"] == "fail"  # 1 of 2 connected: 50 % < 100 %


def test_the_six_centres_are_a_programme_of_the_city_not_duties_of_every_community():
    # 「强力推进社区公共服务中心、养老服务中心、青少年活动中心…的“六中心一平台”建设」
    for kind in [
        "elderly_day_care",
        "youth_activity_center",
        "citizen_training_center",
        "charity_aid_center",
        "volunteer_service_center",
    ]:
        assert not [r.id for r in standard().rules if r.metric == f"count.{kind}"], kind
    bare = row(**{f"count.{k}": 0 for k in ["elderly_day_care", "youth_activity_center", "public_service_center"]})
    failing = evaluate(frame([bare]), ["panzhihua"], as_of=dt.date(2016, 1, 1)).details(verdicts=["fail"])
    assert failing.filter(pl.col("metric").str.starts_with("count.")).is_empty()
    programme = task("six_centres_one_platform")
    assert "public_service_center" in programme.rules and "养老服务中心" in programme.source.quote


def test_the_public_service_centre_is_a_target_due_with_its_size():
    # 「按照“一社区一公共服务中心”的要求」 + 「力争到 2017 年…社区公共服务中心面积不低于 400 平方米」
    none = {"count.public_service_center": 0}
    assert verdict("public_service_center", none, as_of=dt.date(2016, 1, 1)) == "not_due"
    assert verdict("public_service_center", none, as_of=dt.date(2018, 1, 1)) == "fail"
    assert verdict("public_service_center", {"count.public_service_center": 1}, as_of=dt.date(2018, 1, 1)) == "pass"
    assert rule("public_service_center").strength == "target"


def test_a_standardised_centre_is_required_only_where_a_centre_exists():
    # 「社区公共服务中心必须实行标准化建设，统一名称、统一标识、统一职责和办事流程」
    centre = {"count.public_service_center": 1}
    assert verdict("service_center_standardized", centre) == "fail"
    assert verdict("service_center_standardized", {**centre, "flags": ["service_center_standardized"]}) == "pass"
    assert verdict("service_center_standardized", {"count.public_service_center": 0}) == "not_applicable"


# --------------------------------------------------------------------------
# 三(二)2 「力争到 2017 年，每百户居民拥有的社区服务设施面积不低于 20 平方米」: an average over the city


def test_service_space_per_100_households_is_an_average_over_the_city():
    # 1,000 households with 100 m² (10 per 100), 2,000 with 500 m² (25 per 100): 600 / 3000 × 100 = 20 ≥ 20
    communities = [
        row("small", households=1000, service_space_m2=100),
        row("large", households=2000, service_space_m2=500),
    ]
    assert details(communities, ["service_space_per_100_households"]) == {}
    rows = aggregates(communities, "service_space_per_100_households")
    assert set(rows) == {"(all)"}
    assert (rows["(all)"]["verdict"], rows["(all)"]["value"]) == ("pass", pytest.approx(20))


def test_the_per_community_reading_of_service_space_is_an_overlay():
    # 1,000 households × 20 / 100 = 200 m² for the small community alone
    per_community = apply_reforms(get_registry(), overlays=[readings("service_space_per_community.toml")])
    result = details(
        [row("small", households=1000, service_space_m2=100)],
        ["service_space_per_100_households"],
        registry=per_community,
    )["small", "service_space_per_100_households"]
    assert (result["verdict"], result["required_min"]) == ("fail", 200)


def test_the_street_centre_is_judged_only_where_the_data_records_it():
    # 「街道（乡镇）公共服务中心面积不低于 800 平方米」: a street facility, not every community's
    assert verdict("street_public_service_center_area", {"count.street_public_service_center": 0}) == "not_applicable"
    street = {"count.street_public_service_center": 1, "area.street_public_service_center": 799}
    assert verdict("street_public_service_center_area", street) == "fail"


# --------------------------------------------------------------------------
# 三(一): programmes of Party committees and enterprises are tasks; the community keeps its own duty


def test_dual_reporting_and_local_enterprise_systems_are_tasks():
    # 「推行机关党组织和在职党员社区“双报到”制度」; 「继续推行地企共建联系制度、地企党建工作联席会议制度」
    metrics = {r.metric for r in standard().rules}
    assert "flag.dual_reporting_system" not in metrics and "flag.joint_meeting_system" not in metrics
    assert task("dual_reporting").responsible == ("organization_dept",)
    assert "resident_units" in task("local_enterprise_co_building").cooperating


def test_the_community_keeps_its_two_way_service_system_with_resident_units():
    # 「社区（村）与驻区单位建立双向服务制度」
    assert verdict("two_way_service_system") == "fail"
    assert verdict("two_way_service_system", {"flags": ["two_way_service_system"]}) == "pass"


def test_representative_offices_are_not_judged_per_community():
    # 「全面建立“爱谱连锁”党代表工作室」: the level of the chain's offices is not stated
    assert not [r for r in standard().rules if r.metric == "count.party_representative_office"]
    assert "党代表工作室" in task("party_representative_offices").source.quote


def test_the_supervision_committee_has_no_lead_unit():
    # 「在社区（村）党组织领导下、在街道办事处（乡镇）指导下，独立行使监督权」: 领导 is not 牵头
    supervision = task("supervision_committee")
    assert supervision.lead == ()
    assert "community_party_organization" in supervision.guiding


# --------------------------------------------------------------------------
# 三(二)4 「形成综合性文化服务中心，开辟群众文体活动广场」: a programme with no 应 and no date


@pytest.mark.parametrize(
    ("rule_id", "kind"),
    [("comprehensive_culture_center", "culture_sports_center"), ("culture_sports_square", "outdoor_activity")],
)
def test_the_culture_centre_and_square_are_undated_targets(rule_id, kind):
    assert (rule(rule_id).strength, rule(rule_id).due) == ("target", None)
    assert verdict(rule_id, {f"count.{kind}": 0}) == "fail"


# --------------------------------------------------------------------------
# Readings kept and defended


def test_rural_size_is_guidance_and_never_fails():
    # 「原则上…农村按照不低于 300 户」 and 「原则上按照“一村一社区”设置」
    assert rule("size_rural").strength == "guidance"
    assert verdict("size_rural", {"kind": "rural", "households": 200}) not in {"fail", "pass"}
    assert verdict("size_rural", {"kind": "rural", "households": 300}) == "pass"


@pytest.mark.parametrize(("trainings", "expected"), [(2, "fail"), (3, "pass")])
def test_three_levels_each_train_the_committee_once_a_year(trainings, expected):
    # 「市、县（区）及街道（乡镇）…每年至少分别培训一次」: three levels, at least 3 a year
    assert verdict("member_trainings", {"indicators.member_trainings_per_year": trainings}) == expected
    assert verdict("director_trainings", {"indicators.director_trainings_per_year": trainings}) == expected


@pytest.mark.parametrize(("population", "expected"), [(4999, "not_applicable"), (5000, "fail")])
def test_a_large_community_gets_at_least_one_more_full_time_deputy(population, expected):
    # 「在常住人口5000人以上社区增配专职副书记或专职副主任」: ≥ 1 is the measurable floor of 增配
    columns = {"population": population, "staff.full_time_deputies": 0}
    assert verdict("extra_deputy_large_community", columns) == expected


def test_pay_at_the_monthly_average_wage_passes():
    # 「其标准不低于上年度当地社会平均工资水平」: the yearly average ÷ 12, as the catalog entry says
    wage = next(m for m in standard().catalog.metrics if m.id == "local_average_wage_monthly_yuan")
    assert "÷ 12" in wage.en
    pay = {"finance.staff_pay_monthly_yuan": 4000, "finance.local_average_wage_monthly_yuan": 48_000 / 12}
    assert verdict("staff_pay_floor", pay) == "pass"


def test_staff_of_residents_communities_are_insured():
    # 「社区居民委员会成员、社区专职工作人员按国家有关规定参加…保险和落实住房公积金政策」
    assert verdict("staff_social_insurance", {"kind": "town"}) == "fail"
    assert verdict("staff_social_insurance", {"kind": "village"}) == "not_applicable"


def test_the_access_system_stays_the_communitys_own():
    # 「推行社区（村）行政事务准入制，建立社区（村）公共服务准入管理制度」: it screens what each community gets
    assert verdict("work_access_system") == "fail"
    assert verdict("work_access_system", {"flags": ["work_access_system"]}) == "pass"


@pytest.mark.parametrize(
    ("task_id", "words"),
    [
        ("new_development_facilities", "新建住宅小区"),
        ("floating_population_layout", "流动人口聚集区域"),
        ("self_governance_groups", "无物业服务企业管理的小区"),
        ("rural_community_prohibitions", "严禁"),
    ],
)
def test_duties_of_governments_and_of_estates_are_tasks_not_community_rules(task_id, words):
    # 「…对不符合规定配置标准 and 要求的不予批准」 governs approvals of new projects, never existing communities
    assert words in task(task_id).source.quote
    assert not [r for r in standard().rules if words in r.source.quote]
