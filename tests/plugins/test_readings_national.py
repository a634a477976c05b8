"""The national law on urban residents' committees, version by version, pinned case by case.

Each expectation is worked out by hand from the shipped texts (quotes in the
comments), not copied from the engine: which version is in force on a day,
what it requires of a community, and how binding it is (一般 → guidance, a
community outside the range departs, it never fails).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from importlib import resources
from pathlib import Path

import pytest
from support import community_frame

from shequ import get_registry
from shequ.checks.validate import validate_path
from shequ.engine import evaluate
from shequ.engine.reference import evaluate_rule
from shequ.views.versions import history, in_force_standard

PLUGIN = Path(str(resources.files("shequ_plugins.national")))


def standard():
    return get_registry().get("national").standard


def verdicts(as_of: dt.date, **columns: object) -> dict[str, str]:
    """rule id → verdict of one community (urban unless ``kind`` is given) under the national standard."""
    row = {"id": "C", "kind": "urban", **columns}
    results = evaluate(community_frame([row]), ["national"], as_of=as_of)
    return {r["rule"]: r["verdict"] for r in results.details().to_dicts()}


# --------------------------------------------------------------------------
# The documents: texts, hashes, dates


def test_every_document_ships_its_text_with_the_declared_sha256_and_provenance():
    for document in standard().documents:
        text = (PLUGIN / document.text).read_bytes()
        assert hashlib.sha256(text).hexdigest() == document.sha256
        assert document.source_url.startswith("https://")
        assert document.accessed == dt.date(2026, 11, 30)


def test_the_versions_follow_one_another_without_gap_or_overlap():
    by_id = {d.id: d for d in standard().documents}
    # 1954 条例 repealed by 第二十三条 of the 1989 law: 本法自1990年1月1日起施行 … 《城市居民委员会组织条例》同时废止
    assert by_id["reg1954"].superseded_by == "law1989"
    assert by_id["reg1954"].superseded_on == by_id["law1989"].effective == dt.date(1990, 1, 1)
    # amended 2018-12-29; the 2025 revision: 本法自2026年1月1日起施行 (第五十条)
    assert by_id["law1989"].superseded_on == by_id["law2018"].in_force_from == dt.date(2018, 12, 29)
    assert by_id["law2018"].superseded_on == by_id["law2025"].effective == dt.date(2026, 1, 1)
    assert by_id["law2025"].date == dt.date(2025, 10, 28)
    assert by_id["law2025"].superseded_on is None


@pytest.mark.parametrize(
    ("day", "document"),
    [
        (dt.date(1970, 1, 1), "reg1954"),
        (dt.date(1989, 12, 31), "reg1954"),
        (dt.date(1990, 1, 1), "law1989"),  # the law's date is 1989-12-26, but it takes effect 1990-01-01
        (dt.date(2018, 12, 28), "law1989"),
        (dt.date(2018, 12, 29), "law2018"),
        (dt.date(2025, 12, 31), "law2018"),  # revised 2025-10-28, not yet in force
        (dt.date(2026, 1, 1), "law2025"),
    ],
)
def test_exactly_one_version_is_in_force_on_any_day(day, document):
    in_force = [d.id for d in standard().documents if d.in_force(day)]
    assert in_force == [document]


def test_a_changed_text_fails_validation(tmp_path):
    copy = tmp_path / "national"
    shutil.copytree(PLUGIN, copy, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    assert validate_path(copy / "national.toml") == []
    text = copy / "organic_law_2025.txt"
    text.write_text(text.read_text(encoding="utf-8") + "多一行。\n", encoding="utf-8")
    problems = validate_path(copy / "national.toml")
    assert any(p.where == "documents[3].sha256" and "organic_law_2025.txt" in p.message for p in problems)


# --------------------------------------------------------------------------
# Community size: 100–600 (1954), 100–700 (1989, 2018), 1000–3000 (2025), all 一般: guidance


@pytest.mark.parametrize(
    ("day", "rule", "verdict"),
    [
        # 第三條(一) 一般地以一百戶至六百戶居民為範圍: 1500 > 600, guidance → departs
        (dt.date(1985, 1, 1), "committee_households_1954", "departs"),
        # 第六条 一般在一百户至七百户的范围内设立: 1500 > 700 → departs
        (dt.date(2000, 1, 1), "committee_households_1989", "departs"),
        (dt.date(2020, 1, 1), "committee_households_2018", "departs"),
        # 第三条 一般在一千户至三千户的范围内设立: 1000 ≤ 1500 ≤ 3000 → pass
        (dt.date(2026, 6, 1), "committee_households_2025", "pass"),
    ],
)
def test_a_1500_household_community_under_each_version(day, rule, verdict):
    judged = verdicts(day, households=1500)
    assert judged[rule] == verdict
    households = {r: v for r, v in judged.items() if r.startswith("committee_households")}
    assert sorted(r for r, v in households.items() if v != "not_in_force") == [rule]


def test_2000_and_2026_judge_1500_households_differently_because_the_versions_differ():
    before = verdicts(dt.date(2000, 1, 1), households=1500)
    after = verdicts(dt.date(2026, 6, 1), households=1500)
    assert before["committee_households_1989"] == "departs" and before["committee_households_2025"] == "not_in_force"
    assert after["committee_households_1989"] == "not_in_force" and after["committee_households_2025"] == "pass"


def test_2000_and_2020_judge_alike_because_the_2018_amendment_left_the_size_norm_unchanged():
    assert verdicts(dt.date(2000, 1, 1), households=650)["committee_households_1989"] == "pass"
    assert verdicts(dt.date(2020, 1, 1), households=650)["committee_households_2018"] == "pass"
    assert verdicts(dt.date(2000, 1, 1), households=800)["committee_households_1989"] == "departs"
    assert verdicts(dt.date(2020, 1, 1), households=800)["committee_households_2018"] == "departs"


def test_the_size_norm_never_fails_it_only_departs():
    judged = verdicts(dt.date(2026, 6, 1), households=50)  # far below 一千户
    assert judged["committee_households_2025"] == "departs"


def test_the_1954_regulation_covers_cities_the_1989_law_also_town_seats():
    # 1954: 城市居民委員會組織條例 (cities); 1989 第二十一条: 乡、民族乡、镇的人民政府所在地
    assert verdicts(dt.date(1985, 1, 1), kind="town", households=300)["committee_households_1954"] == "not_applicable"
    assert verdicts(dt.date(2000, 1, 1), kind="town", households=300)["committee_households_1989"] == "pass"


# --------------------------------------------------------------------------
# Committee size: 7–17 (1954), 5–9 (1989 onwards), declarative: mandatory


@pytest.mark.parametrize(
    ("day", "members", "rule", "verdict"),
    [
        (dt.date(1985, 1, 1), 6, "committee_size_1954", "fail"),  # 設委員七人至十七人
        (dt.date(1985, 1, 1), 11, "committee_size_1954", "pass"),
        (dt.date(2000, 1, 1), 11, "committee_size_1989", "fail"),  # 共五至九人组成
        (dt.date(2026, 6, 1), 9, "committee_size_2025", "pass"),
        (dt.date(2026, 6, 1), 4, "committee_size_2025", "fail"),
    ],
)
def test_committee_size(day, members, rule, verdict):
    assert verdicts(day, **{"staff.committee_members": members})[rule] == verdict


# --------------------------------------------------------------------------
# Residents' groups (1954) and representatives (2025)


def test_1954_groups_of_15_to_40_households_and_at_most_17_groups():
    # 居民小組一般地以十五戶至四十戶居民組成; 每個居民委員會所設的小組最多不得超過十七個
    judged = verdicts(dt.date(1985, 1, 1), households=600, **{"count.residents_group": 20})
    assert judged["group_households_1954"] == "pass"  # 600 / 20 = 30
    assert judged["max_groups_1954"] == "fail"  # 20 > 17, 最多不得超過: mandatory
    judged = verdicts(dt.date(1985, 1, 1), households=600, **{"count.residents_group": 12})
    assert judged["group_households_1954"] == "departs"  # 600 / 12 = 50 > 40, 一般地
    assert judged["max_groups_1954"] == "pass"


def test_2025_one_representative_per_20_to_50_households():
    # 居民代表由居民小组一般按每二十户至五十户推选一人产生
    judged = verdicts(dt.date(2026, 6, 1), households=1500, **{"staff.residents_representatives": 40})
    assert judged["households_per_representative_2025"] == "pass"  # 37.5
    judged = verdicts(dt.date(2026, 6, 1), households=1500, **{"staff.residents_representatives": 20})
    assert judged["households_per_representative_2025"] == "departs"  # 75, guidance


def test_no_data_is_unknown_never_a_verdict():
    judged = verdicts(dt.date(2026, 6, 1), households=1500)
    assert judged["residents_groups_2025"] == "unknown"
    assert judged["supervision_committee_2025"] == "unknown"


# --------------------------------------------------------------------------
# What is and is not encoded


def test_the_numbers_are_the_texts_chinese_numerals():
    rules = {r.id: r for r in standard().rules}
    assert "一千户至三千户" in rules["committee_households_2025"].source.quote
    assert (rules["committee_households_2025"].requirement.min, rules["committee_households_2025"].requirement.max) == (
        1000,
        3000,
    )
    assert "一百户至七百户" in rules["committee_households_2018"].source.quote
    assert "一百戶至六百戶" in rules["committee_households_1954"].source.quote
    assert "七人至十七人" in rules["committee_size_1954"].source.quote
    assert {rules[r].strength for r in rules if r.startswith("committee_households")} == {"guidance"}
    assert {rules[r].strength for r in rules if r.startswith("committee_size")} == {"mandatory"}


def test_every_term_of_office_is_listed_as_unencoded_with_a_reason():
    # 1954 每屆任期一年; 1989 每届任期三年; 2018 and 2025 每届任期五年
    terms = {u.document: u for u in standard().unencoded if "任期" in u.quote and "term of office" in u.reason.lower()}
    assert set(terms) == {"reg1954", "law1989", "law2018", "law2025"}
    assert "一年" in terms["reg1954"].quote and "三年" in terms["law1989"].quote
    assert "五年" in terms["law2018"].quote and "五年" in terms["law2025"].quote


def test_the_partial_1954_copy_is_said_to_be_partial():
    reg = next(d for d in standard().documents if d.id == "reg1954")
    assert reg.text.endswith(".partial.txt")
    assert any("PARTIAL" in note for note in reg.notes)
    assert any(note.startswith("reg1954: PARTIAL") for note in standard().jurisdiction.copy_notes)


def test_responsibilities_of_each_version():
    tasks = {t.id: t for t in standard().tasks}
    # 1989 第六条: 由不设区的市、市辖区的人民政府决定; 2025 第三条: 由街道办事处提出，报…人民政府批准
    assert tasks["establishment_1989"].responsible == ("government",) and not tasks["establishment_1989"].lead
    assert tasks["establishment_2025"].lead == ("street_office",)
    assert tasks["establishment_2025"].responsible == ("government",)
    in_2020 = in_force_standard(get_registry().get("national"), dt.date(2020, 1, 1)).standard
    assert {t.id for t in in_2020.tasks} == {
        "establishment_2018",
        "guidance_2018",
        "funding_2018",
        "office_premises_2018",
        "resident_units_2018",
    }


# --------------------------------------------------------------------------
# History and the oracle


def test_history_of_the_size_norm():
    rows = history(get_registry(), "national", metric="households").to_dicts()
    assert [(r["requirement"], r["effective"], r["superseded_on"]) for r in rows] == [
        ("100–600 户", dt.date(1954, 12, 31), dt.date(1990, 1, 1)),
        ("100–700 户", dt.date(1990, 1, 1), dt.date(2018, 12, 29)),
        ("100–700 户", dt.date(2018, 12, 29), dt.date(2026, 1, 1)),
        ("1000–3000 户", dt.date(2026, 1, 1), None),
    ]
    assert [r["change"] for r in rows][2] == "unchanged"
    assert rows[3]["change"] == "changed: requirement 100–700 户 → 1000–3000 户"
    assert {r["strength"] for r in rows} == {"guidance"}


@pytest.mark.parametrize(
    "day", [dt.date(1989, 12, 31), dt.date(1990, 1, 1), dt.date(2025, 12, 31), dt.date(2026, 1, 1)]
)
def test_the_reference_oracle_agrees_on_the_boundary_days(day):
    registry = get_registry()
    row = {"id": "C", "kind": "urban", "households": 1500, "staff.committee_members": 7}
    results = evaluate(community_frame([row]), ["national"], as_of=day)
    codes = results.codes.row(0, named=True)
    for rule in standard().rules:
        document = standard().document(rule.source.document)
        expected = evaluate_rule(
            row, rule, registry.catalog, day, document.effective or document.date, document.superseded_on
        )
        assert codes[f"national/{rule.id}"] == expected, rule.id
