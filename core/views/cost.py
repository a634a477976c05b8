"""The money each standard commits for a set of communities, with its payer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from .. import engine
from ..engine import MetricResolver
from ..engine.results import community_frame
from ..forms.words import share_words
from ..model import OBLIGATION_KINDS
from ..registry import Registry
from .common import F64, _as_of, document_label, issued, source_document
from .responsibilities import _department_names

#: The periods money is committed for, in the model's order: ``yearly``, ``one_off``, and ``unstated`` (the
#: document states no period: reported apart, never as yearly).
PERIODS = OBLIGATION_KINDS


@attrs.frozen
class CostReport:
    """What the standards commit for a set of communities.

    ``items``: one row per (community, jurisdiction, obligation) with ``yuan``
    (null when unknown, not applicable or not in force) and ``status``
    (``applies``, ``not_applicable``, ``unknown``: the basis metric or the
    applicability is missing, ``not_in_force``: the obligation's document is
    not yet issued on ``as_of``). ``by_community``: per community ×
    jurisdiction, totals per period — yearly, one-off and unstated (the
    document states no period) — null when any applicable item is unknown
    (``*_known`` sums what is known, ``*_unknown`` counts the unknown items).
    ``totals``: per jurisdiction × obligation over all communities, with payer
    and source. ``summary``: per jurisdiction, the grand totals per period.
    """

    as_of: dt.date
    items: pl.DataFrame
    by_community: pl.DataFrame
    totals: pl.DataFrame
    summary: pl.DataFrame

    def _repr_html_(self) -> str:
        """How a notebook shows the report: the totals per jurisdiction and per obligation, then per community."""
        from ..output import html_frames

        sections = [
            ("By jurisdiction", self.summary),
            ("By obligation", self.totals),
            ("By community", self.by_community),
        ]
        return html_frames(f"Cost as of {self.as_of.isoformat()} (yuan; empty = unknown)", sections)


def cost(
    registry: Registry, communities: Any, jurisdictions: Sequence[str] = (), as_of: dt.date | None = None
) -> CostReport:
    """The money each jurisdiction's standard commits for ``communities``, per period, as of a date.

    An obligation of ``amount_yuan`` per ``per`` units of ``basis`` costs
    ``basis ÷ per × amount_yuan`` for a covered community (``amount_yuan`` when
    there is no basis); one stating a ``share`` of its basis cost (``"1/3"``)
    costs exactly that share of it (``basis × 1 ÷ 3``), and its ``share`` column
    says it in words (``one third (1/3)``). Either is bounded by ``min_yuan``/``max_yuan``. A missing basis
    value or unknown coverage is unknown, never 0. An obligation whose
    document is not yet issued on ``as_of`` (default today) commits nothing
    then. Money of kind ``unstated`` (no period in the text) is summed apart,
    never as yearly.
    """
    as_of = _as_of(as_of)
    frame = community_frame(communities)
    columns = frozenset(frame.columns)
    resolver = MetricResolver(registry.catalog, columns)
    identity = [c for c in engine.IDENTITY if c in columns]
    specs = []
    for loaded in registry.select(jurisdictions):
        for obligation in loaded.standard.obligations:
            document = source_document(loaded, obligation.source.document)
            applies = engine.applies_expr(obligation, resolver, columns)
            # exact: a share of 1/3 is the basis × 1 ÷ 3, never × 0.333333
            fraction = obligation.fraction
            if obligation.basis is None:
                raw = pl.lit(float(fraction), dtype=F64)
            elif obligation.share is not None:
                raw = resolver.ref(obligation.basis) * fraction.numerator / fraction.denominator
            else:
                amount = obligation.amount_yuan
                assert amount is not None  # an obligation states an amount or a share
                raw = resolver.ref(obligation.basis) / obligation.per * amount
            if obligation.min_yuan is not None or obligation.max_yuan is not None:
                raw = raw.clip(obligation.min_yuan, obligation.max_yuan)
            specs.append((loaded, obligation, applies, raw, document_label(document), issued(document, as_of)))
    metrics_frame = resolver.table(frame)
    parts = []
    for loaded, obligation, applies, raw, cited, in_force in specs:
        status = (
            pl.when(pl.lit(not in_force))
            .then(pl.lit("not_in_force"))
            .when(applies.is_null())
            .then(pl.lit("unknown"))
            .when(applies.not_())
            .then(pl.lit("not_applicable"))
            .when(raw.is_null())
            .then(pl.lit("unknown"))
            .otherwise(pl.lit("applies"))
        )
        parts.append(
            metrics_frame.select(
                *identity,
                pl.lit(loaded.id).alias("jurisdiction"),
                pl.lit(obligation.id).alias("obligation"),
                pl.lit(obligation.title).alias("title"),
                pl.lit(obligation.kind).alias("period"),
                pl.lit(obligation.amount_yuan, dtype=F64).alias("amount_yuan"),
                pl.lit(share_words(obligation.share) if obligation.share else None, dtype=pl.String).alias("share"),
                pl.lit(obligation.basis, dtype=pl.String).alias("basis"),
                pl.lit(obligation.per, dtype=F64).alias("per"),
                status.alias("status"),
                pl.when(status == "applies").then(raw).otherwise(None).cast(F64).alias("yuan"),
                pl.lit("; ".join(_department_names(registry.catalog, obligation.payer)) or None, dtype=pl.String).alias(
                    "payer"
                ),
                pl.lit(cited).alias("document"),
                pl.lit(obligation.source.clause).alias("clause"),
                pl.lit(obligation.source.text).alias("quote"),
            )
        )
    id_columns = identity or ["id"]
    if parts:
        items = pl.concat(parts, how="vertical_relaxed")
        order = frame.select(pl.col("id"), pl.int_range(pl.len()).alias("_row"))
        items = (
            items.join(order, on="id", how="left", maintain_order="left")
            .with_columns(pl.int_range(pl.len()).alias("_seq"))
            .sort(["_row", "_seq"])
            .drop("_row", "_seq")
        )
    else:
        items = pl.DataFrame(
            schema={
                "id": pl.String,
                "jurisdiction": pl.String,
                "obligation": pl.String,
                "period": pl.String,
                "status": pl.String,
                "yuan": F64,
                "payer": pl.String,
            }
        )

    def sums(period: str) -> list[pl.Expr]:
        mine = pl.col("period") == period
        known = pl.when(mine & (pl.col("status") == "applies")).then(pl.col("yuan")).otherwise(0.0).sum()
        unknown = (mine & (pl.col("status") == "unknown")).sum().cast(pl.Int64)
        return [
            pl.when(unknown == 0).then(known).otherwise(None).alias(f"{period}_yuan"),
            known.alias(f"{period}_yuan_known"),
            unknown.alias(f"{period}_unknown"),
        ]

    selected = [loaded.id for loaded in registry.select(jurisdictions)]
    grid = (
        frame.select(id_columns)
        .with_columns(pl.lit(selected, dtype=pl.List(pl.String)).alias("jurisdiction"))
        .explode("jurisdiction")
    )
    sums_by = (
        items.group_by(["id", "jurisdiction"]).agg(
            *(expr for period in PERIODS for expr in sums(period)), pl.len().alias("_n")
        )
        if parts
        else pl.DataFrame(schema={"id": pl.String, "jurisdiction": pl.String})
    )
    by_community = grid.join(sums_by, on=["id", "jurisdiction"], how="left", maintain_order="left")
    fill = {}
    for period in PERIODS:
        if f"{period}_yuan" not in by_community.columns:
            by_community = by_community.with_columns(
                pl.lit(None, dtype=F64).alias(f"{period}_yuan"),
                pl.lit(None, dtype=F64).alias(f"{period}_yuan_known"),
                pl.lit(None, dtype=pl.Int64).alias(f"{period}_unknown"),
            )
        fill.update({f"{period}_yuan_known": 0.0, f"{period}_unknown": 0})
    no_items = pl.col("_n").is_null() if "_n" in by_community.columns else pl.lit(True)
    by_community = by_community.with_columns(
        *(pl.when(no_items).then(pl.lit(0.0)).otherwise(pl.col(f"{p}_yuan")).alias(f"{p}_yuan") for p in PERIODS),
        *(pl.col(name).fill_null(value) for name, value in fill.items()),
    ).select(
        [
            *id_columns,
            "jurisdiction",
            *(f"{p}{s}" for p in PERIODS for s in ("_yuan", "_yuan_known", "_unknown")),
        ]
    )
    totals_schema = {
        "jurisdiction": pl.String,
        "obligation": pl.String,
        "title": pl.String,
        "period": pl.String,
        "amount_yuan": F64,
        "share": pl.String,
        "basis": pl.String,
        "per": F64,
        "payer": pl.String,
        "communities": pl.Int64,
        "unknown": pl.Int64,
        "not_applicable": pl.Int64,
        "not_in_force": pl.Int64,
        "total_yuan": F64,
        "total_yuan_known": F64,
        "document": pl.String,
        "clause": pl.String,
        "quote": pl.String,
    }
    totals = (
        items.group_by(["jurisdiction", "obligation"], maintain_order=True).agg(
            pl.col("title").first(),
            pl.col("period").first(),
            pl.col("amount_yuan").first(),
            pl.col("share").first(),
            pl.col("basis").first(),
            pl.col("per").first(),
            pl.col("payer").first(),
            (pl.col("status") == "applies").sum().cast(pl.Int64).alias("communities"),
            (pl.col("status") == "unknown").sum().cast(pl.Int64).alias("unknown"),
            (pl.col("status") == "not_applicable").sum().cast(pl.Int64).alias("not_applicable"),
            (pl.col("status") == "not_in_force").sum().cast(pl.Int64).alias("not_in_force"),
            pl.when((pl.col("status") == "unknown").sum() == 0)
            .then(pl.col("yuan").fill_null(0.0).sum())
            .otherwise(None)
            .alias("total_yuan"),
            pl.col("yuan").fill_null(0.0).sum().alias("total_yuan_known"),
            pl.col("document").first(),
            pl.col("clause").first(),
            pl.col("quote").first(),
        )
        if parts
        else pl.DataFrame(schema=totals_schema)
    )
    obligations = {loaded.id: len(loaded.standard.obligations) for loaded in registry.select(jurisdictions)}
    summary = (
        by_community.group_by("jurisdiction", maintain_order=True)
        .agg(
            pl.len().cast(pl.Int64).alias("communities"),
            *(
                expr
                for period in PERIODS
                for expr in (
                    pl.when(pl.col(f"{period}_unknown").sum() == 0)
                    .then(pl.col(f"{period}_yuan_known").sum())
                    .otherwise(None)
                    .alias(f"{period}_yuan"),
                    pl.col(f"{period}_yuan_known").sum().alias(f"{period}_yuan_known"),
                    pl.col(f"{period}_unknown").sum().cast(pl.Int64).alias(f"{period}_unknown_items"),
                )
            ),
        )
        .with_columns(pl.col("jurisdiction").replace_strict(obligations, return_dtype=pl.Int64).alias("obligations"))
    )
    return CostReport(as_of=as_of, items=items, by_community=by_community, totals=totals, summary=summary)
