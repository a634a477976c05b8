"""Hypothetical communities typed on the command line (``--community KEY=VALUE,…``).

What a user relies on: a community typed as options is read exactly as the
same row in a CSV file would be (same columns, types and values; the same
problems, each naming the --community it comes from), ids are H1, H2 … unless
given, and explain/cost/evaluate take it in place of DATA.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from shequ.cli import main
from shequ.errors import ProblemsError
from shequ.io import load_communities
from shequ.io.hypothetical import communities_from_options

SPECS = [
    "户数=1500,kind=urban,service_space_m2=420,flags=work_access_system;info_network",
    "id=村1,户数=800,kind=village,area.elderly_service_facility=120.5",
]


def as_csv(tmp_path, specs, ids=("H1", "H2")):
    """The same communities written as a CSV file, one row each."""
    rows = []
    for spec, default in zip(specs, ids, strict=True):
        row = dict(part.split("=", 1) for part in spec.split(","))
        row.setdefault("id", default)
        rows.append(row)
    headers = list(dict.fromkeys(key for row in rows for key in row))
    path = tmp_path / "same.csv"
    lines = [",".join(headers)] + [",".join(row.get(h, "") for h in headers) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_typed_communities_read_as_the_same_rows_of_a_file(tmp_path):
    typed = communities_from_options(SPECS)
    from_file = load_communities(as_csv(tmp_path, SPECS))
    assert typed.frame.equals(from_file.frame)
    assert typed.frame.get_column("id").to_list() == ["H1", "村1"]
    assert typed.frame.get_column("households").to_list() == [1500, 800]
    assert typed.frame.get_column("service_space_m2").to_list() == [420.0, None]  # not given: unknown, not 0


def test_problems_are_those_of_a_file_named_by_their_option(tmp_path):
    bad = ["households=abc,kind=urbn,service_space_m2=-3"]
    with pytest.raises(ProblemsError) as typed:
        communities_from_options(bad)
    with pytest.raises(ProblemsError) as filed:
        load_communities(as_csv(tmp_path, bad, ids=("H1",)))
    assert [p.message for p in typed.value.problems] == [p.message for p in filed.value.problems]
    assert {p.file for p in typed.value.problems} == {f"--community {bad[0]}"}
    assert "expected a whole number >= 0, got 'abc'" in typed.value.report()


def test_unknown_keys_malformed_parts_and_duplicate_ids_are_all_reported():
    with pytest.raises(ProblemsError) as caught:
        communities_from_options(["housholds=1500", "kind", "id=H1,households=1,households=2"])
    report = caught.value.report()
    assert "--community housholds=1500: unknown column 'housholds' (did you mean 'households'?)" in report
    assert "--community kind: expected KEY=VALUE, got 'kind'" in report
    assert "'households' is given twice" in report
    assert "duplicate id 'H1' (--community options 1, 3)" in report


def run(*args):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_explain_a_typed_community():
    result = run(
        "explain", "--community", "households=1500,kind=urban,service_space_m2=420", "-j", "donghai",
        "--as-of", "2024-01-01", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["community"] == "H1"
    rules = {row["rule"]: row for row in payload["results"]}
    # 420 m² against donghai's 600 m² floor (the larger of 30 per 100 households = 450 and 600)
    assert rules["service_space_floor_600"]["verdict"] == "fail"
    assert rules["service_space_floor_600"]["shortfall"] == 180
    assert payload["provenance"]["arguments"]["community"] == ["households=1500,kind=urban,service_space_m2=420"]


def test_cost_and_evaluate_of_typed_communities():
    cost = run("cost", "--community", "households=1500,kind=urban", "-j", "panzhihua", "--format", "json")
    assert cost.exit_code == 0, cost.output
    items = {(row["obligation"], row["status"]): row for row in json.loads(cost.stdout)["items"]}
    assert items["office_funds_urban", "applies"]["yuan"] == 50000  # 每个城市社区每年不低于5万元
    assert items["special_funds", "applies"]["yuan"] == 45000  # 每百户3000元 × 15
    evaluate = run(
        "evaluate", "--community", "id=A,households=700,kind=urban,service_space_m2=700",
        "--community", "households=700,kind=urban", "-j", "donghai", "--as-of", "2024-01-01", "--format", "json",
    )  # fmt: skip
    assert evaluate.exit_code == 0, evaluate.output
    payload = json.loads(evaluate.stdout)
    assert payload["communities"] == 2
    verdicts = {(row["id"], row["rule"]): row["verdict"] for row in payload["results"]}
    assert verdicts["A", "service_space_floor_600"] == "pass"
    assert verdicts["H2", "service_space_floor_600"] == "unknown"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["evaluate", "examples/communities.csv", "--community", "households=1"], "not both"),
        (["evaluate"], "Missing argument 'DATA'"),
        (["evaluate", "--community", "housholds=1"], "did you mean 'households'"),
        (["cost", "--community", "households=-1"], "expected a whole number >= 0, got '-1'"),
        (["explain", "--community", "households=1", "--community", "households=2", "-j", "donghai"], "(H1, H2)"),
        (["explain", "--community", "households=1", "H9", "-j", "donghai"], "no community with id 'H9'"),
        (["evaluate", "no/such/file.csv"], "does not exist"),
    ],
)
def test_bad_community_options_exit_2(args, message):
    result = run(*args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""
