"""Synthetic communities for the benchmarks, shared by ``bench_evaluate.py`` and ``bench_cli.py``.

:func:`synthetic` builds N communities in the canonical layout (the columns of
``examples/communities.csv``), column by column with Polars expressions, no
Python per row. :func:`as_flat_text` turns its list columns into the
``;``-separated cells a CSV or a spreadsheet holds, and :func:`widen` adds
``indicators.*`` columns for the wide-file case.
"""

from __future__ import annotations

import random
from pathlib import Path

import polars as pl

from shequ.engine import input_columns
from shequ.model import COMMUNITY_KINDS
from shequ.registry import get_registry

#: The sample data whose columns :func:`example_layout` takes.
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "communities.csv"

#: Shared combinations of flags (and of designations) the communities draw from.
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


def as_flat_text(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame as a CSV or XLSX file holds it: a list cell ``a;b``, ``;`` for none, blank for unknown."""
    lists = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.List)]
    return frame.with_columns(
        pl.when(pl.col(name).list.len() == 0).then(pl.lit(";")).otherwise(pl.col(name).list.join(";")).alias(name)
        for name in lists
    )


def widen(frame: pl.DataFrame, width: int) -> pl.DataFrame:
    """The frame padded to ``width`` columns with numeric ``indicators.extra_<i>`` columns (the wide-file case)."""
    extra = width - frame.width
    if extra <= 0:
        return frame
    rows = pl.int_range(frame.height, eager=True)
    return frame.hstack([((rows * 7 + index) % 100).alias(f"indicators.extra_{index}") for index in range(extra)])


def example_layout(frame: pl.DataFrame, seed: int = 7) -> pl.DataFrame:
    """The frame in the layout of ``examples/communities.csv`` (issue 12's 61 columns), in that file's order.

    Columns the built-in rules do not read (areas and floors of facilities no rule sizes,
    organisations' members …) are not in :func:`synthetic`'s output; they are generated
    here the same way: members whole numbers, areas in m², floors -1 … 5, each blank where
    the community has none of the facility or organisation (as the loader requires).
    """
    header = pl.read_csv(EXAMPLE, n_rows=0).columns
    rows = pl.int_range(frame.height, eager=True)
    extra = []
    for index, name in enumerate(header):
        if name in frame.columns:
            continue
        family = name.partition(".")[0]
        draw = (rows.hash(seed * 1000 + 700 + index) % 1000).cast(pl.Int64)
        if family == "area":
            values = (draw * 0.7).round(1)
        elif family == "floor":
            values = pl.Series([-1, 1, 1, 2, 3, 5]).gather(draw % 6)
        else:
            values = draw % 60
        blank = (rows.hash(seed * 1000 + 800 + index) % 8) == 0
        count = f"count.{name.partition('.')[2]}"
        if family in ("area", "floor", "members") and count in frame.columns:  # only where there is one
            blank = blank | frame.get_column(count).fill_null(0).eq(0)
        extra.append(pl.select(pl.when(blank).then(None).otherwise(values)).to_series().alias(name))
    return frame.hstack(extra).select(header)
