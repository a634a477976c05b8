"""Levels and versions: conflicts between each city and the national law, inheritance, history (docs/levels.md)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner
from support import community_frame

from shequ import get_registry
from shequ.cli import main
from shequ.engine import evaluate
from shequ.views import records
from shequ.views.versions import CONFLICT_CLASSES, conflicts

CITIES = ["changchun", "donghai", "longgang", "panzhihua", "xiamen"]


def invoke(*args: str) -> dict:
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.mark.parametrize("city", CITIES)
def test_every_city_declares_the_national_law_as_its_parent_and_says_why(city):
    jurisdiction = get_registry().get(city).standard.jurisdiction
    assert jurisdiction.parent == "national"
    assert any(note.startswith("Parent: `national`") and "legal fact" in note for note in jurisdiction.copy_notes)


@pytest.mark.parametrize("city", CITIES)
def test_conflicts_snapshot(city, data_regression):
    """Every local requirement beside the law's, at the local document's date and on 2026-06-01."""
    frame = conflicts(get_registry(), [city], as_of=dt.date(2026, 6, 1))
    data_regression.check({"conflicts": records(frame)}, basename=f"conflicts_{city}")


def test_changchun_departs_from_the_law_in_force_in_2018():
    rows = invoke("conflicts", "-j", "changchun")["rows"]
    size = [r for r in rows if r["concept"] == "households"]
    assert len(size) == 1
    (row,) = size
    # 长政办〔2018〕61号 二(一)2 社区规模以1000—2000户左右为宜 (2018-08-22), read ±10% (左右) as the plugin does,
    # against 1989 第六条 一般在一百户至七百户的范围内设立, in force until the amendment of 2018-12-29
    assert row["date"] == "2018-08-22"
    assert row["quote"] == "社区规模以1000—2000户左右为宜"
    assert row["parent_rule"] == "committee_households_1989"
    assert "一般在一百户至七百户的范围内设立" in row["parent_quote"]
    assert row["clause"] == "二(一)2" and row["parent_clause"] == "第六条第一款"
    assert row["class"] == "incompatible"  # 900–2200 and 100–700 cannot both hold
    assert (row["strength"], row["parent_strength"]) == ("guidance", "guidance")
    assert "not a breach" in row["detail"]


def test_as_of_adds_the_comparison_with_the_law_in_force_that_day():
    rows = invoke("conflicts", "-j", "changchun", "--as-of", "2026-06-01")["rows"]
    later = [r for r in rows if r["at"] == "as_of" and r["concept"] == "households"]
    assert [(r["parent_rule"], r["class"]) for r in later] == [("committee_households_2025", "looser")]


def test_classes_are_worked_out_from_the_bounds():
    frame = conflicts(get_registry(), ["longgang", "panzhihua"])
    found = {(r["rule"], r["parent_rule"]): r["class"] for r in frame.to_dicts()}
    assert found["residents_committee_size", "committee_size_1989"] == "compatible"  # 5—9 and 五至九
    assert found["size_urban", "committee_households_1989"] == "incompatible"  # ≥ 2000 vs 100–700
    assert found["size_town", "committee_households_1989"] == "looser"  # ≥ 700 admits 701+, the law 700 at most
    assert "size_rural" not in {rule for rule, _ in found}  # villages are not under the residents' committee law
    assert set(frame["class"]) <= set(CONFLICT_CLASSES)


def test_conflicts_rejects_an_unknown_class():
    result = CliRunner().invoke(main, ["conflicts", "--class", "worse"])
    assert result.exit_code == 2 and "unknown class 'worse'" in result.output


# --------------------------------------------------------------------------
# Inheritance


def test_inherit_adds_the_parents_rules_only_where_the_city_is_silent():
    frame = community_frame(
        [
            {
                "id": "A",
                "kind": "urban",
                "households": 1500,
                "staff.committee_members": 11,
                "staff.committee_staffing": 11,
            }
        ]
    )
    results = evaluate(frame, ["changchun"], as_of=dt.date(2026, 6, 1), inherit=True)
    rows = {r["rule"]: r for r in results.details().to_dicts()}
    # Changchun regulates community size itself (社区规模以1000—2000户左右为宜): the law's size norm is not added
    assert not any(rule.startswith("national:committee_households") for rule in rows)
    # it counts its committee's staffing by its own metric, not the elected members the law counts: the law applies
    inherited = rows["national:committee_size_2025"]
    assert (inherited["from"], inherited["level"], inherited["verdict"]) == ("national", "national", "fail")  # 11 > 9
    assert inherited["clause"] == "第八条第一款"
    assert rows["national:committee_size_2018"]["verdict"] == "not_in_force"  # superseded on 2026-01-01
    local = rows["community_size"]
    assert (local["from"], local["level"]) == ("changchun", "county")


def test_without_inherit_nothing_is_added_and_the_columns_are_unchanged():
    frame = community_frame([{"id": "A", "kind": "urban", "households": 1500}])
    results = evaluate(frame, ["changchun"], as_of=dt.date(2026, 6, 1))
    details = results.details()
    assert "from" not in details.columns
    assert not any(rule.startswith("national:") for rule in details["rule"])


def test_evaluate_inherit_cli_snapshot(data_regression):
    payload = invoke("evaluate", "examples/communities.csv", "-j", "longgang", "--inherit", "--as-of", "2026-06-01")
    inherited = [r for r in payload["results"] if r["from"] == "national"]
    # the versions not in force on 2026-06-01 are there, each not_in_force
    assert {r["rule"] for r in inherited if r["verdict"] == "not_in_force"} >= {"national:committee_households_2018"}
    rows = [
        {k: r[k] for k in ("id", "jurisdiction", "from", "level", "rule", "verdict", "clause")}
        for r in inherited
        if r["verdict"] != "not_in_force"
    ]
    assert rows, "longgang leaves some national concepts unregulated"
    # Longgang regulates committee size itself (第十七条 社区居委会由5—9人组成): the law's is not added
    assert not any(r["rule"].startswith("national:committee_size") for r in rows)
    data_regression.check({"inherited": rows})


# --------------------------------------------------------------------------
# History and versions in the other commands


def test_history_cli():
    rows = invoke("history", "-j", "national", "--metric", "households")["rows"]
    assert [(r["requirement"], r["effective"], r["superseded_on"], r["clause"]) for r in rows] == [
        ("100–600 户", "1954-12-31", "1990-01-01", "第三條(一)"),
        ("100–700 户", "1990-01-01", "2018-12-29", "第六条第一款"),
        ("100–700 户", "2018-12-29", "2026-01-01", "第六条第一款"),
        ("1000–3000 户", "2026-01-01", None, "第三条第一款"),
    ]


def test_history_needs_one_of_metric_or_concept():
    result = CliRunner().invoke(main, ["history", "-j", "national"])
    assert result.exit_code == 2 and "--metric or --concept" in result.output


def test_rules_and_show_as_of_pick_the_version_in_force():
    rules = invoke("rules", "-j", "national", "--as-of", "2000-01-01")["rows"]
    assert {r["rule"] for r in rules} == {"committee_households_1989", "committee_size_1989"}
    shown = invoke("show", "national", "--as-of", "2026-06-01")
    assert {r["id"] for r in shown["rules"]} == {
        "committee_households_2025",
        "committee_size_2025",
        "households_per_representative_2025",
        "residents_groups_2025",
        "supervision_committee_2025",
    }
    assert len(shown["documents"]) == 4  # every version is still listed, with its dates


def test_views_say_why_a_superseded_version_is_not_in_force():
    payload = invoke("diff", "national", "longgang", "--as-of", "2026-06-01")
    assert payload  # the diff runs over versions
    standards = invoke("standards", "-j", "national", "--metric", "households", "--as-of", "2026-06-01")
    text = json.dumps(standards, ensure_ascii=False)
    assert "1000–3000" in text and "100–700 户 (guidance) (not in force)" in text


def test_inherit_says_when_the_parent_is_not_installed(monkeypatch):
    from shequ.registry import _cached_registry

    monkeypatch.setenv("SHEQU_PLUGINS", "changchun")
    _cached_registry.cache_clear()
    try:
        result = CliRunner().invoke(
            main, ["evaluate", "examples/communities.csv", "-j", "changchun", "--inherit", "--format", "markdown"]
        )
    finally:
        monkeypatch.delenv("SHEQU_PLUGINS")
        _cached_registry.cache_clear()
    assert result.exit_code == 0, result.output
    assert "parent not installed, nothing inherited: changchun (parent national)" in result.stdout
    assert "national:" not in result.stdout


def test_inherit_with_output_file_keeps_where_each_rule_comes_from(tmp_path):
    import polars as pl

    target = tmp_path / "verdicts.csv"
    args = ["evaluate", "examples/communities.csv", "-j", "longgang", "--inherit", "--as-of", "2026-06-01"]
    result = CliRunner().invoke(main, [*args, "--output", str(target)])
    assert result.exit_code == 0, result.output
    written = pl.read_csv(target)
    assert written.columns[:4] == ["id", "jurisdiction", "from", "level"]
    inherited = written.filter(pl.col("rule") == "national:committee_households_2025")
    assert inherited.height == 30 and set(inherited["from"]) == {"national"} and set(inherited["level"]) == {"national"}
