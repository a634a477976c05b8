"""Every bad or awkward input of the corpus (tests/data/bad) through the CLI: a clear error or a correct read.

Each ``tests/data/bad/manifest/*.toml`` holds ``[[case]]`` tables (the format
is in tests/data/bad/README.md). A case runs ``shequ <args>`` in-process and
passes when: no exception escaped (never a traceback), the exit code is the
one expected, the message fragment is in the output, and every community the
input holds (``communities``) appears in the output, so a good file never
loses a row silently.
"""

from __future__ import annotations

import importlib.util
import sys
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from click.testing import CliRunner

from shequ.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "data" / "bad"
MANIFESTS = sorted((CORPUS / "manifest").glob("*.toml"))


def _make_corpus() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_corpus", module)
    spec.loader.exec_module(module)
    return module


MAKE = _make_corpus()


def _cases() -> list[Any]:
    params = []
    for manifest in MANIFESTS:
        with manifest.open("rb") as handle:
            for case in tomllib.load(handle).get("case", []):
                params.append(pytest.param(case, id=f"{manifest.stem}:{case['name']}"))
    return params


CASES = _cases()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")


def _input(name: str, folder: Path) -> Path:
    """A committed input (a path under the corpus folder) or one written by a generator of make_corpus.py."""
    committed = CORPUS / name
    if committed.is_file():
        return committed
    if name not in MAKE.GENERATORS:
        raise AssertionError(f"input '{name}' is neither a file under {CORPUS} nor a generator of make_corpus.py")
    path = folder / name
    if not path.exists():
        MAKE.write(name, folder)
    return path


@pytest.mark.parametrize("case", CASES)
def test_corpus_case(case: dict[str, Any], generated: Path, tmp_path: Path) -> None:
    file = _input(case["input"], generated) if case.get("input") else None
    values = {"{dir}": str(CORPUS), "{tmp}": str(tmp_path), "{file}": str(file) if file else ""}
    args = []
    for arg in case["args"]:
        for placeholder, value in values.items():
            arg = arg.replace(placeholder, value)
        args.append(arg)
    result = CliRunner().invoke(main, args, env=case.get("env"))
    output = result.output
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"a traceback on user input ({' '.join(args)}): {result.exception!r}\n{output}")
    assert "Traceback" not in output
    assert result.exit_code == case["exit"], f"exit {result.exit_code}, expected {case['exit']}:\n{output}"
    assert case["message"] in output, f"expected {case['message']!r} in:\n{output}"
    missing = [community for community in case.get("communities", []) if community not in output]
    assert not missing, f"communities of the input missing from the output: {missing}\n{output}"


def test_every_good_file_names_its_communities() -> None:
    """A case that reads a file without error lists the file's communities, so none is lost silently."""
    with (CORPUS / "manifest" / "data.toml").open("rb") as handle:
        cases = tomllib.load(handle)["case"]
    good = [case["name"] for case in cases if case["exit"] == 0 and not case.get("communities")]
    assert not good, f"good data cases without their communities: {good}"
    assert len(cases) >= 40
    assert len({case["name"] for case in cases}) == len(cases)
    used = {param.values[0].get("input") for param in CASES}  # of every manifest
    assert not set(MAKE.GENERATORS) - used, "every generated input is used by a case"
