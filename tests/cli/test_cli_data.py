"""The data commands through click's CliRunner: evaluate, compare, explain.

Each test asserts the exit code, stdout and stderr separately. Expected values
are worked out by hand from examples/communities.csv and plugins/donghai/donghai.toml,
not read back from the engine.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from shequ.cli import main

ROOT = Path(__file__).parents[2]
SAMPLE_CSV = ROOT / "examples" / "communities.csv"
SAMPLE_JSON = ROOT / "examples" / "communities.json"
MISTAKES = ROOT / "tests" / "data" / "many_mistakes.csv"
BUILT_IN = ["changchun", "donghai", "longgang", "panzhihua", "xiamen"]
AS_OF = "2024-01-01"  # after every deadline of donghai's 2019 plan
# the fields the JSON of evaluate and explain documents for every verdict
FIELDS = {"id", "jurisdiction", "rule", "verdict", "value", "required", "shortfall", "metric", "clause", "quote"}


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def sample_rows() -> list[dict[str, str]]:
    with SAMPLE_CSV.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def syn_001() -> dict[str, str]:
    return next(row for row in sample_rows() if row["id"] == "SYN-001")


def by_rule(results: list[dict], community: str) -> dict[str, dict]:
    return {row["rule"]: row for row in results if row["id"] == community}


# --------------------------------------------------------------------------
# evaluate


@pytest.mark.parametrize("data", [SAMPLE_CSV, SAMPLE_JSON], ids=["csv", "json"])
def test_evaluate_json_holds_the_documented_fields(data):
    result = run("evaluate", data, "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    assert payload["as_of"] == AS_OF and payload["communities"] == 30 and payload["reforms"] == []
    assert payload["results"] and all(set(row) >= FIELDS for row in payload["results"])
    assert {row["jurisdiction"] for row in payload["results"]} == {"donghai"}


def test_evaluate_computes_donghai_service_space_by_hand():
    # donghai 二(一): 每百户不少于30平方米、最少不低于600平方米 → max(600, households / 100 × 30)
    community = syn_001()
    households, space = int(community["households"]), float(community["service_space_m2"])
    assert (households, space) == (2693, 590.8)
    required = max(600, households / 100 * 30)  # 807.9
    result = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    rules = by_rule(json.loads(result.stdout)["results"], "SYN-001")
    scaled = rules["service_space_per_100_households"]
    assert scaled["verdict"] == "fail" and scaled["metric"] == "service_space_m2"
    assert scaled["value"] == space
    assert scaled["required"] == "≥ 807.9 m²" and scaled["required_min"] == pytest.approx(required)
    assert scaled["shortfall"] == pytest.approx(required - space)  # 217.1
    assert scaled["clause"] == "二(一)" and "最少不低于600平方米" in scaled["quote"]
    # 三(三)2: 办公场所按不低于600平方米标准设置 → 9.2 m² short
    floor = rules["service_space_floor_600"]
    assert (floor["verdict"], floor["required"]) == ("fail", "≥ 600 m²")
    assert floor["shortfall"] == pytest.approx(600 - space)
    # 三(三)2: 工作人员办公使用面积不超过…20% → 76.5 / 590.8 = 12.9 %
    share = rules["staff_office_share"]
    assert share["verdict"] == "pass" and share["value"] == pytest.approx(76.5 / 590.8, abs=1e-6)


def test_evaluate_table_names_rules_verdicts_and_clauses():
    result = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF)
    assert result.exit_code == 0 and result.stderr == ""
    assert "as of 2024-01-01: 30 communities × 1 jurisdictions" in result.stdout
    assert "service_space_floor_600" in result.stdout and "三(三)2" in result.stdout
    # the county-wide count of 25 communities is judged once, in its own table
    assert "Rules over sets of communities" in result.stdout and "urban_community_count" in result.stdout


def test_evaluate_verdict_filter_keeps_only_those_verdicts():
    everything = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    failing = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--verdict", "fail", "--format", "json")
    assert failing.exit_code == 0
    all_rows = json.loads(everything.stdout)["results"]
    rows = json.loads(failing.stdout)["results"]
    assert rows and {row["verdict"] for row in rows} == {"fail"}
    assert len(rows) == sum(row["verdict"] == "fail" for row in all_rows)
    kept = {(row["id"], row["rule"]) for row in rows}
    assert ("SYN-001", "service_space_floor_600") in kept  # 590.8 < 600
    assert ("SYN-001", "culture_recreation_facilities") not in kept  # it has a culture-and-sports centre


def test_evaluate_two_verdict_filters_combine():
    filters = ("--verdict", "pass", "--verdict", "unknown")
    result = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, *filters, "--format", "json")
    assert {row["verdict"] for row in json.loads(result.stdout)["results"]} == {"pass", "unknown"}


def test_evaluate_exit_codes_with_and_without_fail_on_violation():
    assert run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF).exit_code == 0
    failing = run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--fail-on-violation")
    assert failing.exit_code == 1
    assert "service_space_floor_600" in failing.stdout, "the verdicts are still written"
    assert failing.stderr == ""


def test_fail_on_violation_exits_0_when_nothing_fails(tmp_path):
    # changchun's rules cover urban communities only: a village is judged by none of them
    data = tmp_path / "village.csv"
    data.write_text("id,kind,households\nV1,village,300\n", encoding="utf-8")
    result = run("evaluate", data, "-j", "changchun", "--as-of", AS_OF, "--fail-on-violation", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert {row["verdict"] for row in json.loads(result.stdout)["results"]} == {"not_applicable"}


@pytest.mark.parametrize("command", ["evaluate", "compare"])
def test_bad_input_is_exit_2_with_every_problem_on_stderr_and_nothing_on_stdout(command):
    result = run(command, MISTAKES)
    assert result.exit_code == 2
    assert result.stdout == ""
    problems = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert "11 problems found:" in result.stderr and len(problems) == 11
    for expected in (
        "header: unknown column 'housholds' (did you mean 'households'?)",
        "row 2: kind: unknown community kind 'urbn' (did you mean 'urban'?)",
        "row 2: households: expected a whole number >= 0, got '-5'",
        "row 2: flags: unknown flag 'grid_managment' (did you mean 'grid_management'?)",
        "row 3: id: duplicate id 'C01'",
        "row 4: id: missing",
    ):
        assert any(expected in line for line in problems), expected
    assert all("many_mistakes.csv" in line for line in problems)
    assert "Traceback" not in result.output


def test_bad_input_with_explain_is_exit_2_too():
    result = run("explain", MISTAKES, "C01", "-j", "donghai")
    assert result.exit_code == 2 and result.stdout == "" and "11 problems found:" in result.stderr


def test_a_missing_data_file_is_exit_2():
    result = run("evaluate", "no/such/file.csv")
    assert result.exit_code == 2 and result.stdout == "" and "does not exist" in result.stderr


# --------------------------------------------------------------------------
# compare


@pytest.mark.parametrize("data", [SAMPLE_CSV, SAMPLE_JSON], ids=["csv", "json"])
def test_compare_lists_every_community_under_every_jurisdiction(data):
    result = run("compare", data, "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    payload = json.loads(result.stdout)
    ids = [row["id"] for row in sample_rows()]
    pairs = {(row["id"], row["jurisdiction"]) for row in payload["summary"]}
    assert pairs == {(i, j) for i in ids for j in BUILT_IN}
    assert [row["jurisdiction"] for row in payload["totals"]] == BUILT_IN
    assert all(row["communities"] == 30 for row in payload["totals"])


def test_compare_table_shows_every_community():
    result = run("compare", SAMPLE_CSV, "--as-of", AS_OF)
    assert result.exit_code == 0 and result.stderr == ""
    for community in sample_rows():
        assert re.search(rf"│ {community['id']} +│ {community['name']} ", result.stdout), community["id"]
    assert "Totals by jurisdiction" in result.stdout


def test_compare_counts_one_community_by_hand():
    # donghai's 10 community-level rules (12 rules less 2 county-wide aggregates) for SYN-001:
    # pass: staff office 12.9 % ≤ 20 %, a culture-and-sports centre (mandatory), 2693 households in
    #       2000–3000 (guidance);
    # fail: space < 807.9 and < 600 (two statements of one floor that restate each other: counted once),
    #       and no work-access system, no grid management, no "five unified" centre among its flags;
    # departs: radius 0.61 km below about 1.5–2 km (guidance, ±10 %: 1.35–2.2);
    # not applicable: the 配建 elderly-care standard (not a new residential estate).
    result = run("compare", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    row = next(r for r in json.loads(result.stdout)["summary"] if r["id"] == "SYN-001")
    counts = (row["pass"], row["fail"], row["unknown"], row["not_applicable"], row["not_due"], row["departs"])
    assert counts == (3, 4, 0, 1, 0, 1)
    assert row["compliance"] == pytest.approx(2 / 6)  # binding pass ÷ binding judged
    town = next(r for r in json.loads(result.stdout)["summary"] if r["id"] == "SYN-004")
    # 10 rules, the two restating statements of the 600 m² floor counted once
    assert (town["kind"], town["not_applicable"], town["pass"] + town["fail"]) == ("town", 9, 0)


def test_compare_fail_on_violation_is_exit_1():
    result = run("compare", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--fail-on-violation")
    assert result.exit_code == 1 and "SYN-001" in result.stdout


# --------------------------------------------------------------------------
# explain


def test_explain_shows_the_quoted_source_text_of_each_rule():
    result = run("explain", SAMPLE_CSV, "SYN-001", "-j", "donghai", "--as-of", AS_OF, "--format", "markdown")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("### Community SYN-001 as of 2024-01-01")
    line = next(line for line in result.stdout.splitlines() if "| service_space_floor_600 |" in line)
    quote = "2620日之前,调整优化社区公共场地配置,办公场所按不低于600平方米标准设置"
    assert "| fail |" in line and "| 三(三)2 |" in line and f"| {quote} |" in line
    # the words shown are the document's own (white space aside)
    document = (ROOT / "plugins" / "donghai" / "document.txt").read_text(encoding="utf-8")
    assert quote in re.sub(r"\s+", "", document)


@pytest.mark.parametrize("data", [SAMPLE_CSV, SAMPLE_JSON], ids=["csv", "json"])
def test_explain_json_covers_every_rule_for_one_community(data):
    result = run("explain", data, "SYN-001", "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    payload = json.loads(result.stdout)
    assert payload["community"] == "SYN-001" and payload["as_of"] == AS_OF
    assert {row["id"] for row in payload["results"]} == {"SYN-001"}
    assert all(set(row) >= FIELDS and row["quote"] for row in payload["results"])
    assert len(payload["results"]) == 10  # donghai's community-level rules
    radius = by_rule(payload["results"], "SYN-001")["service_radius"]
    # 「1.5-2公里左右」: guidance with ±10 % (1.35–2.2 km), so 0.61 km departs from the norm, never fails
    assert (radius["value"], radius["required"], radius["verdict"]) == (0.61, "≈ 1.5–2 km (±10%)", "departs")
    assert radius["shortfall"] == pytest.approx(1.5 * 0.9 - 0.61)


def test_explain_two_jurisdictions():
    result = run(
        "explain", SAMPLE_CSV, "SYN-001", "-j", "donghai", "-j", "changchun", "--as-of", AS_OF, "--format", "json"
    )
    payload = json.loads(result.stdout)
    assert {row["jurisdiction"] for row in payload["results"]} == {"donghai", "changchun"}
    # changchun 二(二)8: max(300, 2693 / 100 × 30) = 807.9, the same as donghai's above 2000 households
    space = by_rule(payload["results"], "SYN-001")["service_space"]
    assert space["required_min"] == pytest.approx(807.9) and space["verdict"] == "fail"


def test_explain_an_unknown_community_is_exit_2_with_a_hint():
    result = run("explain", SAMPLE_CSV, "SYN-0001", "-j", "donghai")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "no community with id 'SYN-0001' (did you mean 'SYN-001'?)" in result.stderr
    assert "Traceback" not in result.output


def test_explain_needs_a_jurisdiction():
    result = run("explain", SAMPLE_CSV, "SYN-001")
    assert result.exit_code == 2 and result.stdout == "" and "-j" in result.stderr


def test_explain_writes_each_alternative_in_its_own_unit():
    # donghai 二(二)2: 按照常住居民2000-3000户或者10000人的标准设置一个社区 (about 10000: 9000–11000 people)
    result = run("explain", SAMPLE_CSV, "SYN-001", "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    size = by_rule(json.loads(result.stdout)["results"], "SYN-001")["community_size"]
    assert "11000 人" in size["required"] and "11000 户" not in size["required"]
