"""shequ.io.nested: JSON/TOML records become the flat columns, and are judged by the same rules as a CSV file."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from shequ.catalog import Catalog
from shequ.errors import ProblemsError
from shequ.io import load_communities
from shequ.io.nested import flatten
from shequ.io.problems import Problems

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.core()


def problems_of(path: Path, catalog: Catalog) -> list:
    with pytest.raises(ProblemsError) as info:
        load_communities(path, catalog=catalog)
    return info.value.problems


def test_flattening_keeps_every_community_item_and_value():
    document = json.loads((EXAMPLES / "communities.json").read_text(encoding="utf-8"))
    records = document["communities"]
    problems = Problems("communities.json", unit="records")
    flat = flatten(document, problems)
    assert not problems
    assert flat.communities.height == len(records)
    assert flat.facilities.height == sum(len(r.get("facilities") or []) for r in records)
    assert flat.organizations.height == sum(len(r.get("organizations") or []) for r in records)
    for row, record in zip(flat.communities.iter_rows(named=True), records, strict=True):
        for name, value in record.items():
            if name in ("facilities", "organizations"):
                assert row[f"__{name}"] is True
            elif isinstance(value, dict):
                for member, number in value.items():
                    assert row[f"{name}.{member}"] == number, (record["id"], name, member)
            else:
                assert row[name] == value, (record["id"], name)
    facilities = [(i, f) for i, r in enumerate(records) for f in r.get("facilities") or []]
    for row, (community, facility) in zip(flat.facilities.iter_rows(named=True), facilities, strict=True):
        assert row["__community"] == community
        assert {name: row[name] for name in facility} == facility
    paths = flat.places["facilities"].paths
    assert paths[0] == "communities[0].facilities[0]"


# The same mistakes, once as records and once as rows: kept to what both forms can say.
MISTAKES = [
    {"id": "C01", "kind": "urban", "households": 1200, "party_members": 40, "flags": ["grid_management"]},
    {"id": "C02", "kind": "urbn", "households": -5, "party_members": 12.5, "flags": ["grid_managment"]},
    {"id": "C03", "kind": "town", "service_space_m2": 100, "staff_office_m2": 200},
    {"id": "C01", "kind": "rural", "households": 300},
]
COLUMNS = ["id", "kind", "households", "party_members", "service_space_m2", "staff_office_m2", "flags"]


def _body(problem) -> str:
    """The words of a problem without the field a row's problem starts with, and numbers unquoted."""
    message = problem.message.removeprefix(f"{problem.field}: ")
    return message.replace("'-5'", "-5").replace("'12.5'", "12.5")


def test_the_same_mistakes_in_csv_and_json_give_the_same_problems(catalog, tmp_path):
    nested = tmp_path / "mistakes.json"
    nested.write_text(json.dumps({"communities": MISTAKES}), encoding="utf-8")
    flat = tmp_path / "mistakes.csv"
    with flat.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for record in MISTAKES:
            writer.writerow([";".join(v) if isinstance(v, list) else v for v in (record.get(c, "") for c in COLUMNS)])

    rows = problems_of(flat, catalog)
    records = problems_of(nested, catalog)
    # the same community and field, in the same order
    assert [(p.row - 1, p.field) for p in rows] == [(int(p.path.split("]")[0].split("[")[1]), p.field) for p in records]
    assert [p.field for p in rows] == ["kind", "households", "party_members", "flags", "staff_office_m2", "id"]
    # the same words for the same rule; a duplicate id is listed by row or by path
    assert [_body(p) for p in rows[:-1]] == [_body(p) for p in records[:-1]]
    assert rows[-1].message == "id: duplicate id 'C01' (rows 1, 4)"
    assert records[-1].message == "duplicate id 'C01' (communities[0], communities[3])"
    assert [p.path for p in records][:2] == ["communities[1].kind", "communities[1].households"]
    assert records[3].path == "communities[1].flags[0]"


def test_a_value_of_the_wrong_type_is_reported_once_and_not_judged_again(catalog, tmp_path):
    path = tmp_path / "types.json"
    records = [{"id": 5, "households": "300", "service_space_m2": 10, "staff_office_m2": "x", "flags": "a"}]
    path.write_text(json.dumps(records), encoding="utf-8")
    assert [str(p) for p in problems_of(path, catalog)] == [
        f"{path}: [0].id: expected a non-empty text, got 5",
        f"{path}: [0].households: expected a whole number >= 0, got '300'",
        f"{path}: [0].staff_office_m2: expected a number >= 0, got 'x'",
        f"{path}: [0].flags: expected a list of texts, got 'a'",
    ]


def test_a_wrong_value_takes_no_part_in_the_checks_across_fields(catalog, tmp_path):
    path = tmp_path / "office.json"
    path.write_text(json.dumps([{"id": "A", "service_space_m2": -1, "staff_office_m2": 5}]), encoding="utf-8")
    assert [p.message for p in problems_of(path, catalog)] == ["expected a number >= 0, got -1"]
