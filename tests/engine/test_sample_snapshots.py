"""Regression snapshots of the main job on the shipped sample data, under every jurisdiction.

A change to an encoded standard or to the engine that changes a verdict shows
up here, in review, as a diff of readable CSV/YAML.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shequ.engine import evaluate
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
