"""The plugin, overlay and option cases of the bad-input corpus (issue 11): well formed, inputs up to date.

``tests/data/bad/manifest/plugins.toml`` lists each case (shared format: ``name``, ``args``,
``input``, ``exit``, ``message``, optional ``communities``); its inputs are written by
``tests/data/bad/plugins/generate.py``, which must be up to date. The cases themselves run
with every other manifest's in tests/io/test_bad_corpus.py.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

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
