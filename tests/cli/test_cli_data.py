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
BUILT_IN = ["changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"]
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


def test_compare_summary_of_three_sample_communities_by_hand(tmp_path):
    # donghai (东政办发〔2019〕31号) as of 2024-01-01, every deadline passed: 10 community-level rules, of which
    # service_space_per_100_households (target) and service_space_floor_600 (mandatory) restate one another,
    # so 9 provisions. All three are urban; none is a new residential estate, so the 配建 elderly-care rule is
    # not applicable to any. Shares below are of these 9 provisions less the one not applicable (8 applicable).
    #
    # SYN-018 (1544 户, 4249 人, service space and staff office blank, radius 0.74 km, flags: volunteer
    #   registration, village_to_residence; no culture centre, recreation facilities unknown):
    #   unknown 3: the space group (both statements: no space figure), staff office share, culture facilities
    #              (no centre, and recreation facilities not in the data: either could meet it);
    #   fail 3 (mandatory): no work-access system, no grid management, no "five unified" centre;
    #   departs 2 (guidance): 1544 户 outside 2000–3000 and 4249 人 outside 9000–11000; 0.74 km < 1.35;
    #   judged = 0 binding passes + 3 fails = 3, compliance 0 / 3; unknown 3 ÷ applicable 8 = 0.375.
    # SYN-019 (3595 户, 10762 人, 1037.3 m², staff office blank, radius 0.64 km, no flags, no facility data):
    #   space: 3595 / 100 × 30 = 1078.5 > 600, 1037.3 < 1078.5 fails the target statement though it meets
    #          the 600 m² floor: the group fails once, as a target;
    #   unknown 2: staff office share, culture facilities;  fail 3 more (mandatory): the three flags;
    #   pass 1 (guidance): 10762 人 within 9000–11000;  departs 1: 0.64 km < 1.35;
    #   judged = 0 + 4 = 4, compliance 0 / 4; unknown 2 ÷ 8 = 0.25.
    # SYN-023 (2378 户, 659.1 m², staff office 163.9 m², radius 0.51 km, grid management, a culture centre):
    #   space: 2378 / 100 × 30 = 713.4 > 659.1: fails once (target), though ≥ 600;
    #   staff office 163.9 / 659.1 = 24.9 % > 20 %: fail; no work-access system, no "five unified": fail;
    #   pass: grid management, the culture centre (mandatory), 2378 户 in 2000–3000 (guidance);
    #   departs 1: 0.51 km;  judged = 2 binding passes + 4 fails = 6, compliance 2 / 6; nothing unknown.
    rows = [row for row in sample_rows() if row["id"] in ("SYN-018", "SYN-019", "SYN-023")]
    data = tmp_path / "three.csv"
    with data.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = run("compare", data, "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0 and result.stderr == ""
    payload = json.loads(result.stdout)
    assert payload["as_of"] == AS_OF
    fields = ("pass", "fail", "unknown", "departs", "not_applicable", "not_due", "not_in_force", "judged", "applicable")
    summary = {row["id"]: row for row in payload["summary"]}
    assert {i: tuple(row[f] for f in fields) for i, row in summary.items()} == {
        "SYN-018": (0, 3, 3, 2, 1, 0, 0, 3, 8),
        "SYN-019": (1, 4, 2, 1, 1, 0, 0, 4, 8),
        "SYN-023": (3, 4, 0, 1, 1, 0, 0, 6, 8),
    }
    assert [summary[i]["compliance"] for i in summary] == [0.0, 0.0, pytest.approx(2 / 6, abs=1e-6)]
    assert [summary[i]["unknown_share"] for i in summary] == [3 / 8, 2 / 8, 0.0]
    assert [(summary[i]["fail_target"], summary[i]["fail_mandatory"]) for i in summary] == [(0, 3), (1, 3), (1, 3)]
    assert all(row["covered"] for row in summary.values())
    # the totals: 3 communities, all covered; 13 judged; unknown 5 of 24 applicable; mean of 0, 0 and 1/3
    (totals,) = payload["totals"]
    assert (totals["communities"], totals["covered"], totals["judged"]) == (3, 3, 13)
    assert (totals["pass"], totals["fail"], totals["unknown"], totals["departs"]) == (4, 11, 5, 4)
    assert totals["unknown_share"] == pytest.approx(5 / 24, abs=1e-6)  # JSON rounds to 6 decimals
    assert (totals["mean_compliance"], totals["mean_compliance_of"]) == (pytest.approx(1 / 9, abs=1e-6), 3)
    assert totals["fully_compliant"] == 0


def test_compare_totals_count_the_communities_covered_not_those_in_the_data():
    # 30 sample communities; donghai's rules are for urban communities, of which the sample has 13
    result = run("compare", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--format", "json")
    (totals,) = json.loads(result.stdout)["totals"]
    urban = sum(row["kind"] == "urban" for row in sample_rows())
    assert (totals["communities"], totals["covered"]) == (30, urban)
    assert totals["mean_compliance_of"] <= urban


def test_compare_table_states_the_date_and_the_denominators():
    result = run("compare", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF)
    assert result.exit_code == 0
    assert f"as of {AS_OF}" in result.stdout
    # SYN-023 as worked out above: 2 binding passes, 4 fails, 0 unknown; 33 % of 6 judged; 1 departs
    assert "2/4/0 (33% of 6; 0% unknown; 1 departs)" in result.stdout
    assert re.search(r"│ donghai +│ 13 of 30 ", result.stdout)


def test_compare_before_the_document_is_not_in_force_everywhere():
    # 东政办发〔2019〕31号 is dated 2019-04-25
    result = run("compare", SAMPLE_CSV, "-j", "donghai", "--as-of", "2019-04-24", "--format", "json")
    payload = json.loads(result.stdout)
    # nothing is in force, whatever the community (town or urban): 9 provisions, all not in force
    assert {row["not_in_force"] for row in payload["summary"]} == {9}
    assert {row["not_applicable"] + row["applicable"] + row["not_due"] for row in payload["summary"]} == {0}
    assert {row["covered"] for row in payload["summary"]} == {False}
    (totals,) = payload["totals"]
    assert (totals["covered"], totals["judged"], totals["mean_compliance"]) == (0, 0, None)


def test_strength_filter_on_evaluate_compare_and_explain():
    result = run(
        "evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--strength", "guidance", "--format", "json"
    )
    payload = json.loads(result.stdout)
    assert payload["strengths"] == ["guidance"]
    assert {row["strength"] for row in payload["results"]} == {"guidance"}
    assert {row["rule"] for row in payload["results"]} == {"community_size", "service_radius"}
    # guidance never fails, so nothing is a violation
    assert run("evaluate", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF, "--strength", "guidance",
               "--fail-on-violation").exit_code == 0  # fmt: skip
    compare = json.loads(run("compare", SAMPLE_CSV, "-j", "donghai", "--as-of", AS_OF,
                             "--strength", "mandatory,target", "--format", "json").stdout)  # fmt: skip
    assert compare["strengths"] == ["mandatory", "target"]
    assert all(row["departs"] == 0 for row in compare["summary"])
    table = run(
        "explain",
        SAMPLE_CSV,
        "SYN-001",
        "-j",
        "donghai",
        "--as-of",
        AS_OF,
        "--strength",
        "target",
        "--format",
        "markdown",
    )
    assert "strengths: target" in table.stdout and "service_space_per_100_households" in table.stdout
    assert "work_access_system" not in table.stdout
    bad = run("compare", SAMPLE_CSV, "--strength", "binding")
    assert bad.exit_code == 2 and "unknown strength 'binding'" in bad.stderr


def test_explain_cites_the_document_by_number():
    payload = json.loads(run("explain", SAMPLE_CSV, "SYN-001", "-j", "donghai", "-j", "longgang",
                             "--as-of", AS_OF, "--format", "json").stdout)  # fmt: skip
    documents = {row["jurisdiction"]: row["document"] for row in payload["results"]}
    assert documents["donghai"] == "东政办发〔2019〕31号"
    # Longgang's 试行办法 has no 文号 in the copy: its title, never the internal id lg2005
    assert documents["longgang"] == "深圳市龙岗区社区建设工作试行办法"


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


def test_rules_listing_cites_by_number_or_title_and_shows_tolerance():
    longgang = json.loads(run("rules", "-j", "longgang", "--format", "json").stdout)["rows"]
    assert {row["document"] for row in longgang} == {"深圳市龙岗区社区建设工作试行办法"}  # not lg2005
    changchun = json.loads(run("rules", "-j", "changchun", "--format", "json").stdout)["rows"]
    tolerant = [row["requirement"] for row in changchun if row["requirement"].startswith("≈ ")]
    assert tolerant and all(text.endswith("%)") for text in tolerant)
