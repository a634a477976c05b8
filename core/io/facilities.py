"""Facilities (and organizations) given one per row, summed into the community table's columns.

A flat dataset may give its facilities as a separate table (``facilities=``:
columns ``community_id``, ``kind``, ``area_m2``, ``floor``; optionally
``provided_by``, ``project_floor_area_m2``; Chinese headers accepted) instead
of ``area.*`` / ``count.*`` / ``floor.*`` columns. A nested record's
``facilities`` and ``organizations`` lists are flattened into the same kind
of table (:mod:`shequ.io.nested`). Either way :func:`join_items` makes the
columns: the rows of one community are its complete list, so it has count 0
and area 0 for the kinds it has no row of; a community with no row at all
(or no list) has an unknown list (nulls).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import polars as pl

from ..errors import Problem
from ..suggest import did_you_mean
from .columns import Vocabulary, key
from .problems import Check, Problems, Rows, ragged_rows
from .readers import Unreadable, read_grids, read_parquet
from .validate import map_headers, parse, report, required

#: The separate facilities table: its columns and their Chinese headers.
FACILITY_TABLE_HEADERS = {
    "community_id": ("社区编号", "编号", "社区代码"),
    "kind": ("类型", "设施类型", "设施种类", "设施"),
    "area_m2": ("面积", "建筑面积", "使用面积"),
    "floor": ("楼层", "所在楼层"),
    "provided_by": ("提供方", "提供单位"),
    "project_floor_area_m2": ("项目建筑面积", "项目总建筑面积"),
}
#: How each column of a facilities table is parsed.
FACILITY_KINDS = {
    "community_id": "id",
    "kind": "facility_kind",
    "area_m2": "float",
    "floor": "floor",
    "provided_by": "text",
    "project_floor_area_m2": "float",
}
#: How each column of an organizations table is parsed.
ORGANIZATION_KINDS = {"kind": "organization_kind", "members": "int"}


def _resolver() -> Callable[[str], tuple[str | None, str | None]]:
    headers = {}
    for column, names in FACILITY_TABLE_HEADERS.items():
        headers[key(column)] = column
        for name in names:
            headers[key(name)] = column

    def resolve(header: str) -> tuple[str | None, str | None]:
        name = key(header)
        for candidate in dict.fromkeys((name, re.sub(r"\([^()]*\)$", "", name))):
            if candidate in headers:
                return headers[candidate], None
        return None, f"unknown column '{header}'{did_you_mean(name, list(headers))}"

    return resolve


def facility_totals(
    path: Path, display: str, ids: pl.Series | None, vocabulary: Vocabulary, *, encoding: str | None = None
) -> tuple[pl.DataFrame | None, list[Problem]]:
    """A separate facilities table summed per (community, kind), and its problems.

    ``ids`` are the communities of the main file (None when it could not be read:
    then unknown community ids cannot be told).
    """
    problems = Problems(display)
    try:
        if path.suffix.lower() == ".parquet":
            raw, headers = read_parquet(path)
        else:
            grid = read_grids(path, encoding=encoding)[0]
            if grid.cells.height == 0:
                raise Unreadable("the file is empty: expected a header row")
            headers = [None if value is None else str(value) for value in grid.cells.row(0)]
            raw = grid.cells.slice(1)
            if grid.widths is not None:
                ragged_rows(grid.widths, 0, grid.widths[0], "", problems)
                headers = headers[: grid.widths[0]]
                raw = raw.select(raw.columns[: grid.widths[0]])
            for row, column, message in grid.faults:
                name = headers[column] if column < len(headers) and headers[column] else f"column {column + 1}"
                where = "header" if row == 0 else f"row {row}"
                problems.add(("cell", message.split(":")[0][:30]), (1, row), where, f"{name}: {message}", field=name)
    except Unreadable as exc:
        return None, [Problem(file=display, where=exc.where, message=exc.message)]
    rows = Rows()
    mapped = map_headers(headers, raw, _resolver(), problems)
    for name in ("community_id", "kind"):
        if name not in mapped:
            problems.add(("header", "missing column"), (0, -1), "header", f"no '{name}' column", field=name)
    parsed = parse(raw, mapped, FACILITY_KINDS, vocabulary, rows, problems, required=("kind",))
    if parsed is None or "community_id" not in mapped or "kind" not in mapped:
        return None, problems.problems()
    # An unknown kind is reported by the parser; here only a blank kind cell is "missing".
    checks = [
        Check(
            field="community_id",
            kind="missing",
            bad=pl.col("community_id").is_null(),
            shown=pl.lit(None),
            says=lambda _raw: "community_id: missing: which community is this facility in?",
        ),
        required(
            "kind", "kind: missing: which kind of facility is this?", "required field missing: which facility kind?"
        ),
    ]
    if ids is not None:
        known = ids.drop_nulls().unique()
        candidates = known.to_list() if known.len() <= 5000 else []  # difflib over a million ids is too slow

        def unknown_community(raw: object) -> str:
            return f"community_id: no community '{raw}' in the communities file{did_you_mean(str(raw), candidates)}"

        checks.append(
            Check(
                field="community_id",
                kind="unknown community",
                bad=pl.col("community_id").is_not_null() & ~pl.col("community_id").is_in(known.implode()),
                shown=pl.col("community_id"),
                says=unknown_community,
            )
        )
    report(parsed, checks, rows, problems)
    for row, first in repeated_items(parsed, "community_id"):
        message = (
            f"the row repeats row {first} (every field equal): a facility listed twice is counted twice; "
            "remove the copy (two equal facilities: one row with their total area)"
        )
        problems.add(("kind", "repeated row"), (1, row), f"row {row}", message, row=row, field="kind")
    if problems:
        return None, problems.problems()
    return totals(parsed, "community_id", "area"), []


def repeated_items(items: pl.DataFrame, community: str) -> list[tuple[int, int]]:
    """(row, the first row it repeats) for every item equal in every field to an earlier one of its community."""
    fields = [name for name in items.columns if name != "__row" and not name.startswith("__given__")]
    if community not in fields:
        fields.append(community)
    if not items.height or not items.select(pl.struct(fields).is_duplicated().any()).item():
        return []
    first = pl.col("__row").first().over(fields)
    found = items.select("__row", first.alias("__first")).filter(pl.col("__row") != pl.col("__first"))
    return [(row, original) for row, original in found.iter_rows()]


def totals(items: pl.DataFrame, community: str, summed: str) -> pl.DataFrame:
    """Items summed per (community, kind): ``count``, ``summed`` (area_m2 or members; unknown if one
    item's is), and, for facilities, the first one's ``floor``."""
    source = {"area": "area_m2", "members": "members"}[summed]
    value = pl.col(source) if source in items.columns else pl.lit(None, dtype=pl.Float64)
    aggregates = [
        pl.len().cast(pl.Int64).alias("count"),
        pl.when(value.null_count() == 0).then(value.sum()).alias(summed),
    ]
    if summed == "area":
        floor = pl.col("floor") if "floor" in items.columns else pl.lit(None, dtype=pl.Int64)
        aggregates[1] = aggregates[1].cast(pl.Float64)
        aggregates.append(floor.first().cast(pl.Int64).alias("floor"))
    return items.group_by(community, "kind", maintain_order=True).agg(aggregates).rename({community: "__community"})


def join_items(frame: pl.DataFrame, totals: pl.DataFrame, on: str, listed: pl.Expr, summed: str) -> pl.DataFrame:
    """``<summed>.K``, ``count.K`` (and ``floor.K``) columns of ``frame`` from the totals of each kind K.

    ``listed`` marks the communities whose list is given: they have none (count
    0, ``summed`` 0) of the kinds they have no row for. The others stay unknown.
    """
    zero = pl.lit(0.0) if summed == "area" else pl.lit(0, dtype=pl.Int64)
    kept = [name for name in ("floor",) if name in totals.columns]
    out = frame.with_columns(listed.fill_null(False).alias("__listed"))
    for kind in sorted(totals.get_column("kind").unique().to_list()):
        part = totals.filter(pl.col("kind") == kind).select(
            pl.col("__community").alias(on),
            pl.col(summed).alias(f"{summed}.{kind}"),
            pl.col("count").alias(f"count.{kind}"),
            *(pl.col(name).alias(f"{name}.{kind}") for name in kept),
        )
        out = out.join(part, on=on, how="left", maintain_order="left").with_columns(
            pl.when(pl.col("__listed") & pl.col(f"count.{kind}").is_null())
            .then(zero)
            .otherwise(pl.col(f"{summed}.{kind}"))
            .alias(f"{summed}.{kind}"),
            pl.when(pl.col("__listed")).then(pl.col(f"count.{kind}").fill_null(0)).alias(f"count.{kind}"),
        )
    return out.drop("__listed")
