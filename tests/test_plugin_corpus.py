"""The plugin, overlay and option cases of the bad-input corpus (issue 11), run through the CLI.

``tests/data/bad/manifest/plugins.toml`` lists each case (shared format: ``name``, ``args``,
``input``, ``exit``, ``message``, optional ``communities``); its inputs are written by
``tests/data/bad/plugins/generate.py``, which must be up to date.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli.main import main

BAD = Path(__file__).parent / "data" / "bad"
MANIFEST = BAD / "manifest" / "plugins.toml"
CASES = tomllib.loads(MANIFEST.read_text(encoding="utf-8"))["case"]


def test_the_manifest_is_well_formed():
    assert len(CASES) >= 20
    names = [case["name"] for case in CASES]
    assert len(set(names)) == len(names), "case names are unique"
    for case in CASES:
        assert set(case) <= {"name", "args", "input", "exit", "message", "communities"}, case["name"]
        assert (BAD / case["input"]).exists(), case["name"]
        assert case["exit"] in (0, 1, 2) and case["message"], case["name"]


def test_the_generated_inputs_are_up_to_date():
    script = BAD / "plugins" / "generate.py"
    result = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case):
    file = str(BAD / case["input"])
    args = [arg.replace("{file}", file).replace("{dir}", f"{BAD}/") for arg in case["args"]]
    result = CliRunner().invoke(main, args)
    output = result.stdout + result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit), output
    assert "Traceback" not in output
    assert result.exit_code == case["exit"], output
    assert case["message"] in " ".join(output.split()), output  # tables wrap long lines
    for community in case.get("communities", []):
        assert community in result.stdout, community
