"""Benchmark: N synthetic communities judged under every installed jurisdiction.

Usage::

    python benchmarks/bench_evaluate.py            # 1,000,000 communities
    python benchmarks/bench_evaluate.py -n 100000  # fewer

Generates N communities with every column the built-in rules read (about one
value in eight missing, so ``unknown`` is exercised; flags and designations
drawn from 500 shared combinations of up to six, as real data clusters, or
all different with ``--distinct-lists``), writes them to a Parquet
file, and measures:

- evaluation alone (in-memory table → Int8 verdict codes for every rule);
- end to end (Parquet file → load and validate → evaluate → per-community summary);
- peak resident memory of the process;
- the speed-up over the per-row reference evaluator, measured on a subset in
  the same run (reference time per community × N ÷ engine time).

Targets on a 2-core machine, N = 1,000,000 × all five jurisdictions:
evaluation < 3 s, end to end < 5 s, peak memory < 3 GiB, ≥ 50× the reference.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

from _data import synthetic

from shequ.engine import evaluate
from shequ.engine.reference import evaluate_rule
from shequ.io import load_communities
from shequ.registry import get_registry

AS_OF = dt.date(2021, 1, 1)


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


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
    args = parser.parse_args()

    registry = get_registry()
    started = time.perf_counter()
    frame = synthetic(args.n, distinct_lists=args.distinct_lists)
    generated = time.perf_counter() - started
    rules = sum(len(j.standard.rules) for j in registry.select())
    print(
        f"communities: {args.n:,}; jurisdictions: {len(registry.standards)}; rules: {rules}; "
        f"columns: {frame.width} (generated in {generated:.2f} s)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "communities.parquet"
        frame.write_parquet(path)
        del frame

        started = time.perf_counter()
        table = load_communities(path, catalog=registry.catalog)
        loaded_at = time.perf_counter()
        results = evaluate(table, as_of=AS_OF, registry=registry)
        evaluated_at = time.perf_counter()
        summary = results.summary()
        finished = time.perf_counter()

    load_s, eval_s, summary_s = loaded_at - started, evaluated_at - loaded_at, finished - evaluated_at
    end_to_end = finished - started
    assert summary.height == args.n * len(registry.standards), "every community appears under every jurisdiction"
    print(f"load + validate Parquet: {load_s:.2f} s")
    print(
        f"evaluate (all rules, all jurisdictions): {eval_s:.2f} s "
        f"({args.n / eval_s:,.0f} communities/s; {len(results.rules)} community rules, "
        f"{results.aggregates.height} aggregate results)"
    )
    print(f"summary: {summary_s:.2f} s")
    print(f"end to end (Parquet → summary): {end_to_end:.2f} s")

    sample_rows = results.metrics_frame.head(0)  # keep the engine's results alive while sampling
    subset = table.frame.head(args.reference_sample)
    rows = subset.to_dicts()
    started = time.perf_counter()
    for compiled in results.rules:
        document = registry.get(compiled.jurisdiction).standard.document(compiled.rule.source.document)
        start, end = document.effective or document.date, document.superseded_on
        for row in rows:
            evaluate_rule(row, compiled.rule, registry.catalog, AS_OF, start, end)
    reference_s = time.perf_counter() - started
    reference_full = reference_s / len(rows) * args.n
    del sample_rows
    print(
        f"reference evaluator: {reference_s:.2f} s for {len(rows):,} communities "
        f"→ {reference_full:,.0f} s estimated for {args.n:,}; engine speed-up {reference_full / eval_s:,.0f}×"
    )
    print(f"peak memory: {peak_memory_mib():,.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
