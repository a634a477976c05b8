"""The standards commands through click's CliRunner: plugins, rules, show, validate."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main

BUILT_IN = ["changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"]


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def test_plugins_lists_all_six_with_counts_and_origin(run):
    result = run("plugins", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["rows"]
    assert [row["id"] for row in rows] == BUILT_IN
    for row in rows:
        assert row["rules"] > 0 and row["tasks"] > 0
        assert row["package"].startswith("shequ ")
        assert row["location"].endswith(f"{row['id']}.toml")
    changchun = rows[0]
    assert changchun["documents"] == ["长政办〔2018〕61号"] and changchun["level"] == "county"


def test_plugins_coverage_reports_every_number_accounted_for(run):
    rows = json.loads(run("plugins", "--coverage", "--format", "json").stdout)["rows"]
    for row in rows:
        assert row["numbers"] > 20
        assert row["numbers_unaccounted"] == 0, row["id"]
        assert row["numbers_encoded"] + row["numbers_unencoded"] == row["numbers"]
    # the national law writes its numbers in Chinese numerals (一百户至七百户, 五至九人): the audit counts them
    chinese = {row["id"]: row["numbers_in_chinese_numerals"] for row in rows}
    assert chinese["national"] > 50 and chinese["longgang"] == 7  # 三分之一, 两年, 一次, 三个文明 …


def test_plugins_table_is_readable_chinese(run):
    result = run("plugins")
    assert result.exit_code == 0
    assert "长政办〔2018〕61号" in result.stdout and "\\u" not in result.stdout


def test_rules_filters_by_jurisdiction_and_cites_sources(run):
    rows = json.loads(run("rules", "-j", "changchun", "--format", "json").stdout)["rows"]
    assert {row["jurisdiction"] for row in rows} == {"changchun"}
    space = next(row for row in rows if row["metric"] == "service_space_m2")
    assert space["requirement"] == "≥ 30 m² per 100 households, at least 300 m²"
    assert space["clause"].startswith("二(二)8") and "不低于30平方米" in space["quote"]
    assert space["document"] == "长政办〔2018〕61号"


def test_rules_of_two_jurisdictions(run):
    rows = json.loads(run("rules", "-j", "donghai", "-j", "xiamen", "--format", "json").stdout)["rows"]
    assert {row["jurisdiction"] for row in rows} == {"donghai", "xiamen"}


def test_unknown_jurisdiction_is_exit_2_with_a_hint(run):
    result = CliRunner().invoke(main, ["rules", "-j", "donghia"])
    assert result.exit_code == 2
    assert "unknown jurisdiction 'donghia' (did you mean 'donghai'?)" in result.stderr
    assert "Traceback" not in result.output


def test_show_json_holds_the_whole_normalised_standard(run):
    data = json.loads(run("show", "changchun", "--format", "json").stdout)
    assert set(data) >= {"jurisdiction", "documents", "rules", "tasks", "milestones", "obligations", "unencoded"}
    assert data["jurisdiction"]["copy_notes"], "the copy's spam and 官方 substitution are recorded"
    for rule in data["rules"]:
        assert {"id", "title", "metric", "applies_to", "requirement", "due", "stages", "source"} <= set(rule)
        assert rule["source"]["clause"] and rule["source"]["quote"]
    registration = next(r for r in data["rules"] if r["id"] == "volunteer_registration")
    assert [(s["due"], s["requirement"]["min"], s["requirement"]["scope"]) for s in registration["stages"]] == [
        ("2018-12-31", 0.04, "jurisdiction"),
        ("2020-12-31", 0.1, "jurisdiction"),
    ], "the 4 % → 10 % county-wide registration target is staged"
    funds = data["obligations"][0]
    assert funds["amount_yuan"] == 10 and funds["basis"] == "households" and funds["payer"] == ["finance"]


def test_show_table_and_markdown_and_csv(run):
    for fmt in ("table", "markdown", "csv"):
        result = run("show", "donghai", "--format", fmt)
        assert result.exit_code == 0
        assert "东政办发〔2019〕31号" in result.stdout or "dzbf2019_31" in result.stdout


def test_csv_output_neutralises_formulas():
    from shequ.output import render_csv

    text = render_csv([{"a": '=HYPERLINK("x")', "b": -5, "c": "+1", "d": "正常"}])
    row = next(csv.DictReader(io.StringIO(text)))
    assert row == {"a": '\'=HYPERLINK("x")', "b": "-5", "c": "'+1", "d": "正常"}


def test_validate_a_built_in_plugin_folder(run):
    folder = Path(__file__).parents[2] / "plugins" / "donghai"
    result = run("validate", str(folder), "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["rows"] == [{"path": str(folder), "valid": True}]


def test_help_imports_neither_polars_nor_plugins():
    code = (
        "import sys; from click.testing import CliRunner; from shequ.cli import main; "
        "r = CliRunner().invoke(main, ['--help']); assert r.exit_code == 0, r.output; "
        "assert 'polars' not in sys.modules, 'polars imported'; "
        "assert not any(m.startswith('shequ_plugins') for m in sys.modules), 'plugins loaded'; print('ok')"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert completed.stdout.strip() == "ok", completed.stderr
