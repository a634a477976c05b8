"""Catalog metrics as Polars expressions over a community table, flags and designations as bit masks."""

from __future__ import annotations

import attrs
import polars as pl

from ..catalog import Catalog
from ..model import (
    COMMUNITY_KINDS,
)
from .verdicts import F64

_MASK_BITS = 62


KIND_ENUM = "_kind"  # the community kind as an Enum column of the metrics table


def _mask_column(lists: str, chunk: int) -> str:
    return f"_mask:{lists}:{chunk}"


def _bits(exploded: pl.DataFrame, by: str, members: list[str]) -> pl.DataFrame:
    """Per ``by``: the sum of one bit per member of ``members`` its ``_items`` hold (``_mask``)."""
    mapping = {member: 1 << bit for bit, member in enumerate(members)}
    return exploded.group_by(by).agg(
        pl.col("_items").unique().replace_strict(mapping, default=0, return_dtype=pl.Int64).sum().alias("_mask")
    )


@attrs.define
class MetricResolver:
    """Expressions for catalog metrics over the columns a community table has."""

    catalog: Catalog
    columns: frozenset[str]
    used: dict[str, pl.Expr] = attrs.Factory(dict)
    #: list column → the members rules ask about, each given one bit of a mask column
    bits: dict[str, list[str]] = attrs.Factory(dict)

    def expr(self, metric_id: str) -> pl.Expr:
        """The metric as a Float64 expression over the community table (null where missing)."""
        if metric_id not in self.used:
            self.used[metric_id] = self._build(metric_id)
        return self.used[metric_id]

    def ref(self, metric_id: str) -> pl.Expr:
        """The metric as an expression over the metrics table (see :meth:`table`).

        Metrics are computed inline in every rule that reads them rather than
        materialised as a table of floats: column references and casts are
        cheaper than a gigabyte of copies at national scale.
        """
        return self.expr(metric_id)

    def _column(self, name: str) -> pl.Expr:
        if name in self.columns:
            return pl.col(name).cast(F64)
        family, _, member = name.partition(".")
        if family == "count" and f"area.{member}" in self.columns:
            # a table of areas knows a facility exists where its area is positive
            return (pl.col(f"area.{member}") > 0).cast(F64)
        return pl.lit(None, dtype=F64)

    def _build(self, metric_id: str) -> pl.Expr:
        definition = self.catalog.metric(metric_id)
        if definition.compute is not None:
            return definition.compute(self.expr).cast(F64)  # type: ignore[operator]
        if definition.ratio is not None:
            numerator, denominator = (self.expr(m) for m in definition.ratio)
            return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)
        if definition.sum is not None:
            # a plain sum: Polars' + is null where any operand is null (unknown, never a partial total)
            total = self.expr(definition.sum[0])
            for operand in definition.sum[1:]:
                total = total + self.expr(operand)
            return total
        if definition.difference is not None:
            return self.expr(definition.difference[0]) - self.expr(definition.difference[1])
        if definition.product is not None:
            return self.expr(definition.product.metric) * pl.lit(definition.product.factor, dtype=F64)
        family, _, member = metric_id.partition(".")
        if family in ("flag", "designation"):
            lists = f"{family}s"
            if lists not in self.columns:
                return pl.lit(None, dtype=F64)
            # one pass over the list column sets a bit per member asked about; each flag is then a bit test
            members = self.bits.setdefault(lists, [])
            members.append(member)
            chunk, bit = divmod(len(members) - 1, _MASK_BITS)
            return ((pl.col(_mask_column(lists, chunk)) & (1 << bit)) != 0).cast(F64)
        return self._column(definition.column or metric_id)

    def masks(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The bit-mask columns behind flag and designation metrics (null where the list is unknown).

        Each list is exploded once (an element-wise ``list.eval`` is far slower on
        lists Polars has sliced or gathered). Communities usually share a few
        combinations: then each distinct list is computed once and looked up by
        its number in an enum of them all; when most lists differ, rows are
        grouped by their index instead.
        """
        columns = []
        for lists, members in self.bits.items():
            if frame.get_column(lists).null_count() == frame.height:  # not given (every mask unknown)
                blank = pl.Series(dtype=pl.Int64).extend_constant(None, frame.height)
                columns += [blank.alias(_mask_column(lists, c)) for c in range(-(-len(members) // _MASK_BITS))]
                continue
            values = pl.col(lists).cast(pl.List(pl.String))  # an all-empty column may come typed List(Null)
            texts = frame.select(values.list.join("\x1f")).to_series()
            distinct = texts.unique().drop_nulls()
            if distinct.len() * 4 <= max(frame.height, 1):
                # each distinct list gets a number (its place in an enum of them all) and its masks are
                # looked up by it: a join on the lists' texts cost half as much again
                codes = texts.cast(pl.Enum(distinct)).to_physical()
                items = pl.DataFrame(
                    {"_code": pl.int_range(distinct.len(), eager=True), "_items": distinct.str.split("\x1f")}
                )
                exploded = items.explode("_items")
                for chunk in range(0, len(members), _MASK_BITS):
                    bits = _bits(exploded, "_code", members[chunk : chunk + _MASK_BITS]).sort("_code")
                    # every distinct list has a row (a split text has at least one item); a null list a null code
                    mask = bits.get_column("_mask").gather(codes)
                    columns.append(mask.alias(_mask_column(lists, chunk // _MASK_BITS)))
                continue
            keys = frame.select(values.is_null().alias("_null"), pl.int_range(pl.len()).alias("_row"))
            exploded = frame.select(pl.int_range(pl.len()).alias("_row"), values.alias("_items")).explode("_items")
            for chunk in range(0, len(members), _MASK_BITS):
                bits = _bits(exploded, "_row", members[chunk : chunk + _MASK_BITS])
                per_row = keys.join(bits, on="_row", how="left", maintain_order="left").select(
                    pl.when(pl.col("_null")).then(None).otherwise(pl.col("_mask").fill_null(0))
                )
                columns.append(per_row.to_series().alias(_mask_column(lists, chunk // _MASK_BITS)))
        return pl.DataFrame(columns, height=frame.height) if columns else pl.DataFrame(height=frame.height)

    def table(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The table metric expressions evaluate over: the community table, its flag masks, its kind as an Enum."""
        masks = self.masks(frame)
        if "kind" in frame.columns:
            # kinds compared as small integers, not strings: a rule's coverage test is then nearly free;
            # a kind outside the vocabulary reads as unknown
            masks = masks.with_columns(
                frame.get_column("kind")
                .cast(pl.String)
                .cast(pl.Enum(list(COMMUNITY_KINDS)), strict=False)
                .alias(KIND_ENUM)
            )
        return frame.hstack(masks) if masks.width else frame
