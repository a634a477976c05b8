"""Fixtures of the report tests: one report with data and one without, built once per session (the chart
libraries' bundle takes seconds to build)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from shequ.cli import main

ROOT = Path(__file__).parents[2]
SAMPLE_CSV = ROOT / "examples" / "communities.csv"
AS_OF = "2026-12-01"


def _write(directory: Path, name: str, *args: str) -> Path:
    out = directory / name
    result = CliRunner().invoke(main, ["report", *args, "-o", str(out), "--as-of", AS_OF])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def report_zh(tmp_path_factory) -> Path:
    """``shequ report examples/communities.csv -o report.html`` (Chinese labels, the default)."""
    return _write(tmp_path_factory.mktemp("report"), "report.html", str(SAMPLE_CSV))


#: A what-if sweep frame built by hand (the columns of ``shequ whatif --sweep``), not computed.
SWEEP_CSV = (
    "value,communities_failing,share_failing,cost_yearly_yuan,cost_one_off_yuan\n"
    "300,2,0.0667,1000,0\n450,7,0.2333,,0\n600,13,0.4333,3000,0\n"
)
SWEEP_LABEL = "test frame (built by hand, not computed)"


@pytest.fixture(scope="session")
def report_en_standards(tmp_path_factory) -> Path:
    """``shequ report -o standards.html --lang en --sweep-frame SWEEP.csv``: the standards-only report with a
    hand-built sweep, English labels."""
    directory = tmp_path_factory.mktemp("report")
    sweep = directory / "sweep.csv"
    sweep.write_text(SWEEP_CSV, encoding="utf-8")
    args = ["--lang", "en", "--sweep-frame", str(sweep), "--sweep-label", SWEEP_LABEL]
    return _write(directory, "standards.html", *args)
