"""What the data commands do for large results: --output FILE, cut tables, --quiet, and CSV straight from Polars."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from click.testing import CliRunner, Result

from shequ.cli import data as data_commands
from shequ.cli import main
from shequ.output import render_csv

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "examples" / "communities.csv"
AS_OF = "2021-01-01"


def run(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def test_evaluate_output_parquet_writes_every_verdict(tmp_path):
    path = tmp_path / "r.parquet"
    result = run("evaluate", SAMPLE, "--as-of", AS_OF, "-j", "donghai", "--output", path)
    assert result.exit_code == 0, result.output
    rows = pl.read_parquet(path)
    listed = run("evaluate", SAMPLE, "--as-of", AS_OF, "-j", "donghai", "--format", "csv").stdout
    assert rows.height == len(listed.splitlines()) - 1  # the same rows as --format csv prints
    assert result.stdout.startswith(f"wrote the verdicts of 30 communities × {rows.height // 30} rules to {path}")
    assert f"{tmp_path / 'r.aggregates.parquet'}" in result.stdout


def test_evaluate_output_csv_with_verdict_filter_and_compact(tmp_path):
    path = tmp_path / "fails.csv"
    result = run("evaluate", SAMPLE, "--as-of", AS_OF, "--verdict", "fail", "-o", path, "--compact")
    assert result.exit_code == 0, result.output
    rows = pl.read_csv(path)
    assert set(rows.get_column("verdict")) == {"fail"}
    assert "quote" not in rows.columns
    rules = pl.read_csv(tmp_path / "fails.rules.csv")
    assert {"jurisdiction", "rule", "title", "clause", "quote", "unit"} <= set(rules.columns)


def test_output_format_must_come_from_a_known_extension(tmp_path):
    result = run("evaluate", SAMPLE, "--as-of", AS_OF, "--output", tmp_path / "r.pdf")
    assert result.exit_code == 2
    # the suffixes written in batches, then those of every listing command's -o
    assert "cannot tell the output format from '.pdf'; use one of .parquet, .csv, .jsonl, .ndjson, .json" in (
        result.stderr
    )
    assert list(tmp_path.iterdir()) == []


def test_output_of_a_listing_suffix_holds_what_the_format_prints(tmp_path):
    # .md, .xlsx, .tex, .json, .txt: collected as for every listing command, not streamed
    result = run("compare", SAMPLE, "--as-of", AS_OF, "-o", tmp_path / "c.md")
    assert result.exit_code == 0, result.output
    printed = run("compare", SAMPLE, "--as-of", AS_OF, "--format", "markdown").stdout
    assert (tmp_path / "c.md").read_text(encoding="utf-8") == printed
    # --format csv into a .txt: the CSV goes into the file, none of it to stdout
    result = run("compare", SAMPLE, "--as-of", AS_OF, "--format", "csv", "-o", tmp_path / "c.txt")
    assert result.exit_code == 0 and result.stdout == ""
    assert (tmp_path / "c.txt").read_text(encoding="utf-8") == run(
        "compare", SAMPLE, "--as-of", AS_OF, "--format", "csv"
    ).stdout


def test_compact_needs_output():
    result = run("evaluate", SAMPLE, "--compact")
    assert result.exit_code == 2
    assert "--compact applies to --output FILE" in result.stderr


def test_compare_output_csv_is_what_format_csv_prints(tmp_path):
    path = tmp_path / "summary.csv"
    result = run("compare", SAMPLE, "--as-of", AS_OF, "-o", path)
    assert result.exit_code == 0, result.output
    printed = run("compare", SAMPLE, "--as-of", AS_OF, "--format", "csv").stdout
    assert path.read_text(encoding="utf-8") == printed
    assert result.stdout == f"wrote {len(printed.splitlines()) - 1:,} rows (communities × jurisdictions) to {path}\n"


def test_compare_csv_matches_the_row_writer():
    """CSV now comes straight from Polars: the same text the per-row writer gives for the summary's rows."""
    from shequ.engine import evaluate

    summary = evaluate(SAMPLE, as_of=__import__("datetime").date(2021, 1, 1)).summary()
    printed = run("compare", SAMPLE, "--as-of", AS_OF, "--format", "csv").stdout
    assert printed == render_csv(summary.to_dicts())
    assert ",True," in printed  # covered as Python writes booleans


def test_a_long_table_says_what_it_left_out(monkeypatch):
    monkeypatch.setattr(data_commands, "TABLE_ROWS", 5)
    result = run("evaluate", SAMPLE, "--as-of", AS_OF, "-j", "donghai")
    assert result.exit_code == 0
    total = len(run("evaluate", SAMPLE, "--as-of", AS_OF, "-j", "donghai", "--format", "csv").stdout.splitlines()) - 1
    assert f"… {total - 5:,} more rows; use --format csv or --output FILE" in result.stdout
    # markdown (for documents) and CSV are never cut
    assert "more rows" not in run("evaluate", SAMPLE, "--as-of", AS_OF, "-j", "donghai", "--format", "markdown").stdout


def test_quiet_and_no_terminal_show_no_progress():
    result = run("--quiet", "compare", SAMPLE, "--as-of", AS_OF, "--format", "csv")
    assert result.exit_code == 0
    assert result.stderr == ""
    assert run("compare", SAMPLE, "--as-of", AS_OF).stderr == ""  # stderr is not a terminal here


def test_progress_shows_on_a_terminal_after_the_delay(monkeypatch, capsys):
    import io
    import time

    from shequ.cli import progress

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    monkeypatch.setattr(progress, "DELAY", 0.05)
    with progress.stage("Working", total=3) as advance:
        time.sleep(0.3)
        advance(2)
    assert "Working" in terminal.getvalue()
    quick = Terminal()
    monkeypatch.setattr("sys.stderr", quick)
    monkeypatch.setattr(progress, "DELAY", 5)
    with progress.stage("Quick"):
        pass
    assert quick.getvalue() == ""  # a stage shorter than the delay prints nothing


def test_a_cut_table_expands_only_what_it_shows_and_counts_the_rest(monkeypatch):
    """With --verdict, the count of rows left out is of the matching rows; the rows shown are the first ones."""
    from shequ.engine import evaluate

    results = evaluate(SAMPLE, as_of=__import__("datetime").date(2021, 1, 1))
    details = results.details(verdicts=["fail", "unknown"])
    shown, total = data_commands.first_details(results, ["fail", "unknown"], 40)
    assert total == details.height
    assert shown.equals(details.head(40))
    everything, total_all = data_commands.first_details(results, None, 10**9)
    assert total_all == len(results) * len(results.rules) == everything.height

    monkeypatch.setattr(data_commands, "TABLE_ROWS", 3)
    result = run("evaluate", SAMPLE, "--as-of", AS_OF, "--verdict", "fail", "--verdict", "unknown")
    fails = results.details(verdicts=["fail", "unknown"]).height
    assert f"… {fails - 3:,} more rows; use --format csv or --output FILE" in result.stdout


def test_a_reader_that_stops_early_gets_no_traceback():
    """``shequ evaluate … | head``: the pipe closes under the writer; the command stops quietly with 141."""
    import subprocess
    import sys

    command = [sys.executable, "-m", "shequ", "-q", "evaluate", str(SAMPLE), "--as-of", AS_OF, "--format", "csv"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        header = process.stdout.readline()
        process.stdout.close()  # about 1 MB of rows are still to come: far more than a pipe holds
        stderr = process.stderr.read().decode("utf-8")
        code = process.wait(timeout=120)
    assert header.startswith(b"id,")
    assert code == 141
    assert "Traceback" not in stderr and "Broken pipe" not in stderr, stderr
