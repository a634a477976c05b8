"""Benchmark: the CLI as users run it, end to end, beside Polars reading the same file.

Usage::

    python benchmarks/bench_cli.py                  # 1,000,000 communities
    python benchmarks/bench_cli.py -n 200000        # fewer
    python benchmarks/bench_cli.py -n 200 --repeats 1 --skip-wide   # a smoke run

Writes synthetic communities (:func:`_data.synthetic`, every column the built-in
rules read) to a CSV of N rows, a Parquet file of N rows, an XLSX file of
``--xlsx-rows`` rows (default 100,000) and, for ``evaluate``, a CSV of
``--evaluate-rows`` rows (default 5,000: ``evaluate --format csv`` prints one
row per community × rule, about 140 rows per community). ``evaluate --output
verdicts.parquet`` (with and without ``--compact``) runs on the N-row Parquet
file: every verdict row, written in batches. The wide case is a
CSV of ``--wide-columns`` columns × ``--wide-rows`` rows (default 10,000 × 50),
the canonical columns padded with ``indicators.*`` ones.

Each command runs as a subprocess with its output sent to ``/dev/null``; the
benchmark measures its wall time and the peak resident memory of that child
(``os.wait4``'s ``ru_maxrss``, taken by a small launcher process: see
``LAUNCHER``). Beside each, the baseline: a subprocess that imports Polars and
reads the same file (``read_csv``, ``read_parquet`` or ``read_excel``), measured
the same way, in the same run. The ratios are command ÷ baseline. Every
measurement is repeated (``--repeats``, default 3) and the median reported;
``shequ --help`` is timed ``--help-runs`` times (default 10). Beside the wall
time, the child's CPU seconds (user + system, all threads): about twice the wall
time when a command keeps both cores busy (they rise too when the host is slow,
so they are read beside the machine's speed). ``--only TEXT``
measures only the cases whose label contains TEXT (e.g. ``--only 'evaluate
Parquet' --repeats 7``).
The result is a Markdown table on stdout, preceded by the machine it ran on and
how fast it was at the start and at the end (a fixed Python loop, see
``PROBE``); progress goes to stderr.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from _data import as_flat_text, example_layout, synthetic, widen

AS_OF = "2021-01-01"

#: Every case's label, in table order (``--only`` is checked against them before any input is written).
LABELS = (
    "compare CSV",
    "compare CSV, sample layout",
    "compare CSV, sample layout, --format json",
    "compare XLSX",
    "compare Parquet",
    "evaluate Parquet --output .parquet",
    "evaluate Parquet --output .parquet --compact",
    "evaluate CSV",
    "compare wide CSV",
    "shequ --help",
)

#: How the baseline subprocess reads each format: plain Polars, as a user would.
BASELINE_READERS = {".csv": "read_csv", ".parquet": "read_parquet", ".xlsx": "read_excel"}


@dataclass(frozen=True)
class Measurement:
    """The median of repeated runs of one command: wall seconds and the child's peak resident memory."""

    seconds: float
    peak_mib: float
    cpu_seconds: float  # user + system, every thread of the child


@dataclass(frozen=True)
class Case:
    """One row of the table: a shequ command on a file, and what it is compared with."""

    label: str
    path: Path | None
    shape: tuple[int, int] | None
    arguments: tuple[str, ...]  # after ``shequ``


#: Runs the measured command and prints its wall seconds, peak RSS (KiB) and exit code. Linux charges a child, at
#: exec, with the peak RSS of the process it was forked from: measured straight from this process, every command
#: would show at least this process's own peak (gigabytes, after generating the inputs). This small launcher
#: (a bare Python, about 10 MiB) is the parent that forks the command instead.
LAUNCHER = """
import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
cpu = usage.ru_utime + usage.ru_stime
print(time.perf_counter() - started, usage.ru_maxrss, os.waitstatus_to_exitcode(status), cpu)
"""


#: The environment of every measured command (see :func:`child_environment`).
CHILD_ENV: dict[str, str] | None = None


def child_environment(bytecode: str) -> dict[str, str] | None:
    """The measured commands' environment: with ``cached``, Python reads (and writes) compiled bytecode.

    An installed package comes with its modules compiled (pip compiles them), and an editable
    one compiles them once, on first import, unless ``PYTHONDONTWRITEBYTECODE`` is set, as it is
    in some sandboxes: then every run compiles shequ's ~100 modules again (about 0.2 s). With
    ``cached`` the variable is removed and the package compiled before the first run, as a
    user's install has it; ``inherit`` keeps this process's environment.
    """
    if bytecode == "inherit":
        return None
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    import compileall
    import importlib.util

    spec = importlib.util.find_spec("shequ")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        compileall.compile_dir(folder, quiet=1)
    return env


def run_child(command: Sequence[str]) -> Measurement:
    """Run a command once with stdout discarded; fail with its stderr if it does not exit 0."""
    launched = subprocess.run([sys.executable, "-c", LAUNCHER, *command], capture_output=True, text=True, env=CHILD_ENV)
    if launched.returncode != 0:
        raise SystemExit(f"the launcher of {' '.join(command)} failed:\n{launched.stderr[-2000:]}")
    seconds, peak_kib, exit_code, cpu_seconds = launched.stdout.split()
    if int(exit_code) != 0:
        raise SystemExit(f"{' '.join(command)} exited {exit_code}:\n{launched.stderr[-2000:]}")
    # Linux reports KiB
    return Measurement(seconds=float(seconds), peak_mib=int(peak_kib) / 1024, cpu_seconds=float(cpu_seconds))


def measure(command: Sequence[str], repeats: int) -> Measurement:
    """The median wall time, peak memory and CPU seconds of ``repeats`` runs."""
    runs = [run_child(command) for _ in range(repeats)]
    return Measurement(
        seconds=statistics.median(run.seconds for run in runs),
        peak_mib=statistics.median(run.peak_mib for run in runs),
        cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
    )


#: A fixed piece of pure-Python work, timed at the start and at the end of a run. On a shared virtual
#: machine the same work has taken from 0.65 s to 1.5 s within a day (and every command slowed with it),
#: so the figures are read beside how fast the machine was while they were taken.
PROBE = """
import time
started = time.perf_counter()
total = 0
for i in range(10_000_000):
    total += i
print(time.perf_counter() - started)
"""


def machine_speed() -> float:
    """Seconds this machine takes, now, to add up 10,000,000 integers in a Python loop (the best of three)."""
    return min(
        float(subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True).stdout)
        for _ in range(3)
    )


def shequ_command() -> list[str]:
    """The installed ``shequ`` script beside this interpreter, as a user runs it."""
    script = Path(sys.executable).with_name("shequ")
    found = str(script) if script.exists() else shutil.which("shequ")
    if found is None:
        raise SystemExit("the shequ command is not installed (pip install -e .)")
    return [found]


def baseline_command(path: Path) -> list[str]:
    reader = BASELINE_READERS[path.suffix]
    code = f"import sys, polars; polars.{reader}(sys.argv[1])"
    return [sys.executable, "-c", code, str(path)]


def machine() -> list[str]:
    """What the figures depend on: cores, CPU, versions and how busy the machine was at the start."""
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return [
        f"- cores (nproc): {os.cpu_count()}; CPU: {cpu}",
        f"- Python {platform.python_version()}; Polars {pl.__version__}",
        f"- load average at start (1, 5, 15 min): {load}",
    ]


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def wanted(label: str, args: argparse.Namespace) -> bool:
    """Whether a case is measured in this run (``--only``)."""
    return not args.only or any(text in label for text in args.only)


def write_files(folder: Path, args: argparse.Namespace) -> list[Case]:
    """Generate the inputs and return the cases to measure (``--only``), in table order.

    The two slow inputs (the XLSX and the wide file) are written only for a case that reads them.
    """
    started = time.perf_counter()
    frame = synthetic(args.n)
    text = as_flat_text(frame)
    cases: list[Case] = []
    options = ("--as-of", AS_OF, "--format", "csv")

    csv_path = folder / "communities.csv"
    text.write_csv(csv_path)
    cases.append(Case("compare CSV", csv_path, text.shape, ("compare", str(csv_path), *options)))
    # the case: the 61 columns of examples/communities.csv
    layout = example_layout(text)
    layout_path = folder / "communities_61.csv"
    layout.write_csv(layout_path)
    cases.append(Case("compare CSV, sample layout", layout_path, layout.shape, ("compare", str(layout_path), *options)))
    # the same as JSON, the scriptable interface: the document is written a batch of rows at a time
    as_json = ("compare", str(layout_path), "--as-of", AS_OF, "--format", "json")
    cases.append(Case("compare CSV, sample layout, --format json", layout_path, layout.shape, as_json))
    del layout

    if not args.skip_xlsx and wanted("compare XLSX", args):
        xlsx_rows = min(args.n, args.xlsx_rows)
        xlsx_path = folder / "communities.xlsx"
        text.head(xlsx_rows).write_excel(xlsx_path, autofit=False)
        cases.append(Case("compare XLSX", xlsx_path, (xlsx_rows, text.width), ("compare", str(xlsx_path), *options)))

    parquet_path = folder / "communities.parquet"
    frame.write_parquet(parquet_path)
    cases.append(Case("compare Parquet", parquet_path, frame.shape, ("compare", str(parquet_path), *options)))
    # every verdict row (communities × rules) to a file, in batches; the file is overwritten by each run
    output = ("evaluate", str(parquet_path), "--as-of", AS_OF, "--output", str(folder / "verdicts.parquet"))
    cases.append(Case("evaluate Parquet --output .parquet", parquet_path, frame.shape, output))
    cases.append(
        Case("evaluate Parquet --output .parquet --compact", parquet_path, frame.shape, (*output, "--compact"))
    )

    evaluate_rows = min(args.n, args.evaluate_rows)
    evaluate_path = folder / "evaluate.csv"
    text.head(evaluate_rows).write_csv(evaluate_path)
    cases.append(
        Case("evaluate CSV", evaluate_path, (evaluate_rows, text.width), ("evaluate", str(evaluate_path), *options))
    )

    if not args.skip_wide and wanted("compare wide CSV", args):
        wide = widen(as_flat_text(synthetic(args.wide_rows)), args.wide_columns)
        wide_path = folder / "wide.csv"
        wide.write_csv(wide_path)
        cases.append(Case("compare wide CSV", wide_path, wide.shape, ("compare", str(wide_path), *options)))

    cases.append(Case("shequ --help", None, None, ("--help",)))
    progress(f"inputs written in {time.perf_counter() - started:.1f} s")
    assert all(case.label in LABELS for case in cases), [case.label for case in cases]
    return [case for case in cases if wanted(case.label, args)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1_000_000, help="communities in the CSV and Parquet files")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="communities in the XLSX file (at most N)")
    parser.add_argument(
        "--evaluate-rows", type=int, default=5_000, help="communities in the file `evaluate` reads (at most N)"
    )
    parser.add_argument("--wide-columns", type=int, default=10_000, help="columns of the wide file")
    parser.add_argument("--wide-rows", type=int, default=50, help="rows of the wide file")
    parser.add_argument("--skip-wide", action="store_true", help="leave out the wide-file case")
    parser.add_argument(
        "--skip-xlsx", action="store_true", help="leave out the XLSX case (writing the file takes minutes)"
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs of each measurement; the median is reported")
    parser.add_argument(
        "--only",
        metavar="TEXT",
        action="append",
        default=[],
        help="run only the cases whose label contains TEXT (repeatable), e.g. --only 'evaluate Parquet'",
    )
    parser.add_argument("--help-runs", type=int, default=10, help="runs of `shequ --help`; the median is reported")
    parser.add_argument(
        "--bytecode",
        choices=("cached", "inherit"),
        default="cached",
        help="cached (default): the commands run with compiled bytecode, as an installed package does; "
        "inherit: with this environment (PYTHONDONTWRITEBYTECODE=1 makes every run compile shequ again)",
    )
    args = parser.parse_args()
    if not any(wanted(label, args) for label in LABELS):
        parser.error(f"no case's label contains {' or '.join(map(repr, args.only))}")
    global CHILD_ENV
    CHILD_ENV = child_environment(args.bytecode)

    header = machine()
    shequ = shequ_command()
    rows = []
    speed_before = machine_speed()
    with tempfile.TemporaryDirectory(prefix="shequ-bench-") as tmp:
        for case in write_files(Path(tmp), args):
            repeats = args.help_runs if case.path is None else args.repeats
            progress(f"{case.label}: {repeats} run(s)")
            command = measure(shequ + list(case.arguments), repeats)
            baseline = None if case.path is None else measure(baseline_command(case.path), args.repeats)
            rows.append(table_row(case, command, baseline))

    print(
        f"N = {args.n:,}; each figure the median of {args.repeats} runs (`shequ --help`: {args.help_runs}); "
        f"bytecode: {args.bytecode}."
    )
    print("\n".join(header))
    print(
        f"- machine speed (a Python loop of 10,000,000 additions, best of 3): "
        f"{speed_before:.2f} s at the start, {machine_speed():.2f} s at the end"
    )
    print()
    print(
        "| case | rows × columns | size | shequ | peak RSS | baseline | baseline time | baseline RSS | "
        "time ratio | RSS ratio | shequ CPU |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


def table_row(case: Case, command: Measurement, baseline: Measurement | None) -> list[str]:
    shape = "—" if case.shape is None else f"{case.shape[0]:,} × {case.shape[1]:,}"
    size = "—" if case.path is None else f"{case.path.stat().st_size / 2**20:,.1f} MiB"
    cells = [case.label, shape, size, f"{command.seconds:.2f} s", f"{command.peak_mib:,.0f} MiB"]
    cpu = f"{command.cpu_seconds:.2f} s"
    if baseline is None or case.path is None:
        return [*cells, "—", "—", "—", "—", "—", cpu]
    reader = f"`polars.{BASELINE_READERS[case.path.suffix]}`"
    return [
        *cells,
        reader,
        f"{baseline.seconds:.2f} s",
        f"{baseline.peak_mib:,.0f} MiB",
        f"{command.seconds / baseline.seconds:.1f}×",
        f"{command.peak_mib / baseline.peak_mib:.1f}×",
        cpu,
    ]


if __name__ == "__main__":
    sys.exit(main())
