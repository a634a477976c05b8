"""The CLI is thin: every command shows an example, and its JSON is the library's payload, rendered.

A program that calls :mod:`shequ.payloads` gets exactly what ``shequ … --format
json`` prints, so the commands only parse options, call the library and render.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main
from shequ.output import to_json

ROOT = Path(__file__).parents[2]
SAMPLE_CSV = ROOT / "examples" / "communities.csv"
AS_OF = "2021-01-01"


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_help_shows_an_example(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    _, example = result.stdout.split("Example", 1)
    assert "shequ " in example and f" {name} " in example.replace("\n", " ")


def test_commands_are_grouped_by_subject():
    from shequ.cli import authoring, data, levels, report, standards, views

    modules = (standards, data, views, levels, authoring, report)
    names = [command.name for module in modules for command in module.COMMANDS]
    assert sorted(names) == sorted(main.commands)  # each command registered once, from its subject's module


def _json(*args: str) -> object:
    """A command's JSON without its provenance (tests/cli/test_provenance.py checks that): the library's payload."""
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    output = json.loads(result.stdout)
    provenance = output.pop("provenance")
    assert provenance["command"] == f"shequ {args[0]}"
    return output.get("rows", output) if set(output) == {"rows"} else output


def test_evaluate_json_is_the_library_payload():
    from shequ import evaluate
    from shequ.payloads import evaluate_payload

    results = evaluate(str(SAMPLE_CSV), ["donghai"], as_of=_day())
    expected = json.loads(to_json(evaluate_payload(results, ["fail"])))
    assert _json("evaluate", str(SAMPLE_CSV), "-j", "donghai", "--as-of", AS_OF, "--verdict", "fail") == expected


def test_compare_and_explain_json_are_the_library_payloads():
    from shequ import evaluate
    from shequ.payloads import compare_payload, explain_payload

    results = evaluate(str(SAMPLE_CSV), ["changchun", "xiamen"], as_of=_day())
    compared = _json("compare", str(SAMPLE_CSV), "-j", "changchun", "-j", "xiamen", "--as-of", AS_OF)
    assert compared == json.loads(to_json(compare_payload(results)))
    explained = _json("explain", str(SAMPLE_CSV), "SYN-001", "-j", "changchun", "-j", "xiamen", "--as-of", AS_OF)
    assert explained == json.loads(to_json(explain_payload(results, "SYN-001")))


def test_plugins_rows_come_from_the_library():
    from shequ import get_registry
    from shequ.payloads import plugin_rows

    assert _json("plugins") == json.loads(to_json(plugin_rows(get_registry())))


def _day():
    import datetime as dt

    return dt.date.fromisoformat(AS_OF)
