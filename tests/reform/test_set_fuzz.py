"""Fuzzing ``--set`` (issue 11): whatever is assigned, ``evaluate`` gives a table or exits 2 with a message.

Assignments are drawn from the fields the built-in rules really have (half of them a finite
number, of any size, where the rule has a number, so that many reach the engine) and from values
a user might type:
numbers of every size, NaN and infinities, dates that do not exist, text, arrays, inline tables,
bare words and arbitrary characters. The only outcomes allowed are exit 0 with a JSON table of
every community, or exit 2 with an ``Error:`` on stderr — never a traceback.

``SHEQU_FUZZ_EXAMPLES`` sets the number of examples (default 40; the issue's run is 10,000).
"""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from shequ.cli.main import main
from shequ.convert import unstructure
from shequ.registry import get_registry

COMMUNITIES = Path(__file__).parents[1] / "data" / "bad" / "plugins" / "communities.csv"
EXAMPLES = int(os.environ.get("SHEQU_FUZZ_EXAMPLES", "40"))


def _paths(value: Any, prefix: str) -> list[str]:
    """Every field path under ``value`` (tables by key, arrays by index), leaves and tables alike."""
    out = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, f"{prefix}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _paths(item, f"{prefix}[{index}]")
    return out


def _get(value: Any, path: str) -> Any:
    for part in path.replace("[", ".").replace("]", "").split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@cache
def targets() -> list[tuple[str, str, str]]:
    """(jurisdiction, rule id, field path) of every field of every built-in rule."""
    found = []
    for jurisdiction, loaded in sorted(get_registry().standards.items()):
        for rule in loaded.standard.rules:
            plain = unstructure(rule)
            for key, value in plain.items():
                if key == "id":
                    continue
                for path in _paths(value, key):
                    found.append((jurisdiction, rule.id, path))
    return found


@cache
def numeric_targets() -> list[tuple[str, str, str]]:
    """The targets whose current value is a number: thresholds, rates, floors the engine computes with."""
    plain = {
        (j, rule.id): unstructure(rule)
        for j, loaded in get_registry().standards.items()
        for rule in loaded.standard.rules
    }
    return [
        (j, rule_id, path)
        for j, rule_id, path in targets()
        if isinstance(_get(plain[(j, rule_id)], path), (int, float))
        and not isinstance(_get(plain[(j, rule_id)], path), bool)
    ]


NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["nan", "inf", "-inf", "+inf", "1e308", "-1e308", "1e400", "5e-324", "0", "-0.0", "0.0001"]),
)
VALUES = st.one_of(
    NUMBERS,
    st.sampled_from(
        [
            "2021-02-30",
            "2019-12-31",
            "0001-01-01",
            "9999-12-31",
            "true",
            "target",
            "mandatory",
            "households",
            "[1, 2]",
            "[]",
            "{}",
            '{form = "min", value = 2}',
            '{form = "max", value = nan}',
            '{form = "range", min = 5, max = 1}',
            '{form = "any_of", options = []}',
            '"文本"',
            "社区",
            "[[[[[[[[[[1]]]]]]]]]]",
        ]
    ),
    st.lists(NUMBERS, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
    st.text(max_size=20),
)
EXTRA_FIELDS = st.sampled_from(["requirement.valeu", "nosuch", "requirement.options[99].value", "source.quote", ""])


FINITE = st.one_of(
    st.floats(min_value=-1e300, max_value=1e300, allow_nan=False).map(repr),
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.floats(min_value=0, max_value=1e6, allow_nan=False).map(repr),
)


@st.composite
def assignments(draw: st.DrawFn) -> str:
    if draw(st.booleans()):  # half the time a number where a number is: most of these reach the engine
        jurisdiction, rule_id, path = draw(st.sampled_from(numeric_targets()))
        return f"{jurisdiction}.{rule_id}.{path}={draw(FINITE)}"
    jurisdiction, rule_id, path = draw(st.sampled_from(targets()))
    if draw(st.integers(0, 9)) == 0:  # now and then a field, rule or jurisdiction that does not exist
        path = draw(EXTRA_FIELDS)
        jurisdiction = draw(st.sampled_from([jurisdiction, "nosuch", "DONGHAI"]))
    return f"{jurisdiction}.{rule_id}.{path}={draw(VALUES)}"


@pytest.fixture(scope="module")
def runner() -> CliRunner:
    return CliRunner()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(changes=st.lists(assignments(), min_size=1, max_size=2))
def test_set_gives_a_table_or_exit_2_with_a_message(runner, changes):
    args = [part for change in changes for part in ("--set", change)]
    jurisdictions = sorted({change.split(".", 1)[0] for change in changes} & set(get_registry().standards))
    selection = [part for j in jurisdictions for part in ("-j", j)]
    result = runner.invoke(main, [*args, "evaluate", str(COMMUNITIES), "--format", "json", *selection])
    assert result.exception is None or isinstance(result.exception, SystemExit), (changes, result.output)
    assert "Traceback" not in result.output
    event(f"exit {result.exit_code}")  # shown by --hypothesis-show-statistics: how many runs reach the engine
    if result.exit_code == 0:
        rows = json.loads(result.stdout)["results"]
        assert {row["id"] for row in rows} == {"C01", "C02"}, changes
    else:
        assert result.exit_code == 2, (changes, result.output)
        assert result.stderr.startswith("Error:"), (changes, result.stderr)
