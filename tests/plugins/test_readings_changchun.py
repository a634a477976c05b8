"""The second reading of changchun (长政办〔2018〕61号 加快推进城市社区居委会建设工作实施方案), pinned case by case.

Each test builds a few communities by hand and asserts what the reading chosen
in ``plugins/changchun/changchun.toml`` implies, with the document's own words
in a comment: an approximate norm departs instead of failing, a county-wide
rate is judged once for the county, an approval rule does not judge rented
offices, a permission never fails, and so on. The expected values are worked
out from the text, not copied from the engine's output.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner
from support import community_frame

from shequ import get_registry
from shequ.cli import main
from shequ.engine import evaluate
from shequ.reform import apply_reforms

AFTER_2020 = dt.date(2021, 6, 1)
IN_2019 = dt.date(2019, 6, 1)
OVERLAY = "per_community_volunteering.toml"
NO_FLAGS: list[str] = []


def readings(name: str) -> Path:
    return Path(str(resources.files("shequ_plugins.changchun") / "readings" / name))


def standard(registry=None):
    return (registry or get_registry()).get("changchun").standard


def rule(rule_id: str, registry=None):
    return standard(registry).rule(rule_id)


def task(task_id: str):
    return next(t for t in standard().tasks if t.id == task_id)


def frame(rows: list[dict]) -> pl.DataFrame:
    """Communities as the canonical frame (see tests/support.py)."""
    return community_frame(rows, kind="urban")


def judge(rule_id: str, as_of: dt.date = AFTER_2020, registry=None, **columns) -> dict:
    """The one result of ``rule_id`` for one community with the given columns."""
    (row,) = (
        evaluate(frame([{"id": "c", **columns}]), ["changchun"], as_of=as_of, registry=registry)
        .details(rules=[rule_id])
        .to_dicts()
    )
    return row


def county(rule_id: str, rows: list[dict], as_of: dt.date = AFTER_2020, registry=None) -> list[dict]:
    """The set-level results of an aggregate rule over the given communities."""
    results = evaluate(frame(rows), ["changchun"], as_of=as_of, registry=registry)
    assert results.details(rules=[rule_id]).is_empty(), "a county-wide rate has no per-community verdict"
    return results.aggregate_details().filter(pl.col("rule") == rule_id).to_dicts()


def column(metric_id: str) -> str:
    return get_registry().catalog.metric(metric_id).column


# --------------------------------------------------------------------------
# The jurisdiction: the text never names its county


def test_the_displayed_name_says_only_what_the_text_supports():
    # 「结合我县实际」, 「县官方第22次常务会议」, 文号 「长政办〔2018〕61号」: a county, never named
    jurisdiction = standard().jurisdiction
    assert jurisdiction.id == "changchun"  # the product's plugin name stays
    assert jurisdiction.level == "county"
    for shown in (jurisdiction.name, jurisdiction.name_en or ""):
        assert "长春" not in shown and "Changchun" not in shown
        assert "长政办" in shown
    assert "县名未载" in jurisdiction.name and "name not stated" in (jurisdiction.name_en or "")
    # the text names no superior jurisdiction (参照全省规范化社区标准 names no province): none is recorded;
    # the parent is the national law, a legal fact about residents' committees, not a name the text gives
    assert jurisdiction.superior is None
    assert jurisdiction.parent == "national"


@pytest.mark.parametrize("command", [["plugins"], ["show", "changchun"]])
def test_no_listing_calls_the_county_changchun(command):
    result = CliRunner().invoke(main, command, terminal_width=400)
    assert result.exit_code == 0, result.output
    assert "长政办" in result.output
    assert "长春" not in result.output and "Changchun" not in result.output


# --------------------------------------------------------------------------
# Approximate norms: 左右 / 一般 / 为宜 depart, never fail


def test_grid_size_is_about_150_households_with_a_tolerance():
    # 「每个网格一般以150户左右为宜」
    grid = rule("grid_size")
    assert (grid.strength, grid.tolerance, grid.requirement.value) == ("guidance", 0.1, 150)
    # 160 households per grid is "about 150": within 150 × 1.1 = 165
    assert judge("grid_size", households=1600, grids=10)["verdict"] == "pass"
    # 300 per grid departs from the norm, it does not violate it
    assert judge("grid_size", households=3000, grids=10)["verdict"] == "departs"


def test_community_size_keeps_its_zuoyou():
    # 「社区规模以1000—2000户左右为宜」
    size = rule("community_size")
    assert (size.strength, size.tolerance) == ("guidance", 0.1)
    assert judge("community_size", households=2150)["verdict"] == "pass"  # ≤ 2000 × 1.1
    assert judge("community_size", households=950)["verdict"] == "pass"  # ≥ 1000 × 0.9
    assert judge("community_size", households=2500)["verdict"] == "departs"
    assert judge("community_size", households=600)["verdict"] == "departs"


@pytest.mark.parametrize("households", [600, 1500, 2500, 4000])
def test_approximate_size_norms_never_fail(households):
    for rule_id in ("community_size", "grid_size"):
        assert judge(rule_id, households=households, grids=1)["verdict"] != "fail"


def test_committee_staffing_counts_party_members_committee_and_staff():
    # 「居民委员会一般配置5至9人(包括社区党组织成员、居民委员会成员和社区专职工作人员…)」:
    # not the committee alone, so not Longgang's 「社区居委会由5—9人组成」 metric
    size = rule("committee_size")
    assert size.metric == "committee_staffing" and size.metric != "committee_members"
    staffing = column("committee_staffing")
    # a dataset that gives only the committee's own members cannot be judged
    assert judge("committee_size", households=1500, **{"staff.committee_members": 7.0})["verdict"] == "unknown"
    assert judge("committee_size", households=1500, **{staffing: 7.0})["verdict"] == "pass"


def test_larger_communities_may_add_staff_beyond_nine():
    # 「…规模较大的可适当增加社区专职工作人员」: a permission; 规模较大 read as above the
    # item's own 1000—2000户 norm
    staffing = column("committee_staffing")
    assert judge("committee_size", households=2500, **{staffing: 12.0})["verdict"] == "pass"
    # an ordinary community with 12 departs from the 一般 5–9; it never fails
    assert judge("committee_size", households=1500, **{staffing: 12.0})["verdict"] == "departs"
    assert judge("committee_size", households=2500, **{staffing: 3.0})["verdict"] == "departs"


# --------------------------------------------------------------------------
# 二(三)14: county-wide rates, with the per-community reading as an overlay

COUNTY = [
    # a: 20 % registered, 30 % of party members and 35 % of residents volunteer; b: none of it
    {
        "id": "a",
        "district": "东街道",
        "population": 1000,
        "party_members": 100,
        "volunteers.registered": 200.0,
        "volunteers.party_members": 30.0,
        "volunteers.residents": 350.0,
    },
    {
        "id": "b",
        "district": "西街道",
        "population": 3000,
        "party_members": 100,
        "volunteers.registered": 0.0,
        "volunteers.party_members": 15.0,
        "volunteers.residents": 100.0,
    },
]


@pytest.mark.parametrize(
    ("rule_id", "metric", "in_2019", "after_2020"),
    [
        # 「城市社区志愿者注册率达到4%以上」 / 「…达到10%以上」: 200 ÷ 4000 = 5 %
        ("volunteer_registration", "registered_volunteers", "pass", "fail"),
        # 「20%以上的城市社区党员」 / 「80%以上的城市社区党员」: 45 ÷ 200 = 22.5 %
        ("party_member_volunteering", "volunteering_party_members", "pass", "fail"),
        # 「10%以上的城市社区居民」 / 「30%以上的社区居民」: 450 ÷ 4000 = 11.25 %
        ("resident_volunteering", "volunteering_residents", "pass", "fail"),
    ],
)
def test_volunteering_rates_are_judged_once_for_the_county(rule_id, metric, in_2019, after_2020):
    read = rule(rule_id)
    assert read.metric == metric and read.strength == "target"
    (result,) = county(rule_id, COUNTY, as_of=IN_2019)  # one row: the county, no row per street
    assert (result["district"], result["verdict"]) == ("(all)", in_2019)
    (result,) = county(rule_id, COUNTY, as_of=AFTER_2020)
    assert result["verdict"] == after_2020


def test_registration_rate_of_the_county_is_five_percent():
    (result,) = county("volunteer_registration", COUNTY, as_of=IN_2019)
    assert result["value"] == pytest.approx(200 / 4000)
    assert result["required_min"] == pytest.approx(0.04)


def test_the_per_community_reading_ships_as_an_overlay():
    # the other reading: 「每个城市社区要…」 governs the whole sentence
    reformed = apply_reforms(get_registry(), overlays=[readings(OVERLAY)])
    results = evaluate(frame(COUNTY), ["changchun"], as_of=IN_2019, registry=reformed)
    verdicts = {
        (row["id"], row["rule"]): row["verdict"]
        for row in results.details(
            rules=["volunteer_registration", "party_member_volunteering", "resident_volunteering"]
        ).to_dicts()
    }
    # a: 20 %, 30 %, 35 % — every share met; b: 0 %, 15 %, 3.3 % — every share missed
    assert verdicts == {
        ("a", "volunteer_registration"): "pass",
        ("a", "party_member_volunteering"): "pass",
        ("a", "resident_volunteering"): "pass",
        ("b", "volunteer_registration"): "fail",
        ("b", "party_member_volunteering"): "fail",
        ("b", "resident_volunteering"): "fail",
    }
    for rule_id in ("volunteer_registration", "party_member_volunteering", "resident_volunteering"):
        assert rule(rule_id, reformed).strength == "mandatory"
    assert results.aggregate_details().filter(pl.col("rule") == "volunteer_registration").is_empty()


def test_co_building_is_a_county_share_not_a_quota_per_street():
    # 「到2018年年底,40%以上驻社区单位与社区签订共驻共建协议」: names no community and no street
    rows = [
        {"id": "a", "district": "东街道", "indicators.resident_units": 10.0, "indicators.co_building_agreements": 1.0},
        {"id": "b", "district": "西街道", "indicators.resident_units": 10.0, "indicators.co_building_agreements": 9.0},
    ]
    results = county("co_building_agreements", rows, as_of=IN_2019)
    assert [(r["district"], r["verdict"]) for r in results] == [("(all)", "pass")]  # 10 ÷ 20 = 50 %


def test_the_home_service_platform_is_a_county_programme():
    # 「加快建设面向全县社区居民的居家服务呼叫中心…2018年年底前实现全县覆盖」
    rows = [{"id": "a", "flags": ["home_service_platform"]}, {"id": "b", "flags": NO_FLAGS}]
    (result,) = county("home_service_platform", rows, as_of=IN_2019)
    assert (result["district"], result["verdict"]) == ("(all)", "fail")  # the county covers half


# --------------------------------------------------------------------------
# 二(二)9(1): approval rules judge premises of approved projects, not rented rooms


@pytest.mark.parametrize("rule_id", ["office_not_basement", "office_floor"])
def test_a_rented_basement_office_is_not_judged_by_the_approval_rule(rule_id):
    # 「审批建筑方案时,…原则上要设在一楼或二楼…,不得设在高楼层或地下室」 vs 二(二)7
    # 「老城区和已建成居住区…也可以采取置换、购买、划拨、租借等方式解决」
    result = judge(rule_id, flags=NO_FLAGS, **{"floor.residents_committee_office": -1})
    assert result["verdict"] == "not_applicable"


def test_a_basement_office_in_an_approved_project_breaks_the_prohibition_only():
    approved = {"flags": ["office_in_approved_project"], "floor.residents_committee_office": -1}
    assert judge("office_not_basement", **approved)["verdict"] == "fail"  # 不得: mandatory
    assert judge("office_floor", **approved)["verdict"] == "departs"  # 原则上: guidance
    third_floor = {"flags": ["office_in_approved_project"], "floor.residents_committee_office": 3}
    assert judge("office_not_basement", **third_floor)["verdict"] == "pass"
    assert judge("office_floor", **third_floor)["verdict"] == "departs"


def test_the_floor_rules_belong_to_the_planning_department():
    # 「规划部门要按标准将社区居民委员会工作用房一步规划到位」
    assert set(task("t09_1_planning").rules) == {"office_floor", "office_not_basement"}
    assert not set(task("t09_office_premises").rules) & {"office_floor", "office_not_basement"}


# --------------------------------------------------------------------------
# 二(一)5: graduates or social workers, comparable with Xiamen's social workers


def test_graduates_or_social_workers_is_in_the_community_workers_concept():
    # 「力争到2018年底每个城市社区至少拥有1名大学毕业生或1名社会工作专业人员」
    read = rule("graduate_or_social_worker")
    assert read.metric == "graduates_or_social_workers" and read.strength == "target"
    catalog = get_registry().catalog
    concept = catalog.concept_of("graduates_or_social_workers")
    assert concept == catalog.concept_of("social_workers") == catalog.concept_of("college_graduates")
    assert concept == "community_workers"


def test_one_social_worker_meets_the_graduate_or_social_worker_target():
    social_worker = {"staff.college_graduates": 0.0, "staff.social_workers": 1.0}
    assert judge("graduate_or_social_worker", **social_worker)["verdict"] == "pass"
    neither = {"staff.college_graduates": 0.0, "staff.social_workers": 0.0}
    assert judge("graduate_or_social_worker", **neither)["verdict"] == "fail"  # 力争: a binding target


# --------------------------------------------------------------------------
# Dates and duplicates


CENTRES = [
    "count.convenience_service_center",
    "count.governance_service_center",
    "count.culture_sports_center",
    "count.health_service_center",
    "count.elderly_day_care",
    "count.children_service_center",
    "count.volunteer_service_center",
]


@pytest.mark.parametrize("missing", [centre for centre in CENTRES if centre != "count.governance_service_center"])
def test_the_seven_centres_are_due_with_the_plans_horizon(missing):
    # 「到2020年,…城乡社区服务设施布局更加完备」; item 19 dates the seventh 「2020年底前」
    columns = {centre: (0 if centre == missing else 1) for centre in CENTRES}
    assert judge("seven_centers", as_of=IN_2019, **columns)["verdict"] == "pass"  # only the 综治服务中心 is due
    assert judge("seven_centers", as_of=AFTER_2020, **columns)["verdict"] == "fail"


def test_the_governance_centre_is_one_body_due_once():
    # 「2018年年底前,每个城市社区都要成立社区综治中心」 and item 8's 社区综治服务中心
    centres = rule("seven_centers")
    assert centres.requirement.stages[0].due == rule("governance_center").due == dt.date(2018, 12, 31)
    assert "governance_center" in centres.restates
    missing = {"count.governance_center": 0, "count.governance_service_center": 0}
    before, after = dt.date(2018, 10, 1), dt.date(2019, 6, 1)
    assert judge("seven_centers", as_of=before, **missing)["verdict"] == "not_due"
    assert judge("governance_center", as_of=before, **missing)["verdict"] == "not_due"
    assert judge("seven_centers", as_of=after, **missing)["verdict"] == "fail"


def test_a_new_community_without_a_party_organisation_counts_once():
    # 「新成立的社区要同步建立党组织」 and 「到2020年,实现“一支部…”…全覆盖」
    assert rule("new_community_party_organization").restates == ("party_organization",)


def test_all_three_volunteer_systems_are_encoded():
    # 「建立健全社区志愿服务注册制度、培训制度和激励机制」
    metrics = {
        rule(r).metric
        for r in ("volunteer_registration_system", "volunteer_training_system", "volunteer_incentive_system")
    }
    assert metrics == {
        "flag.volunteer_registration_system",
        "flag.volunteer_training_system",
        "flag.volunteer_incentive_system",
    }
    flags = {"flags": ["volunteer_registration_system", "volunteer_training_system"]}
    assert judge("volunteer_incentive_system", **flags)["verdict"] == "fail"
    assert judge("volunteer_training_system", **flags)["verdict"] == "pass"


def test_every_changed_reading_is_recorded_in_its_notes():
    changed = [
        "community_size",
        "committee_size",
        "grid_size",
        "office_floor",
        "office_not_basement",
        "party_member_volunteering",
        "resident_volunteering",
        "volunteer_registration",
        "co_building_agreements",
        "home_service_platform",
        "seven_centers",
        "new_community_party_organization",
        "volunteer_training_system",
        "volunteer_incentive_system",
    ]
    for rule_id in changed:
        assert "issue 10" in (rule(rule_id).notes or ""), rule_id
    for rule_id in ("grid_size", "community_size"):
        assert "our reading of 左右: the text states no tolerance" in rule(rule_id).notes


# --------------------------------------------------------------------------
# 一有七中心 as one rule (the plugin) and as seven rules (overlay)

SEVEN_RULES = [
    "convenience_service_center",
    "governance_service_center",
    "culture_sports_center",
    "health_service_center",
    "elderly_day_care",
    "children_service_center",
    "volunteer_service_center",
]


@pytest.mark.parametrize("as_of", [dt.date(2019, 6, 1), dt.date(2021, 1, 1)])
def test_the_seven_centres_as_one_rule_judge_the_sample_as_the_seven_rules_together(as_of):
    # 「按照“一有七中心”标准,即:…每个社区都要配备完善的社区便民服务中心、…、社区志愿服务中心」:
    # one all_of rule fails where any of the seven rules fails, passes where all pass, else is unknown
    from shequ.io import load_communities

    data = load_communities(Path(__file__).parents[2] / "examples" / "communities.csv")
    reformed = apply_reforms(get_registry(), overlays=[readings("seven_centers_as_seven_rules.toml")])
    seven = {
        (r["id"], r["rule"]): r["verdict"]
        for r in evaluate(data, ["changchun"], as_of=as_of, registry=reformed).details(rules=SEVEN_RULES).to_dicts()
    }
    one = evaluate(data, ["changchun"], as_of=as_of).details(rules=["seven_centers"]).to_dicts()
    assert "seven_centers" not in {rule.id for rule in standard(reformed).rules}
    assert set(SEVEN_RULES) <= {rule.id for rule in standard(reformed).rules}
    assert not set(SEVEN_RULES[:4] + SEVEN_RULES[5:]) & {rule.id for rule in standard().rules}
    assert len(one) == len({community for community, _ in seven}) > 0
    for row in one:
        parts = [seven[(row["id"], rule_id)] for rule_id in SEVEN_RULES]
        if as_of < dt.date(2020, 12, 31):  # only the governance centre is due (item 4's date)
            parts = [seven[(row["id"], "governance_service_center")]]
        if all(part == "not_applicable" for part in parts):
            expected = "not_applicable"
        elif "fail" in parts:
            expected = "fail"
        elif "unknown" in parts:
            expected = "unknown"
        else:
            expected = "pass"
        assert row["verdict"] == expected, (row["id"], parts)
