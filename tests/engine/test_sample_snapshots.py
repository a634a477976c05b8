"""Regression snapshots of the main job on the shipped sample data, under every jurisdiction.

A change to an encoded standard or to the engine that changes a verdict shows
up here, in review, as a diff of readable CSV/YAML.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from shequ.engine import evaluate
from shequ.errors import PluginError
from shequ.io import load_communities
from shequ.output import plain, render_csv

EXAMPLES = Path(__file__).parents[2] / "examples"
AS_OF = dt.date(2021, 1, 1)  # fixed, so snapshots do not move with the calendar
JURISDICTIONS = ["changchun", "donghai", "longgang", "panzhihua", "xiamen"]


@pytest.fixture(scope="module")
def results():
    return evaluate(load_communities(EXAMPLES / "communities.csv"), JURISDICTIONS, as_of=AS_OF)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_evaluate_snapshot(results, jurisdiction, file_regression):
    details = results.details(jurisdictions=[jurisdiction]).select(
        "id", "rule", "verdict", "value", "required", "shortfall", "due"
    )
    file_regression.check(render_csv(details.to_dicts()), extension=".csv", encoding="utf-8")


def test_aggregate_snapshot(results, data_regression):
    data_regression.check(plain(results.aggregate_details().drop("due").to_dicts()))


def test_compare_snapshot(results, data_regression):
    data_regression.check(
        {"summary": plain(results.summary().to_dicts()), "totals": plain(results.totals().to_dicts())}
    )


def test_json_and_csv_samples_give_the_same_verdicts(results):
    from_json = evaluate(load_communities(EXAMPLES / "communities.json"), JURISDICTIONS, as_of=AS_OF)
    assert from_json.codes.equals(results.codes)
    assert from_json.aggregate_details().equals(results.aggregate_details())


def test_every_sample_community_appears_under_every_jurisdiction(results):
    summary = results.summary()
    assert summary.height == 30 * len(JURISDICTIONS)
    details = results.details()
    rules = len(results.rules)
    assert details.height == 30 * rules


def test_summary_counts_are_small_integers_and_totals_sum_them_in_64_bits(results):
    summary, totals = results.summary(), results.totals()
    assert summary.schema["pass"] == pl.Int16 and summary.schema["applicable"] == pl.Int16
    assert totals.schema["pass"] == pl.Int64
    assert (
        totals.get_column("pass").to_list()
        == summary.group_by("jurisdiction", maintain_order=True).agg(pl.col("pass").sum()).get_column("pass").to_list()
    )


def test_a_standard_with_more_rules_than_a_count_holds_is_refused_by_name(monkeypatch):
    import shequ.engine.results as engine_results

    table = load_communities(EXAMPLES / "communities.csv")
    fresh = evaluate(table, as_of=dt.date(2021, 1, 1))
    monkeypatch.setattr(engine_results, "_COUNT_MAX", 2)
    with pytest.raises(PluginError, match=r"rules, more than a summary count holds \(2\)"):
        fresh.summary()


def test_details_in_parts_put_together_are_the_details(results):
    parts = list(results.detail_batches(rows=len(results.rules) * 7))  # 7 communities a part
    assert len(parts) == 5  # 30 communities
    assert pl.concat(parts).equals(results.details())
    failing = list(results.detail_batches(verdicts=["fail"], rows=len(results.rules) * 4))
    assert pl.concat(failing).equals(results.details(verdicts=["fail"]))


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_evaluate_prints_the_same_bytes_part_by_part(fmt, monkeypatch):
    """evaluate --format csv/json renders the verdict rows a part at a time; the output does not change."""
    from click.testing import CliRunner

    import shequ.engine.results as engine_results
    from shequ.cli import main

    command = ["evaluate", str(EXAMPLES / "communities.csv"), "--as-of", "2021-01-01", "--format", fmt]
    whole = CliRunner().invoke(main, command)
    monkeypatch.setattr(engine_results, "DETAIL_BATCH_ROWS", 300)  # parts of 2 communities
    parts = CliRunner().invoke(main, command)
    assert whole.exit_code == parts.exit_code == 0, parts.output
    assert parts.output == whole.output
    assert parts.output.count("SYN-030") > 0
