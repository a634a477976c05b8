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
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from shequ.engine import evaluate, input_columns
from shequ.engine.reference import evaluate_rule
from shequ.io import load_communities
from shequ.model import COMMUNITY_KINDS
from shequ.registry import get_registry

AS_OF = dt.date(2021, 1, 1)


PROFILES = 500


def synthetic(n: int, seed: int = 7, distinct_lists: bool = False) -> pl.DataFrame:
    """N communities in the canonical layout, generated column by column (no Python per row)."""
    registry = get_registry()
    columns = input_columns(registry)
    flags = sorted(registry.catalog.flags)
    designations = sorted(registry.catalog.designations)
    rows = pl.int_range(n, eager=True).alias("row")
    frame = pl.DataFrame(rows)

    def uniform(salt: int, modulo: int) -> pl.Expr:
        return (pl.col("row").hash(seed * 1000 + salt) % modulo).cast(pl.Int64)

    def holey(expr: pl.Expr, salt: int) -> pl.Expr:
        return pl.when(uniform(salt + 500, 8) == 0).then(None).otherwise(expr)

    households = 200 + uniform(1, 4000)
    exprs = [
        pl.format("C{}", pl.col("row")).alias("id"),
        pl.format("社区{}", pl.col("row")).alias("name"),
        pl.format("街道{}", uniform(2, 40)).alias("district"),
        pl.lit(pl.Series(list(COMMUNITY_KINDS))).gather(uniform(3, len(COMMUNITY_KINDS))).alias("kind"),
        holey(households, 4).alias("households"),
        holey((households * (25 + uniform(5, 10))) // 10, 6).alias("population"),
    ]
    # facilities first: a count, and an area and floor only where the facility exists
    facility_kinds = sorted(
        {
            name.split(".", 1)[1]
            for name in columns
            if name.startswith(("area.", "floor.")) and name.split(".", 1)[1] in registry.catalog.facility_kinds
        }
    )
    present = {}
    for index, kind in enumerate(facility_kinds):
        present[kind] = uniform(900 + index, 3).clip(0, 1)  # about two in three have one
        exprs.append(holey(present[kind], 900 + index).alias(f"count.{kind}"))
    for index, (name, kind) in enumerate(columns.items()):
        if name in ("households", "population") or (name.startswith("count.") and name[6:] in present):
            continue
        salt = 10 + index
        family, _, member = name.partition(".")
        if kind == "list":
            pool = flags if name == "flags" else designations
            if distinct_lists:  # worst case: every community its own combination, half the vocabulary each
                picks = [pl.when(uniform(salt * 31 + k, 2) == 0).then(pl.lit(item)) for k, item in enumerate(pool)]
                expr = pl.concat_list(picks).list.drop_nulls()
            else:  # as in real data: communities share a few hundred combinations of a few flags
                rng = random.Random(seed * 100 + salt)
                profiles = [sorted(rng.sample(pool, min(len(pool), rng.randint(0, 6)))) for _ in range(PROFILES)]
                expr = pl.lit(pl.Series(profiles, dtype=pl.List(pl.String))).gather(uniform(salt, PROFILES))
        elif kind == "floor":
            expr = pl.lit(pl.Series([-1, 1, 1, 2, 3, 5])).gather(uniform(salt, 6))
        elif kind == "int":
            expr = uniform(salt, 9)
        elif name == "staff_office_m2":
            expr = pl.col("service_space_m2") * uniform(salt, 40).cast(pl.Float64) / 100
        else:
            expr = uniform(salt, 2000).cast(pl.Float64) * (1 + uniform(salt + 1, 5)).cast(pl.Float64)
        if family in ("area", "floor") and member in present:
            expr = pl.when(present[member] > 0).then(expr).otherwise(0.0 if family == "area" else None)
        exprs.append(holey(expr, salt).alias(name))
    late = [e for e in exprs if e.meta.output_name() == "staff_office_m2"]
    frame = frame.select([e for e in exprs if e.meta.output_name() != "staff_office_m2"] + [pl.col("row")])
    return frame.with_columns(late).drop("row")


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
        document_date = registry.get(compiled.jurisdiction).standard.document(compiled.rule.source.document).date
        for row in rows:
            evaluate_rule(row, compiled.rule, registry.catalog, AS_OF, document_date)
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
