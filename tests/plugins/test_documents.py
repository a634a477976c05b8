"""Hand-worked cases from each document's own numbers, judged under the real built-in plugins.

Every expected value here is computed by hand from the quoted clause, not
taken from the engine's output.
"""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from shequ.engine import evaluate


def judge(jurisdiction: str, rule: str, as_of: dt.date = dt.date(2021, 1, 1), **columns) -> dict:
    frame = pl.DataFrame({"id": ["c"], "kind": ["urban"], **{k: [v] for k, v in columns.items()}})
    (row,) = evaluate(frame, [jurisdiction], as_of=as_of).details(rules=[rule]).to_dicts()
    return row


# 长政办〔2018〕61号 二(二)8: 每百户…不低于30平方米(…不足300平方米的,按不少于300平方米设置)
@pytest.mark.parametrize(
    ("households", "space", "verdict", "required", "shortfall"),
    [
        (1500, 440.0, "fail", 450.0, 10.0),  # 1,500 / 100 × 30 = 450
        (1500, 450.0, "pass", 450.0, 0.0),
        (800, 299.0, "fail", 300.0, 1.0),  # 240 < 300: the floor applies
        (2000, 650.0, "pass", 600.0, 0.0),
    ],
)
def test_changchun_service_space(households, space, verdict, required, shortfall):
    row = judge("changchun", "service_space", households=households, service_space_m2=space)
    assert (row["verdict"], row["required_min"], row["shortfall"]) == (verdict, required, shortfall)
    assert row["clause"].startswith("二(二)8") and row["unit"] == "m²"


def test_changchun_committee_of_five_to_nine():
    # 二(一)2: 居民委员会一般配置5至9人(包括社区党组织成员、居民委员会成员和社区专职工作人员,…): 一般 = guidance
    staffing = {"households": 1500}
    assert judge("changchun", "committee_size", **staffing, **{"staff.committee_staffing": 4.0})["verdict"] == "departs"
    assert (
        judge("changchun", "committee_size", **staffing, **{"staff.committee_staffing": 11.0})["verdict"] == "departs"
    )
    assert judge("changchun", "committee_size", **staffing, **{"staff.committee_staffing": 7.0})["verdict"] == "pass"


def test_changchun_volunteer_registration_is_staged():
    # 二(三)14: 城市社区志愿者注册率达到4%以上 by end-2018; 10%以上 by 2020 (a county-wide rate)
    frame = pl.DataFrame({"id": ["c"], "kind": ["urban"], "population": [3000], "volunteers.registered": [150.0]})

    def county(as_of: dt.date) -> dict:
        aggregates = evaluate(frame, ["changchun"], as_of=as_of).aggregate_details()
        (row,) = aggregates.filter(pl.col("rule") == "volunteer_registration").to_dicts()  # 5 %
        return row

    assert county(dt.date(2018, 9, 1))["verdict"] == "not_due"
    assert county(dt.date(2019, 6, 1))["verdict"] == "pass"
    late = county(dt.date(2021, 1, 1))
    assert late["verdict"] == "fail" and late["shortfall"] == pytest.approx(0.05)


def test_changchun_rule_does_not_cover_rural_communities():
    frame = pl.DataFrame({"id": ["c"], "kind": ["rural"], "households": [1500], "service_space_m2": [10.0]})
    (row,) = evaluate(frame, ["changchun"], as_of=dt.date(2021, 1, 1)).details(rules=["service_space"]).to_dicts()
    assert row["verdict"] == "not_applicable"


# 东政办发〔2019〕31号 二(二)1: 每百户不低于30平方米, 最低不少于600平方米
@pytest.mark.parametrize(
    ("households", "space", "verdict", "required", "shortfall"),
    [
        (1500, 550.0, "fail", 600.0, 50.0),  # 450 < 600: the floor applies
        (2500, 700.0, "fail", 750.0, 50.0),  # 2,500 / 100 × 30 = 750
        (2500, 750.0, "pass", 750.0, 0.0),
    ],
)
def test_donghai_service_space(households, space, verdict, required, shortfall):
    row = judge("donghai", "service_space_per_100_households", households=households, service_space_m2=space)
    assert (row["verdict"], row["required_min"], row["shortfall"]) == (verdict, required, shortfall)


def test_donghai_staff_office_share_cap():
    # 三(三)2: 工作人员办公使用面积不超过20%
    over = judge("donghai", "staff_office_share", staff_office_m2=150.0, service_space_m2=600.0)  # 25 %
    assert over["verdict"] == "fail" and over["shortfall"] == pytest.approx(0.05)
    assert judge("donghai", "staff_office_share", staff_office_m2=120.0, service_space_m2=600.0)["verdict"] == "pass"


def test_donghai_size_is_households_or_people():
    # 二(二)2: 原则上 2000—3000户 或 10000人 (about 10000: 9000–11000)
    assert judge("donghai", "community_size", households=1500, population=10500)["verdict"] == "pass"
    assert judge("donghai", "community_size", households=2500, population=7000)["verdict"] == "pass"
    assert judge("donghai", "community_size", households=1500, population=12000)["verdict"] == "departs"
    assert judge("donghai", "community_size", households=1500, population=4000)["verdict"] == "departs"


def test_longgang_general_branch_from_fifty_party_members():
    # 第十条: 党员50人以上的社区建立党总支
    assert (
        judge("longgang", "party_general_branch_50_members", party_members=60, **{"count.party_general_branch": 0})[
            "verdict"
        ]
        == "fail"
    )
    assert (
        judge("longgang", "party_general_branch_50_members", party_members=40, **{"count.party_general_branch": 0})[
            "verdict"
        ]
        == "not_applicable"
    )


def test_longgang_village_to_residence_rules_need_the_flag():
    # 第三十八条: 股份合作公司提供350平方米以上用房 — only for 村改居 communities; 用房 = the premises
    flagged = judge("longgang", "village_to_residence_premises", flags=["village_to_residence"], service_space_m2=300.0)
    assert flagged["verdict"] == "fail" and flagged["shortfall"] == 50.0
    other = judge("longgang", "village_to_residence_premises", flags=[], service_space_m2=300.0)
    assert other["verdict"] == "not_applicable"


def test_panzhihua_extra_deputy_above_5000_residents():
    # 常住人口5000人以上社区增配专职副书记或专职副主任
    assert (
        judge("panzhihua", "extra_deputy_large_community", population=6000, **{"staff.full_time_deputies": 0.0})[
            "verdict"
        ]
        == "fail"
    )
    assert (
        judge("panzhihua", "extra_deputy_large_community", population=6000, **{"staff.full_time_deputies": 1.0})[
            "verdict"
        ]
        == "pass"
    )
    assert (
        judge("panzhihua", "extra_deputy_large_community", population=4000, **{"staff.full_time_deputies": 0.0})[
            "verdict"
        ]
        == "not_applicable"
    )


def test_panzhihua_service_space_per_100_households():
    # 每百户居民拥有的社区服务设施面积不低于20平方米, an average over the city: 1,500 households need 300 m² in all
    frame = pl.DataFrame(
        {"id": ["a", "b"], "kind": ["urban", "urban"], "households": [1000, 500], "service_space_m2": [150.0, 130.0]}
    )
    (row,) = (
        evaluate(frame, ["panzhihua"], as_of=dt.date(2021, 1, 1))
        .aggregate_details()
        .filter(rule="service_space_per_100_households")
        .to_dicts()
    )
    assert (row["district"], row["verdict"], row["value"]) == ("(all)", "fail", pytest.approx(280 / 1500 * 100))


def test_xiamen_one_social_worker_per_community_by_2020():
    # 每个城乡社区至少配备1名社区社会工作者 (到2020年)
    assert (
        judge("xiamen", "social_worker_per_community", dt.date(2019, 1, 1), **{"staff.social_workers": 0.0})["verdict"]
        == "not_due"
    )
    assert (
        judge("xiamen", "social_worker_per_community", dt.date(2021, 1, 1), **{"staff.social_workers": 0.0})["verdict"]
        == "fail"
    )


def test_xiamen_two_social_workers_per_10000_residents_citywide():
    # 每万人拥有专业社工人数达到2人: 30,000 residents need 6
    frame = pl.DataFrame(
        {
            "id": ["a", "b", "c"],
            "kind": ["urban", "urban", "rural"],
            "population": [10000, 10000, 10000],
            "staff.social_workers": [3.0, 2.0, 0.0],
        }
    )
    rows = [
        r
        for r in evaluate(frame, ["xiamen"], as_of=dt.date(2021, 1, 1)).aggregate_details().to_dicts()
        if r["rule"] == "social_workers_per_10000"
    ]
    assert [(r["district"], r["verdict"]) for r in rows] == [("(all)", "fail")]
    assert rows[0]["value"] == pytest.approx(5 / 30000 * 10000)
