"""The CLI benchmark runs end to end on a tiny input and prints its whole table (a smoke test, not a measurement)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

BENCH_CLI = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_cli.py"
TINY = ["-n", "200", "--evaluate-rows", "50", "--repeats", "1", "--help-runs", "1", "--skip-wide"]


@pytest.fixture
def bench_cli(monkeypatch):
    """The benchmark script, imported as a module."""
    monkeypatch.syspath_prepend(str(BENCH_CLI.parent))  # bench_cli imports its neighbour _data
    spec = importlib.util.spec_from_file_location("bench_cli", BENCH_CLI)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_cli", module)  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_bench_cli_prints_every_row_of_its_table(bench_cli):
    every_case_but_wide = [label for label in bench_cli.LABELS if label != "compare wide CSV"]
    completed = subprocess.run(
        [sys.executable, str(BENCH_CLI), *TINY],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("N = 200;")
    assert any(line.startswith("- cores (nproc): ") for line in lines)
    speed = r"- machine speed .*: \d+\.\d\d s at the start, \d+\.\d\d s at the end$"
    assert any(re.match(speed, line) for line in lines)
    table = [line for line in lines if line.startswith("| ") and not line.startswith("| case ")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in table] == every_case_but_wide
    for row in table:
        cells = row.strip("| ").split(" | ")
        assert len(cells) == 11, row
        assert re.fullmatch(r"\d+\.\d\d s", cells[3]), row  # every command was timed
        assert re.fullmatch(r"[\d,]+ MiB", cells[4]), row  # and its child's memory measured
        assert re.fullmatch(r"\d+\.\d\d s", cells[10]), row  # and its CPU seconds
    for row in table[:-1]:  # each data file beside its Polars baseline, with both ratios
        cells = row.strip("| ").split(" | ")
        assert cells[1].startswith("200 × ") or cells[1].startswith("50 × "), row
        assert cells[5].startswith("`polars.read_"), row
        assert re.fullmatch(r"\d+\.\d×", cells[8]) and re.fullmatch(r"\d+\.\d×", cells[9]), row


def test_only_measures_the_cases_named_and_refuses_a_name_that_matches_none():
    only = [*TINY, "--only", "shequ --help", "--only", "Parquet --output .parquet --compact"]
    completed = subprocess.run([sys.executable, str(BENCH_CLI), *only], capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    table = [line for line in completed.stdout.splitlines() if line.startswith("| ") and not line.startswith("| case ")]
    assert [row.split(" | ")[0].removeprefix("| ") for row in table] == [
        "evaluate Parquet --output .parquet --compact",
        "shequ --help",
    ]
    missing = subprocess.run(
        [sys.executable, str(BENCH_CLI), *TINY, "--only", "no such case"], capture_output=True, text=True, timeout=120
    )
    assert missing.returncode != 0
    assert "no case's label contains 'no such case'" in missing.stderr


def test_peak_memory_is_the_commands_own_not_the_benchmarks(bench_cli):
    # Linux charges an exec'd child with its forking parent's peak RSS; the launcher keeps that out of the figures.
    ballast = pl.int_range(40_000_000, eager=True)  # this process: over 300 MiB
    bare = bench_cli.run_child([sys.executable, "-c", "pass"])
    holding = bench_cli.run_child([sys.executable, "-c", "ballast = bytearray(200 * 2**20)"])
    assert ballast.len() and bare.peak_mib < 100 and 190 < holding.peak_mib < 300, (bare, holding)
