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


@pytest.fixture(scope="session")
def report_en_standards(tmp_path_factory) -> Path:
    """``shequ report -o standards.html --lang en``: the standards-only report, English labels."""
    return _write(tmp_path_factory.mktemp("report"), "standards.html", "--lang", "en")
