"""Benchmark: N synthetic communities judged under every installed jurisdiction.

Usage::

    python benchmarks/bench_evaluate.py                # 1,000,000 communities, 3 runs
    python benchmarks/bench_evaluate.py -n 100000 --repeats 1

Generates N communities with every column the built-in rules read (about one
value in eight missing, so ``unknown`` is exercised; flags and designations
drawn from 500 shared combinations of up to six, as real data clusters, or
all different with ``--distinct-lists``) and writes them to a Parquet file, in
a process of its own. Then, in a fresh process for each of ``--repeats`` runs
(as a user's program starts: the generation's memory is not counted), it
measures:

- load and validate the Parquet file;
- evaluation (in-memory table → Int8 verdict codes for every rule);
- the per-community summary;
- end to end (Parquet file → summary), and the peak resident memory of that process;
- the speed-up over the per-row reference evaluator, measured on a subset
  (reference time per community × N ÷ engine time), in the first run.

Each figure is the median of the runs. Targets on a 2-core machine, N =
1,000,000 × every built-in jurisdiction (issue 12): end to end ≤ 2.5 s,
peak memory ≤ 2 GiB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl
from _data import synthetic

from shequ.engine import evaluate
from shequ.engine.reference import evaluate_rule
from shequ.io import load_communities
from shequ.registry import get_registry

AS_OF = dt.date(2021, 1, 1)


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def measure(path: Path, reference_sample: int) -> dict[str, float]:
    """One run, in this process: the stages' seconds and the peak memory (the child's side)."""
    registry = get_registry()
    started = time.perf_counter()
    table = load_communities(path, catalog=registry.catalog)
    loaded_at = time.perf_counter()
    results = evaluate(table, as_of=AS_OF, registry=registry)
    evaluated_at = time.perf_counter()
    summary = results.summary()
    finished = time.perf_counter()
    # the rules over sets of communities, judged when first read (a summary does not read them)
    aggregates = results.aggregates
    judged_at = time.perf_counter()
    peak = peak_memory_mib()
    assert summary.height == table.frame.height * len(registry.standards), "every community under every jurisdiction"
    figures = {
        "load": loaded_at - started,
        "evaluate": evaluated_at - loaded_at,
        "summary": finished - evaluated_at,
        "end_to_end": finished - started,
        "peak_mib": peak,
        "rules": len(results.rules),
        "aggregates": aggregates.height,
        "aggregates_seconds": judged_at - finished,
    }
    if reference_sample:
        rows = table.frame.head(reference_sample).to_dicts()
        started = time.perf_counter()
        for compiled in results.rules:
            document = registry.get(compiled.jurisdiction).standard.document(compiled.rule.source.document)
            start, end = document.effective or document.date, document.superseded_on
            for row in rows:
                evaluate_rule(row, compiled.rule, registry.catalog, AS_OF, start, end)
        figures["reference_per_community"] = (time.perf_counter() - started) / len(rows)
    return figures


def child(arguments: list[str]) -> dict[str, float]:
    """Run this script with ``arguments`` in a new process and return what it printed (JSON)."""
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"bench_evaluate {' '.join(arguments)} failed:\n{done.stderr}")
    return json.loads(done.stdout.splitlines()[-1]) if done.stdout.strip() else {}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=1_000_000, help="number of communities (default 1,000,000)")
    parser.add_argument(
        "--distinct-lists",
        action="store_true",
        help="worst case: every community a different combination of flags (default: 500 shared ones)",
    )
    parser.add_argument(
        "--reference-sample",
        type=int,
        default=2_000,
        help="communities judged by the reference evaluator for the speed-up",
    )
    parser.add_argument("--repeats", type=int, default=3, help="runs, each in a fresh process; medians reported")
    parser.add_argument("--generate", type=Path, help=argparse.SUPPRESS)  # (child) write the Parquet file
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)  # (child) one measured run
    args = parser.parse_args()

    if args.generate:
        started = time.perf_counter()
        synthetic(args.n, distinct_lists=args.distinct_lists).write_parquet(args.generate)
        print(json.dumps({"seconds": time.perf_counter() - started}))
        return 0
    if args.measure:
        print(json.dumps(measure(args.measure, args.reference_sample)))
        return 0

    registry = get_registry()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "communities.parquet"
        generate = ["--generate", str(path), "-n", str(args.n)]
        generated = child([*generate, "--distinct-lists"] if args.distinct_lists else generate)["seconds"]
        columns = len(pl.read_parquet_schema(path))
        rules = sum(len(j.standard.rules) for j in registry.select())
        print(
            f"communities: {args.n:,}; jurisdictions: {len(registry.standards)}; rules: {rules}; "
            f"columns: {columns} (generated in {generated:.2f} s, in a process of its own)"
        )
        runs = [
            child(["--measure", str(path), "--reference-sample", str(args.reference_sample if i == 0 else 0)])
            for i in range(args.repeats)
        ]

    def median(key: str) -> float:
        return statistics.median(run[key] for run in runs)

    first = runs[0]
    count = f"median of {len(runs)} runs, each in a fresh process" if len(runs) > 1 else "one run, in a fresh process"
    print(f"({count})")
    print(f"load + validate Parquet: {median('load'):.2f} s")
    print(
        f"evaluate (all rules, all jurisdictions): {median('evaluate'):.2f} s "
        f"({args.n / median('evaluate'):,.0f} communities/s; {first['rules']:.0f} community rules, "
        f"{first['aggregates']:.0f} aggregate results)"
    )
    print(f"summary: {median('summary'):.2f} s")
    spread = sorted(run["end_to_end"] for run in runs)
    print(
        f"end to end (Parquet → summary): {median('end_to_end'):.2f} s"
        + (f" (runs from {spread[0]:.2f} to {spread[-1]:.2f} s)" if len(runs) > 1 else "")
    )
    print(f"then the rules over sets of communities, judged when read: {median('aggregates_seconds'):.2f} s")
    print(f"peak memory: {median('peak_mib'):,.0f} MiB")
    if "reference_per_community" in first:
        reference_full = first["reference_per_community"] * args.n
        print(
            f"reference evaluator: {first['reference_per_community'] * 1000:.3f} ms a community "
            f"→ {reference_full:,.0f} s estimated for {args.n:,}; "
            f"engine speed-up {reference_full / first['evaluate']:,.0f}× (first run)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
