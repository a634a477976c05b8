"""Loading alone: `shequ.io.load_communities` on a wide file, a long CSV and Parquet, beside Polars' own reader.

    python benchmarks/bench_load.py                 # wide 10,000 x 50; 200,000 rows x 119, x 61 and Parquet
    python benchmarks/bench_load.py --rows 20000 --repeats 1

The long CSV is written twice: with every column the built-in rules read
(119) and with the 61 columns of ``examples/communities.csv``, in its order;
the Parquet file holds the 119 typed (flags and designations as lists), beside
``polars.read_parquet`` (the CSV files beside ``polars.read_csv``).
Each file is written by a child process and each case measured in its own
subprocess (so the peak resident memory is that case's), which prints wall
and CPU seconds (the median of ``--repeats``, Polars and shequ taking turns),
the median of the runs' ratios and the peak RSS. CPU seconds (every thread
of the process) say more than wall time on a busy machine.
The CLI end to end is ``bench_cli.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _data import as_flat_text, example_layout, synthetic, widen

_MEASURE = """
import json, resource, statistics, sys, time
import polars as pl
from shequ.io import load_communities
from shequ.io.load import default_catalog

path, repeats = sys.argv[1], int(sys.argv[2])
catalog = default_catalog()

def timed(run):
    start, start_cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - start_cpu

read = pl.read_parquet if path.endswith(".parquet") else pl.read_csv
load = lambda: load_communities(path, catalog=catalog)
load()  # (imports and the catalog's first use are not what is measured)
# Polars and shequ take turns, so that a slow moment of a shared machine falls on both alike
polars, shequ = [], []
for _ in range(repeats):
    polars.append(timed(lambda: read(path)))
    shequ.append(timed(load))
median = lambda runs, i: statistics.median(run[i] for run in runs)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
figures = {
    "load": [median(shequ, 0), median(shequ, 1)],
    "polars": [median(polars, 0), median(polars, 1)],
    "ratio": statistics.median(s[0] / p[0] for s, p in zip(shequ, polars)),
    "rss": rss,
}
print(json.dumps(figures))
"""


def write_case(kind: str, path: Path, args: argparse.Namespace) -> None:
    """Write one case's CSV (in a child process: see :func:`main`)."""
    if kind == "wide":
        frame = widen(as_flat_text(synthetic(args.wide_rows)), args.wide_columns)
    elif kind == "layout":
        frame = example_layout(as_flat_text(synthetic(args.rows)))
    elif kind == "parquet":
        frame = synthetic(args.rows)  # typed columns, flags and designations as lists
        frame.write_parquet(path)
        return
    else:
        frame = as_flat_text(synthetic(args.rows))
    frame.write_csv(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the long CSV")
    parser.add_argument("--wide-columns", type=int, default=10_000, help="columns of the wide CSV")
    parser.add_argument("--wide-rows", type=int, default=50, help="rows of the wide CSV")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--write", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)  # (child)
    args = parser.parse_args()
    if args.write:
        write_case(args.write[0], Path(args.write[1]), args)
        return
    sizes = ["--rows", str(args.rows), "--wide-columns", str(args.wide_columns), "--wide-rows", str(args.wide_rows)]
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            f"wide CSV {args.wide_rows} x {args.wide_columns:,}": "wide",
            f"long CSV {args.rows:,} x 119": "long",
            f"long CSV {args.rows:,} x 61, the sample's columns (issue 12's case)": "layout",
            f"Parquet {args.rows:,} x 119 (baseline: polars.read_parquet)": "parquet",
        }
        print("| case | size | load wall | load CPU | Polars wall | CPU | wall ratio | peak RSS |")
        print("|---|---|---|---|---|---|---|---|")
        for name, kind in cases.items():
            path = Path(folder) / ("data.parquet" if kind == "parquet" else "data.csv")
            # The file is written by a child process: this one stays small, so that the measuring
            # process, which Linux charges with the peak memory of the process it was forked from,
            # reports its own peak.
            subprocess.run([sys.executable, __file__, *sizes, "--write", kind, str(path)], check=True)
            size = path.stat().st_size / 2**20
            out = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(path), str(args.repeats)],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            figures = json.loads(out.strip().splitlines()[-1])
            (lw, lc), (pw, pc) = figures["load"], figures["polars"]
            print(
                f"| {name} | {size:.1f} MiB | {lw:.2f} s | {lc:.2f} s | {pw:.2f} s | {pc:.2f} s | "
                f"{figures['ratio']:.2f}x | {figures['rss']:.0f} MiB |"
            )


if __name__ == "__main__":
    main()
