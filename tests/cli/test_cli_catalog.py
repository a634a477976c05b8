"""`shequ catalog` through click's CliRunner: every section, every format, origins, and a mistyped section."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from importlib import resources

import pytest
from click.testing import CliRunner

from shequ import hookimpl
from shequ.cli import main
from shequ.model import MetricDef
from shequ.registry import build_registry


@pytest.fixture
def run():
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(main, list(args), catch_exceptions=False)

    return invoke


def _json(result) -> list[dict]:
    """The rows of a JSON listing (printed as ``{"rows": [...], "provenance": {...}}``)."""
    assert result.exit_code == 0, result.stderr
    output = json.loads(result.stdout)
    assert "provenance" in output
    return output["rows"]


def test_metrics_json_lists_every_core_metric_with_its_unit(run):
    result = run("catalog", "metrics", "--format", "json")
    rows = {row["id"]: row for row in _json(result)}
    core = tomllib.loads(resources.files("shequ.catalog").joinpath("core.toml").read_text(encoding="utf-8"))
    for metric in core["metrics"]:
        assert rows[metric["id"]]["unit"] == metric.get("unit", ""), metric["id"]
        assert rows[metric["id"]]["origin"] == "core"
    for row in rows.values():
        assert {"id", "zh", "en", "unit", "family", "formula", "concept", "aliases", "jurisdictions", "origin"} <= set(
            row
        )
    assert '"zh": "常住户数"' in result.stdout  # Chinese as written, not \u escapes


def test_a_metric_a_built_in_plugin_adds_shows_that_plugin(run):
    rows = {row["id"]: row for row in _json(run("catalog", "metrics", "--format", "json"))}
    assert rows["party_org_committee_members"]["origin"] == "longgang"
    assert rows["households_per_grid"]["formula"] == "households ÷ grids"


def test_a_hook_registered_metric_is_listed_as_computed_with_its_origin(run, monkeypatch):
    class MetricPlugin:
        @hookimpl
        def register_metrics(self):
            return [
                MetricDef(
                    id="persons_per_household",
                    zh="户均人口",
                    unit="人/户",
                    compute=lambda metric: metric("population") / metric("households"),
                )
            ]

    registry = build_registry([("householdsize", MetricPlugin())], include_installed=False)
    monkeypatch.setattr("shequ.registry.get_registry", lambda: registry)
    rows = {row["id"]: row for row in _json(run("catalog", "metrics", "--format", "json"))}
    row = rows["persons_per_household"]
    assert (row["family"], row["origin"], row["unit"]) == ("computed", "householdsize", "人/户")


def test_departments_show_the_names_documents_use(run):
    rows = {row["id"]: row for row in _json(run("catalog", "departments", "--format", "json"))}
    assert "民政局" in rows["civil_affairs"]["aliases"]
    table = run("catalog", "departments")
    assert table.exit_code == 0
    assert "civil_affairs" in table.stdout and "民政局" in table.stdout


def test_no_section_summarises_every_section(run):
    summary = _json(run("catalog", "--format", "json"))
    assert [row["section"] for row in summary] == [
        "metrics",
        "concepts",
        "kinds",
        "organizations",
        "flags",
        "designations",
        "departments",
        "events",
    ]
    metrics = summary[0]
    assert metrics["entries"] == len(_json(run("catalog", "metrics", "--format", "json")))
    assert metrics["by_origin"]["core"] > 0 and metrics["by_origin"]["longgang"] > 0
    table = run("catalog")
    assert table.exit_code == 0 and "departments" in table.stdout and "core " in table.stdout


@pytest.mark.parametrize("section", ["concepts", "kinds", "organizations", "flags", "designations"])
def test_every_section_lists_ids_names_and_origins(run, section):
    rows = _json(run("catalog", section, "--format", "json"))
    assert rows and all(row["id"] and row["zh"] and row["origin"] for row in rows)


def test_csv_and_markdown(run):
    result = run("catalog", "flags", "--format", "csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert rows and {"id", "zh", "origin"} <= set(rows[0])
    markdown = run("catalog", "kinds", "--format", "markdown")
    assert markdown.exit_code == 0 and markdown.stdout.startswith("### Catalog: kinds")


def test_an_unknown_section_is_exit_2_with_a_hint(run):
    result = run("catalog", "metric")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "unknown catalog section 'metric' (did you mean 'metrics'?)" in result.stderr


def test_help_shows_an_example(run):
    result = run("catalog", "--help")
    assert result.exit_code == 0 and "shequ catalog metrics --format json" in result.stdout


@pytest.mark.parametrize("section", [None, "metrics", "departments"])
def test_json_is_the_library_payload(run, section):
    from shequ.output import to_json
    from shequ.payloads import catalog_payload
    from shequ.registry import get_registry

    args = ["catalog", section] if section else ["catalog"]
    expected = json.loads(to_json(catalog_payload(get_registry(), section)))
    assert _json(run(*args, "--format", "json")) == expected
