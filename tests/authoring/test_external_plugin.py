"""Proof from outside: a jurisdiction in its own distribution works in every command, with no change to core.

``examples/external-plugin`` (``shequ-demo``, a fictional jurisdiction) is built and installed with
pip into a temporary folder, which is put on ``sys.path`` for these tests only:
shequ then discovers it through its ``shequ`` entry point, like any package a
user installs. The environment running the tests is not changed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import offline_build_options

from shequ.cli import main
from shequ.registry import _cached_registry

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "external-plugin"
DATA = REPO / "examples" / "communities.csv"
JURISDICTION = "demo"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """(the installed package's folder, a copy of the example's source) — built from a copy, so no
    build/ or .egg-info is left in the repository."""
    root = tmp_path_factory.mktemp("external")
    source = root / "source"
    shutil.copytree(EXAMPLE, source, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build"))
    target = root / "site"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--no-deps",
            *offline_build_options(),
            "--disable-pip-version-check",
            "--quiet",
            "--target",
            str(target),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return target, source


@pytest.fixture
def installed(built, monkeypatch):
    """The example on sys.path and the plugin registry reloaded; both undone afterwards."""
    target, _ = built
    monkeypatch.syspath_prepend(str(target))
    monkeypatch.delenv("SHEQU_PLUGINS", raising=False)
    _cached_registry.cache_clear()
    yield target
    _cached_registry.cache_clear()
    for name in [name for name in sys.modules if name == "shequ_demo" or name.startswith("shequ_demo.")]:
        del sys.modules[name]


def invoke(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, f"shequ {' '.join(args)}\n{result.output}"
    return result


def test_validate_prints_valid_without_installing():
    result = invoke("validate", str(EXAMPLE), "--format", "json")
    assert json.loads(result.stdout)["rows"] == [{"path": str(EXAMPLE), "valid": True}]


def test_plugins_lists_it_with_its_own_distribution(installed):
    rows = {row["id"]: row for row in json.loads(invoke("plugins", "--format", "json").stdout)["rows"]}
    assert {"changchun", "donghai", "longgang", "panzhihua", "xiamen", JURISDICTION} <= set(rows)
    row = rows[JURISDICTION]
    assert row["package"] == "shequ-demo 0.1.0"
    assert row["plugin"] == JURISDICTION
    assert row["location"].startswith(str(installed))
    assert row["documents"] == ["示范县城市社区居民委员会建设办法(虚构示例)", "示范县村民委员会建设办法(虚构示例)"]


def test_it_is_usable_in_every_command(installed):
    rules = json.loads(invoke("rules", "-j", JURISDICTION, "--format", "json").stdout)["rows"]
    forms = {rule["rule"]: rule["requirement"] for rule in rules}
    assert forms["residents_committee_size"] == "5–9 人"
    assert len(rules) >= 3

    shown = json.loads(invoke("show", JURISDICTION, "--format", "json").stdout)
    assert shown["jurisdiction"]["id"] == JURISDICTION
    assert {metric["id"] for metric in shown["catalog"]["metrics"]} >= {"village_assembly_members"}

    evaluated = json.loads(invoke("evaluate", str(DATA), "-j", JURISDICTION, "--format", "json").stdout)
    verdicts = {row["verdict"] for row in evaluated["results"]}
    assert {row["jurisdiction"] for row in evaluated["results"]} == {JURISDICTION}
    assert {"pass", "fail"} <= verdicts

    community = evaluated["results"][0]["id"]
    explained = json.loads(invoke("explain", str(DATA), community, "-j", JURISDICTION, "--format", "json").stdout)
    assert explained["results"] and all(row["quote"] for row in explained["results"])

    compared = json.loads(invoke("compare", str(DATA), "--format", "json").stdout)
    assert JURISDICTION in {row["jurisdiction"] for row in compared["summary"]}

    # the comparison views, where this version of shequ has them
    views = {
        "standards": ["standards", "--metric", "committee_members", "--format", "json"],
        "diff": ["diff", JURISDICTION, "donghai", "--format", "json"],
        "responsibilities": ["responsibilities", "--format", "json"],
        "timeline": ["timeline", "-j", JURISDICTION, "--format", "json"],
        "cost": ["cost", str(DATA), "-j", JURISDICTION, "--format", "json"],
    }
    for name, args in views.items():
        if name in main.all_commands():
            assert JURISDICTION in invoke(*args).stdout, f"shequ {name} does not show {JURISDICTION}"


def test_its_own_tests_pass_with_the_conformance_kit(built):
    """The example's tests (assert_conforms, a snapshot, verdicts) run as its own CI would run them."""
    target, source = built
    env = {key: value for key, value in os.environ.items() if key != "SHEQU_PLUGINS" and not key.startswith("PYTEST_")}
    env["PYTHONPATH"] = os.pathsep.join([str(target), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    # run from the installed copy's source folder: its tests, its snapshot, its pyproject's pytest settings
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q"],
        cwd=source,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 passed" in done.stdout


def test_core_never_names_it():
    for path in (REPO / "core").rglob("*"):
        if path.is_file() and path.suffix in {".py", ".toml", ".tmpl"}:
            text = path.read_text(encoding="utf-8")
            assert "shequ_demo" not in text and "shequ-demo" not in text, path
