"""Helpers every comparison view shares: metric keys, display of bounds, the metrics table, dates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from .. import engine
from ..catalog import Catalog
from ..describe import condition_text, number, requirement_text
from ..engine import MetricResolver
from ..model import (
    Aggregate,
    AnyOf,
    Conditional,
    Maximum,
    Minimum,
    Range,
    Requirement,
    Rule,
    Share,
    Staged,
)

F64 = pl.Float64


def _applies_expr(item: Any, metrics: MetricResolver, columns: frozenset[str]) -> pl.Expr:
    """Whether a rule or obligation covers each community (null: unknown), as the engine decides it."""
    return engine.applies_expr(item, metrics, columns)


def _metrics_frame(frame: pl.DataFrame, metrics: MetricResolver, keep: Sequence[str]) -> pl.DataFrame:
    """The table the engine's metric expressions (``metrics.ref``) read, built as the engine builds it."""
    return metrics.table(frame)


def _with_masks(frame: pl.DataFrame, metrics: MetricResolver) -> pl.DataFrame:
    """The frame with the helper columns the resolver's expressions read (flag bit masks)."""
    return metrics.table(frame)


def _frame_of(communities: Any) -> pl.DataFrame:
    if isinstance(communities, pl.DataFrame):
        return communities
    if hasattr(communities, "frame"):
        return communities.frame
    from ..io import communities_frame, load_communities

    if isinstance(communities, (str, Path)):
        return load_communities(communities).frame
    return communities_frame(list(communities)).frame


def _as_of(as_of: dt.date | dt.datetime | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    return as_of.date() if isinstance(as_of, dt.datetime) else as_of


def _num(value: float | None) -> str:
    return "" if value is None else number(round(value, 6))


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit == "%" else f"{text} {unit}"


def bounds_text(lo: float | None, hi: float | None, unit: str = "") -> str:
    """``≥ 450 m²``, ``≤ 20%``, ``1000–2000 户`` (empty when neither bound is known)."""
    if lo is not None and hi is not None:
        if lo == hi:
            return _with_unit(f"= {_num(lo)}", unit)
        return _with_unit(f"{_num(lo)}–{_num(hi)}", unit)
    if lo is not None:
        return _with_unit(f"≥ {_num(lo)}", unit)
    if hi is not None:
        return _with_unit(f"≤ {_num(hi)}", unit)
    return ""


@attrs.frozen
class MetricKey:
    """One comparable quantity: its id, label, display unit and the factor from raw values."""

    key: str
    label: str
    unit: str
    scale: float = 1.0
    #: How this key was derived from the rule, when it is not simply the rule's metric.
    normalised: str | None = None


#: The key of aggregate rules that count communities (their metric is not read).
COMMUNITY_COUNT = MetricKey("number_of_communities", "社区数量", "个")


def _leaf(requirement: Requirement) -> Requirement:
    """The form that says what is measured (a staged rule's last stage, a conditional's ``then``)."""
    if isinstance(requirement, Staged):
        return _leaf(requirement.stages[-1].requirement)
    if isinstance(requirement, Conditional):
        return _leaf(requirement.then)
    return requirement


class _Keys:
    """Metric keys for rules of one catalog (ratio metrics looked up once)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.ratios = {
            definition.ratio: definition for definition in catalog.metrics.values() if definition.ratio is not None
        }

    def unit(self, metric: str) -> str:
        try:
            return self.catalog.metric(metric).unit
        except KeyError:
            return ""

    def label(self, metric: str) -> str:
        try:
            return self.catalog.metric(metric).zh
        except KeyError:
            return metric

    def of_metric(self, metric: str) -> MetricKey:
        unit = self.unit(metric)
        if unit == "比例":
            return MetricKey(metric, self.label(metric), "%", 100.0)
        return MetricKey(metric, self.label(metric), unit)

    def of_share(self, share: Share, metric: str) -> MetricKey:
        ratio = self.ratios.get((metric, share.of))
        if ratio is not None and share.per == 1:
            return MetricKey(ratio.id, ratio.zh, "%", 100.0, normalised=f"share of {metric} in {share.of} = {ratio.id}")
        label = f"{self.label(metric)} ÷ {self.label(share.of)}"
        if share.per == 1:
            return MetricKey(f"{metric}÷{share.of}", label, "%", 100.0)
        return MetricKey(f"{metric}÷{share.of}×{share.per:g}", label, f"per {share.per:g} {share.of}")

    def of_rule(self, rule: Rule) -> MetricKey:
        leaf = _leaf(rule.requirement)
        if isinstance(leaf, Aggregate) and leaf.statistic == "count":
            return COMMUNITY_COUNT  # the rule's metric is only a carrier
        metric = getattr(leaf, "metric", None) or rule.metric
        if isinstance(leaf, AnyOf):
            metric = rule.metric
        if isinstance(leaf, Share):
            return self.of_share(leaf, metric)
        return self.of_metric(metric)

    def of_requirement(self, requirement: Requirement, metric: str) -> MetricKey:
        metric = getattr(requirement, "metric", None) or metric
        if isinstance(requirement, Share):
            return self.of_share(requirement, metric)
        return self.of_metric(metric)

    def stated(self, requirement: Requirement, metric: str, top: str | None = None) -> str:
        """The requirement as the standard states it, in the key's display unit."""
        top = top or metric
        own = getattr(requirement, "metric", None)
        metric = own or metric
        prefix = f"{metric}: " if own and own != top else ""
        if isinstance(requirement, AnyOf):
            return " or ".join(f"({self.stated(o, metric, top)})" for o in requirement.options)
        if isinstance(requirement, Conditional):
            text = f"if {condition_text(requirement.when)}: {self.stated(requirement.then, metric, top)}"
            if requirement.otherwise is not None:
                text += f"; otherwise {self.stated(requirement.otherwise, metric, top)}"
            return text
        if isinstance(requirement, Staged):
            return "; ".join(
                f"{self.stated(s.requirement, metric, top)} by {s.due.isoformat()}" for s in requirement.stages
            )
        key = self.of_requirement(requirement, metric)
        if isinstance(requirement, Minimum):
            return prefix + bounds_text(requirement.value * key.scale, None, key.unit)
        if isinstance(requirement, Maximum):
            return prefix + bounds_text(None, requirement.value * key.scale, key.unit)
        if isinstance(requirement, Range):
            return prefix + bounds_text(requirement.min * key.scale, requirement.max * key.scale, key.unit)
        if isinstance(requirement, Share) and key.unit == "%":
            lo = None if requirement.min is None else requirement.min * 100
            hi = None if requirement.max is None else requirement.max * 100
            text = bounds_text(lo, hi, "%")
            return prefix + (text if key.normalised else f"{text} of {requirement.of}")
        unit = self.unit(metric)
        return prefix + requirement_text(
            attrs.evolve(requirement, metric=None) if own else requirement, "" if unit == "比例" else unit
        )


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A view's rows as plain dicts (dates as ISO text), for JSON and snapshots."""
    from ..output import plain

    return plain(frame.to_dicts())
