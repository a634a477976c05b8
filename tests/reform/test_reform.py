"""What-if reforms: --set and overlays applied to a copy, validated like a plugin, baseline untouched."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
import tomllib
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from shequ.cli import main
from shequ.errors import ProblemsError
from shequ.model import Minimum, Range, ScaledMinimum
from shequ.reform import apply_reforms, changed_jurisdictions, parse_value
from shequ.registry import get_registry
from shequ.views import whatif

FLOOR_400 = "donghai.service_space_per_100_households.requirement.floor=400"
AS_OF = dt.date(2024, 1, 1)


@pytest.fixture(scope="module")
def baseline():
    return get_registry()


def rule(registry, jurisdiction, rule_id):
    return registry.get(jurisdiction).standard.rule(rule_id)


def problems_of(registry, assignments=(), overlays=()):
    with pytest.raises(ProblemsError) as caught:
        apply_reforms(registry, assignments, overlays)
    return caught.value.problems


# --------------------------------------------------------------------------
# --set


def test_set_changes_a_copy_and_leaves_the_baseline_untouched(baseline):
    reformed = apply_reforms(baseline, [FLOOR_400])
    assert rule(reformed, "donghai", "service_space_per_100_households").requirement == ScaledMinimum(
        rate=30, per=100, basis="households", floor=400
    )
    assert rule(baseline, "donghai", "service_space_per_100_households").requirement.floor == 600
    assert rule(get_registry(), "donghai", "service_space_per_100_households").requirement.floor == 600
    assert reformed is not baseline and reformed.standards is not baseline.standards
    # untouched jurisdictions are shared, the changed one is new
    assert reformed.standards["changchun"] is baseline.standards["changchun"]
    assert reformed.standards["donghai"] is not baseline.standards["donghai"]
    assert reformed.catalog is baseline.catalog
    assert changed_jurisdictions(baseline, reformed) == ["donghai"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("400", 400),
        ("0.3", 0.3),
        ("2019-12-31", dt.date(2019, 12, 31)),
        ('"text"', "text"),
        ("[1, 2]", [1, 2]),
        ('{ form = "min", value = 2 }', {"form": "min", "value": 2}),
        ("true", True),
        ("target", "target"),
    ],
)
def test_values_are_toml_values(text, value):
    assert parse_value(text) == value


def test_set_the_examples_of_the_issue(baseline):
    reformed = apply_reforms(
        baseline,
        [
            "changchun.community_size.requirement.max=2500",
            "changchun.police_room.due=2019-12-31",
            "changchun.community_size.strength=target",
        ],
    )
    size = rule(reformed, "changchun", "community_size")
    assert size.requirement == Range(min=1000, max=2500) and size.strength == "target"
    assert rule(reformed, "changchun", "police_room").due == dt.date(2019, 12, 31)
    assert rule(baseline, "changchun", "police_room").due == dt.date(2018, 12, 31)


def test_set_tasks_obligations_milestones_and_list_items(baseline):
    reformed = apply_reforms(
        baseline,
        [
            'changchun.tasks.t12_work_access.lead=["civil_affairs"]',
            "panzhihua.obligations.special_funds.amount_yuan=4000",
            "donghai.milestones.premises_adjusted.date=2019-09-30",
            "donghai.community_size.requirement.options.1.max=12000",
            "donghai.rules.service_radius.requirement.max=3",
            'changchun.outdoor_space.requirement={ form = "min", value = 800 }',
        ],
    )
    standard = reformed.get("changchun").standard
    assert next(t for t in standard.tasks if t.id == "t12_work_access").lead == ("civil_affairs",)
    special = next(o for o in reformed.get("panzhihua").standard.obligations if o.id == "special_funds")
    assert special.amount_yuan == 4000
    donghai = reformed.get("donghai").standard
    assert next(m for m in donghai.milestones if m.id == "premises_adjusted").date == dt.date(2019, 9, 30)
    assert donghai.rule("community_size").requirement.options[1].max == 12000
    assert donghai.rule("service_radius").requirement.max == 3
    assert standard.rule("outdoor_space").requirement == Minimum(value=800)


def test_several_sets_are_validated_together(baseline):
    # min 2500 alone exceeds max 2000; with max 3000 the pair is valid
    reformed = apply_reforms(
        baseline, ["changchun.community_size.requirement.min=2500", "changchun.community_size.requirement.max=3000"]
    )
    assert rule(reformed, "changchun", "community_size").requirement == Range(min=2500, max=3000)


def test_unknown_jurisdiction_rule_and_field_have_hints_and_name_the_argument(baseline):
    problems = problems_of(
        baseline,
        [
            "donghia.service_space_per_100_households.requirement.floor=400",
            "donghai.service_space_per_100_househols.requirement.floor=400",
            "donghai.service_space_per_100_households.requirement.flor=400",
            "donghai.tasks.no_such_task.lead=[]",
        ],
    )
    assert [p.file for p in problems] == [
        "--set donghia.service_space_per_100_households.requirement.floor=400",
        "--set donghai.service_space_per_100_househols.requirement.floor=400",
        "--set donghai.service_space_per_100_households.requirement.flor=400",
        "--set donghai.tasks.no_such_task.lead=[]",
    ]
    messages = [p.message for p in problems]
    assert "unknown jurisdiction 'donghia' (did you mean 'donghai'?)" in messages[0]
    assert "no rule 'service_space_per_100_househols' (did you mean 'service_space_per_100_households'?)" in messages[1]
    assert "unknown field 'flor' (did you mean 'floor'?)" in messages[2]
    assert "no task 'no_such_task'" in messages[3]


def test_values_are_validated_like_a_plugin(baseline):
    problems = problems_of(
        baseline,
        [
            "donghai.service_space_per_100_households.requirement.floor=abc",
            "changchun.community_size.requirement.min=2500",
            "changchun.police_room.strength=maybe",
        ],
    )
    text = {p.file: (p.where, p.message) for p in problems}
    where, message = text["--set donghai.service_space_per_100_households.requirement.floor=abc"]
    assert where == "donghai.rules.service_space_per_100_households.requirement.floor"
    assert message == "expected a number, got 'abc'"
    where, message = text["--set changchun.community_size.requirement.min=2500"]
    assert where.startswith("changchun.rules.community_size.requirement") and "must not exceed" in message
    assert (
        "'strength' must be one of mandatory, target, guidance" in text["--set changchun.police_room.strength=maybe"][1]
    )


def test_references_are_checked(baseline):
    problems = problems_of(
        baseline,
        [
            'donghai.service_space_per_100_households.metric="service_space_m3"',
            'changchun.tasks.t12_work_access.lead=["民政局"]',
        ],
    )
    messages = {p.file: p.message for p in problems}
    assert (
        "unknown metric 'service_space_m3' (did you mean 'service_space_m2'?)"
        in messages['--set donghai.service_space_per_100_households.metric="service_space_m3"']
    )
    assert (
        "the catalog id for it is 'civil_affairs'" in messages['--set changchun.tasks.t12_work_access.lead=["民政局"]']
    )


@pytest.mark.parametrize(
    "assignment", ["nonsense", "donghai=1", "donghai.tasks=1", "donghai.service_radius.requirement.max="]
)
def test_malformed_assignments(baseline, assignment):
    (problem,) = problems_of(baseline, [assignment])
    assert problem.file == f"--set {assignment}"


def test_replacing_an_item_needs_a_table(baseline):
    (problem,) = problems_of(baseline, ["donghai.service_radius=3"])
    assert "needs a table" in problem.message


# --------------------------------------------------------------------------
# Overlays


def write(tmp_path, text, name="reform.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_overlay_changes_removes_and_adds(baseline, tmp_path):
    path = write(
        tmp_path,
        """
        [donghai.rules.service_space_per_100_households.requirement]
        floor = 400

        [changchun.rules.community_size]
        requirement = { form = "min", value = 1500 }
        strength = "mandatory"

        [changchun]
        remove_rules = ["police_room"]

        [[donghai.add_rules]]
        id = "outdoor_space"
        title = "户外活动场所(假设)"
        metric = "area.outdoor_activity"
        applies_to = { kinds = ["urban"] }
        requirement = { form = "min", value = 800 }
        source = { clause = "假设", quote = "what-if" }
    """,
    )
    reformed = apply_reforms(baseline, (), [path])
    assert rule(reformed, "donghai", "service_space_per_100_households").requirement.floor == 400
    size = rule(reformed, "changchun", "community_size")
    assert size.requirement == Minimum(value=1500) and size.strength == "mandatory"
    changchun = reformed.get("changchun").standard
    assert "police_room" not in {r.id for r in changchun.rules}
    # the removed rule is unlinked from the task that delivered it
    assert all("police_room" not in t.rules for t in changchun.tasks)
    assert any("police_room" in t.rules for t in baseline.get("changchun").standard.tasks)
    assert rule(reformed, "donghai", "outdoor_space").requirement == Minimum(value=800)
    assert "police_room" in {r.id for r in baseline.get("changchun").standard.rules}


def test_the_overlay_example_of_the_docs_is_valid(baseline, tmp_path):
    text = Path(__file__).parents[2].joinpath("docs", "views.md").read_text(encoding="utf-8")
    block = text.split("```toml\n")[1].split("```")[0]
    assert set(tomllib.loads(block)) == {"donghai", "changchun", "panzhihua", "longgang"}
    reformed = apply_reforms(baseline, (), [write(tmp_path, block)])
    assert rule(reformed, "changchun", "community_size").requirement == Range(min=1000, max=2500)
    assert "office_space_2010" not in {r.id for r in reformed.get("longgang").standard.rules}
    assert rule(reformed, "donghai", "outdoor_space").requirement == Minimum(value=800)


def test_overlay_problems_name_the_file_and_place(baseline, tmp_path):
    path = write(
        tmp_path,
        """
        [donghai.rules.service_space_per_100_househols.requirement]
        floor = 400

        [donghai.rules.service_radius.requirement]
        max = "far"

        [donghai]
        remove_rule = ["x"]

        [donghia.rules.x]
        due = 2019-01-01

        [[changchun.add_rules]]
        id = "no_source"
        title = "无出处"
        metric = "households"
        requirement = { form = "min", value = 1 }
    """,
    )
    problems = problems_of(baseline, (), [path])
    assert all(p.file and p.file.endswith("reform.toml") for p in problems)
    messages = " | ".join(f"{p.where}: {p.message}" for p in problems)
    assert "did you mean 'service_space_per_100_households'?" in messages
    assert "donghai.rules.service_radius.requirement.max: expected a number, got 'far'" in messages
    assert "unknown key 'remove_rule' (did you mean 'remove_rules'?)" in messages
    assert "unknown jurisdiction 'donghia'" in messages
    assert "changchun.rules.no_source.source: required field missing" in messages


def test_overlay_syntax_error_names_the_file(baseline, tmp_path):
    path = write(tmp_path, "[donghai.rules\n")
    (problem,) = problems_of(baseline, (), [path])
    assert problem.file.endswith("reform.toml") and "not valid TOML" in problem.message


def test_overlay_form_change_replaces_the_requirement(baseline, tmp_path):
    path = write(
        tmp_path,
        """
        [donghai.rules.service_space_per_100_households.requirement]
        form = "min"
        value = 500
    """,
    )
    reformed = apply_reforms(baseline, (), [path])
    assert rule(reformed, "donghai", "service_space_per_100_households").requirement == Minimum(value=500)


# --------------------------------------------------------------------------
# The what-if flips exactly the verdicts the documents say


def donghai_frame() -> pl.DataFrame:
    rows = [
        # id, kind, households, service space
        ("A", "urban", 1000, 450.0),  # needs 600 → 400: flips to pass
        ("B", "urban", 1000, 399.0),  # below 400: fails either way
        ("C", "urban", 1800, 500.0),  # 30 per 100 households = 540 > 500: fails either way
        ("D", "urban", 1800, 560.0),  # 540 ≤ 560 < 600: flips to pass
        ("E", "urban", 2000, 599.9),  # exactly 600 → 600: fails either way
        ("F", "urban", 2500, 700.0),  # needs 750 either way
        ("G", "urban", 1000, 650.0),  # passes either way
        ("H", "town", 1000, 450.0),  # not an urban community: not applicable
        ("I", "urban", None, 450.0),  # no household count: below 600 fails; above 400 cannot be judged
        ("J", "urban", 1500, None),  # no service space: unknown
        ("K", "urban", 1333, 400.0),  # 399.9 → floor 400 binds: 400 ≥ 400 flips to pass
    ]
    return pl.DataFrame(
        {
            "id": [r[0] for r in rows],
            "name": [f"社区{r[0]}" for r in rows],
            "district": ["东城街道"] * len(rows),
            "kind": [r[1] for r in rows],
            "households": [r[2] for r in rows],
            "service_space_m2": [r[3] for r in rows],
        },
        schema={
            "id": pl.String,
            "name": pl.String,
            "district": pl.String,
            "kind": pl.String,
            "households": pl.Int64,
            "service_space_m2": pl.Float64,
        },
    )


def expected_flips(frame: pl.DataFrame) -> set[str]:
    """From the document: at least 30 m² per 100 households and never below the floor (600, reformed 400)."""
    flips = set()
    for row in frame.iter_rows(named=True):
        if row["kind"] != "urban" or row["households"] is None or row["service_space_m2"] is None:
            continue
        scaled = row["households"] / 100 * 30
        before, after = max(600, scaled), max(400, scaled)
        if after <= row["service_space_m2"] < before:
            flips.add(row["id"])
    return flips


def test_whatif_flips_exactly_the_communities_the_floor_decides(baseline):
    frame = donghai_frame()
    reformed = apply_reforms(baseline, [FLOOR_400])
    report = whatif(baseline, reformed, frame, as_of=AS_OF)
    assert report.jurisdictions == ["donghai"]
    changes = report.changes
    assert set(changes.get_column("rule")) == {"service_space_per_100_households"}
    flipped = changes.filter((pl.col("verdict_baseline") == "fail") & (pl.col("verdict_reformed") == "pass"))
    assert set(flipped.get_column("id")) == expected_flips(frame) == {"A", "D", "K"}
    # every flip of this reform lies in 400 ≤ space < 600 with ≤ 2000 households
    for row in flipped.iter_rows(named=True):
        source = frame.filter(pl.col("id") == row["id"]).row(0, named=True)
        assert 400 <= source["service_space_m2"] < 600 and source["households"] <= 2000
    # without a household count, 450 m² fails the 600 floor but cannot be judged against 30 per 100 households
    other = changes.filter(pl.col("id") == "I").row(0, named=True)
    assert (other["verdict_baseline"], other["verdict_reformed"]) == ("fail", "unknown")
    assert len(changes) == 4
    row = flipped.filter(pl.col("id") == "A").row(0, named=True)
    assert row["required_baseline"] == "≥ 600 m²" and row["required_reformed"] == "≥ 400 m²"
    summary = report.summary.filter(pl.col("id") == "A").row(0, named=True)
    # the two statements of the 600 m² floor restate each other, so one shortfall counts once: A still
    # fails service_space_floor_600, and the group's counts do not move although one verdict changed
    assert (summary["pass_reformed"], summary["fail_reformed"]) == (summary["pass_baseline"], summary["fail_baseline"])
    assert summary["changed"] == 1
    assert report.rules.get_column("rule").to_list() == ["service_space_per_100_households"]
    # the baseline registry still has 600
    assert rule(get_registry(), "donghai", "service_space_per_100_households").requirement.floor == 600


def test_whatif_reports_added_and_removed_rules(baseline, tmp_path):
    path = write(
        tmp_path,
        """
        [donghai]
        remove_rules = ["service_space_floor_600"]

        [[donghai.add_rules]]
        id = "outdoor_space"
        title = "户外活动场所(假设)"
        metric = "area.outdoor_activity"
        requirement = { form = "min", value = 800 }
        source = { clause = "假设", quote = "what-if" }
    """,
    )
    reformed = apply_reforms(baseline, (), [path])
    report = whatif(baseline, reformed, donghai_frame(), as_of=AS_OF)
    changes = dict(zip(report.rules.get_column("rule"), report.rules.get_column("change"), strict=False))
    # the rule that restated the removed one loses the link, so it is listed as changed
    assert changes == {
        "service_space_floor_600": "removed",
        "outdoor_space": "added",
        "service_space_per_100_households": "changed",
    }
    verdicts = report.changes.filter(pl.col("id") == "A")
    pairs = {(r["rule"], r["verdict_baseline"], r["verdict_reformed"]) for r in verdicts.iter_rows(named=True)}
    assert ("service_space_floor_600", "fail", "absent") in pairs
    assert ("outdoor_space", "absent", "unknown") in pairs


# --------------------------------------------------------------------------
# CLI


@pytest.fixture
def donghai_csv(tmp_path):
    path = tmp_path / "donghai.csv"
    donghai_frame().write_csv(path)
    return path


def test_cli_bad_set_is_exit_2_with_every_problem_on_stderr():
    result = CliRunner().invoke(
        main,
        [
            "--set",
            "donghai.service_space_per_100_households.requirement.floor=abc",
            "--set",
            "donghia.x.y=1",
            "standards",
        ],
    )
    assert result.exit_code == 2
    assert "2 problems found" in result.stderr
    assert "--set donghai.service_space_per_100_households.requirement.floor=abc" in result.stderr
    assert "did you mean 'donghai'" in result.stderr
    assert "Traceback" not in result.output and result.stdout == ""


def test_cli_whatif_json(donghai_csv):
    result = CliRunner().invoke(
        main, ["--set", FLOOR_400, "whatif", str(donghai_csv), "--as-of", "2024-01-01", "--format", "json"]
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["reforms"] == [f"what-if: {FLOOR_400}"]
    assert data["jurisdictions"] == ["donghai"]
    flips = {c["id"] for c in data["changes"] if (c["verdict_baseline"], c["verdict_reformed"]) == ("fail", "pass")}
    assert flips == {"A", "D", "K"}
    assert {row["id"] for row in data["summary"]} == {"A", "D", "K", "I"}
    assert data["rules"][0]["requirement_reformed"] == "≥ 30 m² per 100 households, at least 400 m²"


def test_cli_whatif_table_names_the_reform_and_both_sides(donghai_csv):
    result = CliRunner().invoke(main, ["--set", FLOOR_400, "whatif", str(donghai_csv), "--as-of", "2024-01-01"])
    assert result.exit_code == 0, result.stderr
    assert f"what-if: {FLOOR_400}" in result.stdout
    assert "≥ 600 m²" in result.stdout and "≥ 400 m²" in result.stdout and "社区A" in result.stdout


def test_cli_whatif_overlay_and_csv(donghai_csv, tmp_path):
    path = write(
        tmp_path,
        """
        [donghai.rules.service_space_per_100_households.requirement]
        floor = 400
    """,
    )
    result = CliRunner().invoke(
        main, ["--overlay", str(path), "whatif", str(donghai_csv), "--as-of", "2024-01-01", "--format", "csv"]
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("id,jurisdiction,rule,verdict_baseline,verdict_reformed")
    assert len(lines) == 1 + 4


def test_cli_whatif_without_reforms_is_a_usage_error(donghai_csv):
    result = CliRunner().invoke(main, ["whatif", str(donghai_csv)])
    assert result.exit_code == 2 and "nothing to compare" in result.stderr


def test_cli_set_applies_to_other_commands(donghai_csv):
    result = CliRunner().invoke(
        main,
        [
            "--set",
            FLOOR_400,
            "standards",
            "--metric",
            "service_space_m2",
            "--households",
            "1000",
            "-j",
            "donghai",
            "--format",
            "json",
            "--as-of",
            "2024-01-01",
        ],
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    # with the reform, the 600 m² of the separate 2019-06-20 rule still binds
    (cell,) = data["cells"]
    assert cell["required_min"] == 600 and data["reforms"] == [f"what-if: {FLOOR_400}"]
    rules = {r["rule"]: r for r in data["rules"]}
    assert rules["service_space_per_100_households"]["required_min"] == 400
