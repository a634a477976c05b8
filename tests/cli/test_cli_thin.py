"""The CLI is thin: every command shows an example, and its JSON is the library's payload, rendered.

A program that calls :mod:`shequ.payloads` gets exactly what ``shequ … --format
json`` prints, so the commands only parse options, call the library and render.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main
from shequ.output import to_json

ROOT = Path(__file__).parents[2]
SAMPLE_CSV = ROOT / "examples" / "communities.csv"
AS_OF = "2021-01-01"


@pytest.mark.parametrize("name", sorted(main.all_commands()))
def test_every_command_help_shows_an_example(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    _, example = result.stdout.split("Example", 1)
    assert "shequ " in example and f" {name} " in example.replace("\n", " ")


#: What a command's help must not load: the model's attrs records, the engine's Polars, the report's Altair, the
#: registry's cattrs (each costs tens of milliseconds; `shequ --help` took about 0.26 s with them, 0.12 s without).
_HEAVY = ("attrs", "cattrs", "polars", "altair", "shequ.errors", "shequ.model", "shequ.registry")


def test_help_loads_no_heavy_module():
    code = (
        "import sys\n"
        "import shequ.cli.main\n"
        f"heavy = {_HEAVY!r}\n"
        "print('import', sorted(m for m in heavy if m in sys.modules))\n"
        "from click.testing import CliRunner\n"
        "from shequ.cli.main import COMMANDS, main\n"
        "for args in [['--help'], *([name, '--help'] for name in sorted(COMMANDS))]:\n"
        "    result = CliRunner().invoke(main, args)\n"
        "    assert result.exit_code == 0 and 'Usage: ' in result.output, (args, result.output)\n"
        "print('help', sorted(m for m in heavy if m in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["import []", "help []"]


def test_command_modules_take_their_choices_from_the_vocabulary():
    from shequ import model, output, vocabulary

    # the old names stay importable, and are the very same tuples the options offer
    assert model.VERDICTS is vocabulary.VERDICTS and model.COMMUNITY_KINDS is vocabulary.COMMUNITY_KINDS
    assert model.STRENGTHS is vocabulary.STRENGTHS and model.TASK_ROLES is vocabulary.TASK_ROLES
    assert output.OUTPUT_FORMATS is vocabulary.OUTPUT_FORMATS
    offered = {
        param.name: param.type.choices for param in main.all_commands()["evaluate"].params if param.name == "verdicts"
    }
    assert tuple(offered["verdicts"]) == vocabulary.VERDICTS


def test_commands_are_grouped_by_subject():
    from shequ.cli import authoring, data, levels, report, standards, views

    modules = (standards, data, views, levels, authoring, report)
    names = [command.name for module in modules for command in module.COMMANDS]
    assert sorted(names) == sorted(main.all_commands())  # each command registered once, from its subject's module


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


def test_the_command_table_says_what_the_commands_say():
    """``shequ --help`` lists the commands from a table, importing none: the table must match them."""
    from shequ.cli.main import COMMANDS, first_paragraph

    commands = main.all_commands()
    assert sorted(commands) == sorted(COMMANDS)
    for name, command in commands.items():
        module, text = COMMANDS[name]
        assert command.callback is not None and command.callback.__module__ == f"shequ.cli.{module}", name
        assert text == first_paragraph(command), name


def test_help_imports_no_command_module_and_lists_every_command():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from shequ.cli.main import main\n"
        "listing = CliRunner().invoke(main, ['--help']).output\n"
        "print(sorted(m for m in sys.modules if m.startswith('shequ.cli.') and m not in ('shequ.cli.main',)))\n"
        "main.all_commands()\n"
        "print(listing == CliRunner().invoke(main, ['--help']).output)\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.splitlines() == ["[]", "True"]  # the same listing as with every command imported
