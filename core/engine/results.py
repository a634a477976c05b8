"""Evaluation entry point and the compact Results it returns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from .. import forms
from ..model import Rule
from ..registry import LoadedStandard, Registry, get_registry
from .aggregates import _evaluate_aggregates, _plan_aggregate
from .compile import CompiledRule, compile_standard
from .metrics import MetricResolver
from .verdicts import F64, FAIL, IDENTITY, NOT_APPLICABLE, PASS, VERDICTS


@attrs.define
class Results:
    """Verdicts of communities under jurisdictions, compact until asked for detail.

    ``codes`` holds one Int8 verdict column per (jurisdiction, rule); the
    identity columns of every input community come first, so nothing is
    dropped. :meth:`details` expands selected rows into full records.
    """

    as_of: dt.date
    jurisdictions: list[LoadedStandard]
    rules: list[CompiledRule]
    codes: pl.DataFrame
    metrics_frame: pl.DataFrame
    aggregates: pl.DataFrame

    def __len__(self) -> int:
        return self.codes.height

    @property
    def community_ids(self) -> list[str]:
        return self.codes.get_column("id").to_list()

    def summary(self) -> pl.DataFrame:
        """Per community × jurisdiction: counts of each verdict and the compliance share."""
        identity = [c for c in IDENTITY if c in self.codes.columns]
        frames = []
        for loaded in self.jurisdictions:
            keys = [r.key for r in self.rules if r.jurisdiction == loaded.id]
            counts = [
                (pl.sum_horizontal([(pl.col(k) == code).cast(pl.Int32) for k in keys]) if keys else pl.lit(0))
                .cast(pl.Int32)
                .alias(name)
                for code, name in enumerate(VERDICTS)
            ]
            frames.append(self.codes.lazy().select(*identity, pl.lit(loaded.id).alias("jurisdiction"), *counts))
        if not frames:
            return pl.DataFrame(schema={"id": pl.String, "jurisdiction": pl.String})
        judged = pl.col("pass") + pl.col("fail")
        return (
            pl.concat(frames)
            .with_columns(pl.when(judged > 0).then(pl.col("pass") / judged).otherwise(None).alias("compliance"))
            .collect()
        )

    def has_failures(self) -> bool:
        """Whether any community (or set of communities) fails any rule."""
        keys = [r.key for r in self.rules]
        failing = bool(keys) and self.codes.select(pl.any_horizontal([pl.col(k) == FAIL for k in keys]).any()).item()
        if not failing and not self.aggregates.is_empty():
            failing = bool((self.aggregates.get_column("verdict_code") == FAIL).any())
        return bool(failing)

    def totals(self) -> pl.DataFrame:
        """Per jurisdiction: verdict counts over all communities and how many fully comply."""
        summary = self.summary()
        return summary.group_by("jurisdiction", maintain_order=True).agg(
            pl.len().alias("communities"),
            *(pl.col(v).sum() for v in VERDICTS),
            ((pl.col("fail") == 0) & (pl.col("unknown") == 0) & (pl.col("pass") > 0)).sum().alias("fully_compliant"),
            pl.col("compliance").mean().alias("mean_compliance"),
        )

    def matrix(self) -> pl.DataFrame:
        """Communities × jurisdictions, each cell ``pass/fail/unknown (compliance %)``."""
        counts = pl.concat_str(
            [
                pl.col("pass").cast(pl.String),
                pl.lit("/"),
                pl.col("fail").cast(pl.String),
                pl.lit("/"),
                pl.col("unknown").cast(pl.String),
                pl.when(pl.col("compliance").is_not_null())
                .then(
                    pl.concat_str(
                        [
                            pl.lit(" ("),
                            (pl.col("compliance") * 100).round(0).cast(pl.Int64).cast(pl.String),
                            pl.lit("%)"),
                        ]
                    )
                )
                .otherwise(pl.lit("")),
            ]
        )
        judged = pl.col("pass") + pl.col("fail") + pl.col("unknown")
        cell = (
            pl.when(judged > 0)
            .then(counts)
            .when(pl.col("not_due") > 0)
            .then(pl.lit("not due"))
            .otherwise(pl.lit("not covered"))
        )
        summary = self.summary().with_columns(cell.alias("cell"))
        identity = [c for c in ("id", "name", "district", "kind") if c in summary.columns]
        wide = summary.pivot(on="jurisdiction", index=identity, values="cell")
        return wide

    def details(
        self,
        ids: Sequence[str] | None = None,
        jurisdictions: Sequence[str] | None = None,
        rules: Sequence[str] | None = None,
        verdicts: Sequence[str] | None = None,
    ) -> pl.DataFrame:
        """One row per (community, jurisdiction, rule) with value, requirement, shortfall and source."""
        frame = self.metrics_frame
        if ids is not None:
            frame = frame.filter(pl.col("id").is_in(list(ids)))
        selected = [
            r
            for r in self.rules
            if (jurisdictions is None or r.jurisdiction in jurisdictions) and (rules is None or r.rule.id in rules)
        ]
        columns = []
        for compiled in selected:
            rule = compiled.rule
            frame_rule = frame.select(
                pl.col("id"),
                pl.lit(compiled.jurisdiction).alias("jurisdiction"),
                pl.lit(rule.id).alias("rule"),
                pl.lit(rule.title).alias("title"),
                pl.lit(rule.metric).alias("metric"),
                compiled.verdict().alias("verdict_code"),
                compiled.part.value.cast(F64).alias("value"),
                compiled.part.text.cast(pl.String).alias("required"),
                compiled.part.lo.cast(F64).alias("required_min"),
                compiled.part.hi.cast(F64).alias("required_max"),
                compiled.shortfall().cast(F64).alias("shortfall"),
                pl.lit(compiled.unit).alias("unit"),
                pl.lit(compiled.due, dtype=pl.Date).alias("due"),
                pl.lit(rule.strength).alias("strength"),
                pl.lit(rule.source.clause).alias("clause"),
                pl.lit(rule.source.quote).alias("quote"),
            )
            columns.append(frame_rule)
        if not columns:
            return _empty_details()
        details = pl.concat(columns, how="vertical_relaxed")
        # order: community input order, then jurisdiction, then rule order in the standard
        order = frame.select(pl.col("id"), pl.int_range(pl.len()).alias("_row"))
        rule_order = pl.DataFrame(
            {
                "jurisdiction": [r.jurisdiction for r in selected],
                "rule": [r.rule.id for r in selected],
                "_rule": list(range(len(selected))),
            }
        )
        details = (
            details.join(order, on="id", how="left")
            .join(rule_order, on=["jurisdiction", "rule"], how="left")
            .sort(["_row", "_rule"])
            .drop("_row", "_rule")
        )
        not_met = pl.col("verdict_code").is_in([PASS, FAIL]).not_()
        details = details.with_columns(
            pl.col("verdict_code")
            .replace_strict(list(range(len(VERDICTS))), list(VERDICTS), return_dtype=pl.String)
            .alias("verdict"),
            pl.when(pl.col("verdict_code") == FAIL)
            .then(pl.col("shortfall"))
            .when(pl.col("verdict_code") == PASS)
            .then(pl.lit(0.0))
            .otherwise(None)
            .alias("shortfall"),
            pl.when(not_met & (pl.col("verdict_code") == NOT_APPLICABLE))
            .then(None)
            .otherwise(pl.col("required"))
            .alias("required"),
        )
        if verdicts is not None:
            details = details.filter(pl.col("verdict").is_in(list(verdicts)))
        return details.select(DETAIL_COLUMNS)

    def aggregate_details(self) -> pl.DataFrame:
        """Results of aggregate rules: one row per jurisdiction × rule × district (and "(all)")."""
        if self.aggregates.is_empty():
            return self.aggregates
        return self.aggregates.with_columns(
            pl.col("verdict_code")
            .replace_strict(list(range(len(VERDICTS))), list(VERDICTS), return_dtype=pl.String)
            .alias("verdict")
        ).drop("verdict_code")

    def to_polars(self) -> pl.DataFrame:
        """Every community-level result as a long Polars DataFrame (expand only what you need on big data)."""
        return self.details()

    def records(self) -> list[dict[str, Any]]:
        """Every community-level result as plain dicts (dates as ISO text)."""
        return [
            {key: (value.isoformat() if isinstance(value, dt.date) else value) for key, value in row.items()}
            for row in self.details().iter_rows(named=True)
        ]


DETAIL_COLUMNS = [
    "id",
    "jurisdiction",
    "rule",
    "title",
    "metric",
    "verdict",
    "value",
    "required",
    "required_min",
    "required_max",
    "shortfall",
    "unit",
    "due",
    "strength",
    "clause",
    "quote",
]


def _empty_details() -> pl.DataFrame:
    schema: dict[str, Any] = dict.fromkeys(DETAIL_COLUMNS, pl.String)
    schema.update({"value": F64, "required_min": F64, "required_max": F64, "shortfall": F64, "due": pl.Date})
    return pl.DataFrame(schema=schema)


def community_frame(communities: Any) -> pl.DataFrame:
    """The community table of anything :func:`evaluate` accepts: a path, a CommunityTable, a frame, records."""
    if isinstance(communities, pl.DataFrame):
        return communities
    from ..io import CommunityTable, load_communities

    if isinstance(communities, CommunityTable):
        return communities.frame
    if isinstance(communities, (str, Path)):
        return load_communities(communities).frame
    from ..io import communities_frame

    return communities_frame(list(communities)).frame


def evaluate(
    communities: Any,
    jurisdictions: Iterable[str | LoadedStandard] | None = None,
    as_of: dt.date | None = None,
    registry: Registry | None = None,
) -> Results:
    """Judge communities under jurisdictions as of a date (default: today).

    :param communities: a path, a :class:`shequ.io.CommunityTable`, a Polars
        DataFrame in the canonical layout, or an iterable of
        :class:`shequ.model.Community`.
    :param jurisdictions: jurisdiction ids or loaded standards (default: all installed).
    :param as_of: the evaluation date: rules not yet due are ``not_due``.
    """
    registry = registry or get_registry()
    as_of = as_of or dt.date.today()
    standards = [
        j if isinstance(j, LoadedStandard) else registry.get(j) for j in (jurisdictions or [])
    ] or registry.select()
    frame = community_frame(communities)
    columns = frozenset(frame.columns)
    metrics = MetricResolver(registry.catalog, columns)
    compiled: list[CompiledRule] = []
    aggregate_rules: list[tuple[LoadedStandard, Rule]] = []
    for loaded in standards:
        rules, set_rules = compile_standard(loaded, metrics, as_of, columns)
        compiled += rules
        aggregate_rules += [(loaded, rule) for rule in set_rules]
    # aggregates may add metrics: compile their expressions before building the metrics table
    plans = [
        _plan_aggregate(i, rule, loaded, metrics, as_of, columns) for i, (loaded, rule) in enumerate(aggregate_rules)
    ]
    identity = [pl.col(c) for c in IDENTITY if c in columns]
    metrics_frame = metrics.table(frame)
    codes = metrics_frame.lazy().select(*identity, *(rule.verdict() for rule in compiled)).collect()
    aggregates = _evaluate_aggregates(plans, metrics_frame)
    return Results(
        as_of=as_of,
        jurisdictions=standards,
        rules=compiled,
        codes=codes,
        metrics_frame=metrics_frame,
        aggregates=aggregates,
    )


def input_columns(registry: Registry, standards: Iterable[LoadedStandard] | None = None) -> dict[str, str]:
    """The community-table columns the standards' rules read, each with its kind.

    Kinds: ``int`` (counts, members), ``floor``, ``float`` and ``list`` (flags,
    designations). Python-computed metrics contribute nothing: their inputs
    are not declared.
    """
    catalog = registry.catalog
    needed: dict[str, str] = {}

    def add(metric_id: str | None) -> None:
        if metric_id is None:
            return
        definition = catalog.metric(metric_id)
        if definition.compute is not None:
            return
        if definition.ratio:
            for part in definition.ratio:
                add(part)
            return
        family = metric_id.split(".")[0]
        if family in ("flag", "designation"):
            needed[f"{family}s"] = "list"
        elif family == "floor":
            needed[definition.column or metric_id] = "floor"
        elif family in ("count", "members"):
            needed[definition.column or metric_id] = "int"
        else:
            needed[definition.column or metric_id] = "float"

    for loaded in standards if standards is not None else registry.select():
        for rule in loaded.standard.rules:
            add(rule.metric)
            for flag in rule.applies_to.flags:
                add(f"flag.{flag}")
            for condition in rule.applies_to.when:
                add(condition.metric)
            for requirement in forms.walk(rule.requirement):
                for _field, metric_id in forms.references(requirement):
                    add(metric_id)
        for obligation in loaded.standard.obligations:
            add(obligation.basis)
    return dict(sorted(needed.items()))
