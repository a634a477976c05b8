"""Loading alone: `shequ.io.load_communities` on a wide file and a long CSV, beside `polars.read_csv`.

    python benchmarks/bench_load.py                      # 10,000 columns x 50 rows; 200,000 rows x 119 columns
    python benchmarks/bench_load.py --rows 20000 --repeats 1

Each case runs in its own subprocess (so the peak resident memory is that
case's), and prints wall and CPU seconds (the best of ``--repeats``) and the
peak RSS. CPU seconds (every thread of the process) say more than wall time on
a busy machine. The CLI end to end is ``bench_cli.py``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from _data import as_flat_text, synthetic, widen

_MEASURE = """
import json, resource, sys, time
import polars as pl
from shequ.io import load_communities
from shequ.io.load import default_catalog

path, repeats = sys.argv[1], int(sys.argv[2])
catalog = default_catalog()

def best(run):
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        run()
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    return min(wall), min(cpu)

polars_wall, polars_cpu = best(lambda: pl.read_csv(path))
load_wall, load_cpu = best(lambda: load_communities(path, catalog=catalog))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load": [load_wall, load_cpu], "polars": [polars_wall, polars_cpu], "rss": rss}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=200_000, help="rows of the long CSV")
    parser.add_argument("--wide-columns", type=int, default=10_000, help="columns of the wide CSV")
    parser.add_argument("--wide-rows", type=int, default=50, help="rows of the wide CSV")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        cases = {
            f"wide CSV {args.wide_rows} x {args.wide_columns:,}": widen(
                as_flat_text(synthetic(args.wide_rows)), args.wide_columns
            ),
            f"long CSV {args.rows:,} x 119": as_flat_text(synthetic(args.rows)),
        }
        print("| case | size | load wall | load CPU | polars.read_csv wall | CPU | wall ratio | peak RSS |")
        print("|---|---|---|---|---|---|---|---|")
        for name, frame in cases.items():
            path = Path(folder) / "data.csv"
            frame.write_csv(path)
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
                f"{lw / pw:.1f}x | {figures['rss']:.0f} MiB |"
            )


if __name__ == "__main__":
    main()
