"""The demo standard (fictional), tested with shequ's conformance kit, exactly as the built-ins test themselves."""

import polars as pl
import pytest

from shequ import evaluate
from shequ.authoring.testing import assert_conforms, standard_snapshot

JURISDICTION = "demo"


def test_is_installed_through_its_entry_point(shequ_registry):
    loaded = shequ_registry.get(JURISDICTION)
    assert loaded.plugin == JURISDICTION
    assert loaded.path.name == "demo.toml"


def test_conforms(shequ_registry):
    assert_conforms(JURISDICTION, shequ_registry)


def test_standard_snapshot(data_regression, shequ_registry):
    data_regression.check(standard_snapshot(shequ_registry.get(JURISDICTION), shequ_registry))


@pytest.fixture
def communities() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": ["R1", "R2", "V1", "V2"],
            "kind": ["urban", "urban", "village", "village"],
            "households": [650, 2400, 300, 500],
            "staff.committee_members": [7, 11, 5, 5],
            "staff.women_committee_members": [3, 2, 1, 0],
            "indicators.village_assembly_members": [None, None, 45, 0],  # 0: V2 has no assembly,
            "indicators.village_representatives": [None, None, 38, None],
            "indicators.women_village_representatives": [None, None, 15, None],
        }
    )


def test_verdicts(communities, shequ_registry):
    results = evaluate(communities, [JURISDICTION], registry=shequ_registry)
    verdicts = {(row["id"], row["rule"]): row["verdict"] for row in results.details().to_dicts()}
    assert verdicts["R1", "residents_committee_size"] == "pass"
    assert verdicts["R2", "residents_committee_size"] == "fail"  # 11 > 9
    # 2400 > 1500, but 一般 makes it guidance: it departs, never fails
    assert verdicts["R2", "residents_committee_households"] == "departs"
    assert verdicts["R1", "residents_committee_households"] == "pass"  # 650 is within 500–1500
    assert verdicts["R1", "villagers_committee_size"] == "not_applicable"
    assert verdicts["V2", "villagers_committee_woman_member"] == "fail"
    assert verdicts["V1", "village_representatives_share"] == "pass"  # 38/45 ≥ 4/5
    assert verdicts["V1", "women_representatives_share"] == "pass"  # 15/45 is exactly 1/3
    assert (
        verdicts["V2", "women_representatives_share"] == "not_applicable"
    )  # 0 members: no assembly (None would be unknown)
    assert verdicts["R1", "mediation_committee"] == "unknown"  # no data: never a pass or a fail
