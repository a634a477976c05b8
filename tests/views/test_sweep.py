"""What-if sweeps: one row per value of one field, "at which value do half the communities fail?".

Expected counts are worked out from examples/communities.csv by hand (urban
communities against a minimum on service_space_m2; a blank area is unknown),
not read back from the engine.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main
from shequ.errors import ProblemsError, ShequError
from shequ.io import load_communities
from shequ.registry import get_registry
from shequ.views.whatif import MAX_SWEEP_STEPS, SWEEP_COLUMNS, first_value_failing, parse_sweep, sweep, sweep_values

AS_OF = dt.date(2024, 1, 1)  # after the rule's due date (2019-06-20)
SAMPLE = Path(__file__).parents[2] / "examples" / "communities.csv"
FLOOR = "donghai.service_space_floor_600.requirement.value"


def by_hand(minimum: float) -> tuple[int, int, int]:
    """Urban communities (donghai's rule applies to urban ones), those below ``minimum`` m², those with no area."""
    with SAMPLE.open(encoding="utf-8") as handle:
        urban = [row for row in csv.DictReader(handle) if row["kind"] == "urban"]
    areas = [row["service_space_m2"] for row in urban]
    failing = sum(1 for area in areas if area and float(area) < minimum)
    return len(urban), failing, sum(1 for area in areas if not area)


def test_sweep_counts_the_communities_failing_the_swept_rule():
    values = [300.0, 450.0, 600.0, 800.0]
    frame = sweep(get_registry(), load_communities(SAMPLE), FLOOR, values, as_of=AS_OF)
    assert tuple(frame.columns) == SWEEP_COLUMNS
    assert frame.get_column("value").to_list() == values
    for row in frame.to_dicts():
        communities, failing, unknown = by_hand(row["value"])
        assert row["jurisdiction"] == "donghai"
        assert row["counted"] == "service_space_floor_600"
        assert (row["communities"], row["communities_failing"], row["communities_unknown"]) == (
            communities,
            failing,
            unknown,
        )
        assert row["share_failing"] == pytest.approx(failing / communities)
    # donghai commits no money (no obligation): 0, and it does not change with the floor
    assert set(frame.get_column("cost_yearly_yuan").to_list()) == {0.0}


def test_the_value_at_which_half_fail():
    frame = sweep(get_registry(), load_communities(SAMPLE), *parse_sweep(f"{FLOOR}=300:800:50"), as_of=AS_OF)
    communities = by_hand(0)[0]
    expected = next(v for v in range(300, 801, 50) if by_hand(v)[1] / communities >= 0.5)
    assert first_value_failing(frame, 0.5) == expected
    assert first_value_failing(frame, 0.99) is None


def test_sweeping_an_obligation_counts_any_rule_and_moves_its_cost():
    # panzhihua 三(五)4: 按照每百户3000元的标准落实…专项资金 (no period: "unstated")
    frame = sweep(
        get_registry(), load_communities(SAMPLE), "panzhihua.obligations.special_funds.amount_yuan", [1000.0, 3000.0],
        as_of=AS_OF,
    )  # fmt: skip
    with SAMPLE.open(encoding="utf-8") as handle:
        households = sum(int(row["households"]) for row in csv.DictReader(handle))
    assert frame.get_column("counted").to_list() == ["(any rule)", "(any rule)"]
    assert frame.get_column("cost_unstated_yuan").to_list() == [households / 100 * 1000, households / 100 * 3000]
    assert frame.get_column("cost_yearly_yuan")[0] == frame.get_column("cost_yearly_yuan")[1]


def test_sweep_leaves_the_registry_alone():
    registry = get_registry()
    before = registry.get("donghai").standard
    sweep(registry, load_communities(SAMPLE), FLOOR, [100.0], as_of=AS_OF)
    assert registry.get("donghai").standard == before


@pytest.mark.parametrize(
    ("spec", "values"),
    [
        ("300:500:100", [300.0, 400.0, 500.0]),
        ("300:550:100", [300.0, 400.0, 500.0]),  # STOP not reached exactly: the last value below it
        ("0.1:0.3:0.1", [0.1, 0.2, 0.3]),  # no float drift: 0.3, not 0.30000000000000004
        ("500:300:-100", [500.0, 400.0, 300.0]),
        ("7:7:1", [7.0]),
    ],
)
def test_sweep_values(spec, values):
    assert sweep_values(spec) == values


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("300:500", "expected START:STOP:STEP"),
        ("a:500:1", "START is not a number: 'a'"),
        ("300:nan:50", "STOP must be a finite number"),
        ("300:inf:50", "STOP must be a finite number"),
        ("300:500:0", "STEP must not be 0"),
        ("300:500:-10", "never goes from 300 to 500"),
        ("0:2000:1", f"2001 values, more than the {MAX_SWEEP_STEPS}"),
    ],
)
def test_bad_sweep_values_are_refused(spec, message):
    with pytest.raises(ShequError, match=message):
        sweep_values(spec)


def test_bad_paths_are_refused_as_set_refuses_them():
    with pytest.raises(ShequError, match=r"expected PATH=START:STOP:STEP"):
        parse_sweep("300:800:50")
    with pytest.raises(ShequError, match=r"ID\.RULE\.FIELD"):
        parse_sweep("donghai.value=1:2:1")
    with pytest.raises(ProblemsError, match="did you mean 'service_space_floor_600'"):
        sweep(get_registry(), load_communities(SAMPLE), "donghai.service_space_floor_60.requirement.value", [1.0])


def run(*args: object):
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_cli_sweep_json_and_table():
    result = run("whatif", SAMPLE, "--sweep", f"{FLOOR}=300:800:50", "--as-of", AS_OF, "--format", "json")
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["path"] == FLOOR
    assert [row["value"] for row in payload["sweep"]] == list(range(300, 801, 50))
    communities = by_hand(0)[0]
    expected = next(v for v in range(300, 801, 50) if by_hand(v)[1] / communities >= 0.5)
    assert payload["half_failing_from"] == expected
    assert payload["provenance"]["arguments"]["sweep_spec"] == f"{FLOOR}=300:800:50"
    table = run("whatif", SAMPLE, "--sweep", f"{FLOOR}=300:800:50", "--as-of", AS_OF)
    assert f"half the communities fail from value = {expected}" in table.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--sweep", f"{FLOOR}=300:nan:50"], "STOP must be a finite number"),
        (["--sweep", "donghai.nope.requirement.value=1:2:1"], "donghai has no rule 'nope'"),
        (["--sweep", f"{FLOOR}=x:2:1"], "START is not a number"),
        (["--sweep", f"{FLOOR}=1:2:1", "-j", "changchun"], "-j changchun says another"),
        (["--sweep", f"{FLOOR}=1:2:1", "--all"], "leave out --all"),
    ],
)
def test_cli_sweep_errors_exit_2(args, message):
    result = run("whatif", SAMPLE, *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
