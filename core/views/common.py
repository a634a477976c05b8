"""Helpers every comparison view shares: metric keys (what is compared, in which unit), the date, plain rows."""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import polars as pl

from .. import forms
from ..catalog import Catalog
from ..model import Requirement, Rule

F64 = pl.Float64


def _as_of(as_of: dt.date | dt.datetime | None) -> dt.date:
    if as_of is None:
        return dt.date.today()
    return as_of.date() if isinstance(as_of, dt.datetime) else as_of


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

    def of_share(self, metric: str, of: str, per: float) -> MetricKey:
        ratio = self.ratios.get((metric, of))
        if ratio is not None and per == 1:
            return MetricKey(ratio.id, ratio.zh, "%", 100.0, normalised=f"share of {metric} in {of} = {ratio.id}")
        label = f"{self.label(metric)} ÷ {self.label(of)}"
        if per == 1:
            return MetricKey(f"{metric}÷{of}", label, "%", 100.0)
        return MetricKey(f"{metric}÷{of}×{per:g}", label, f"per {per:g} {of}")

    def of_measured(self, measured: forms.Measured) -> MetricKey:
        """The key of what a requirement measures."""
        if measured.metric is None:
            return COMMUNITY_COUNT  # the rule's metric is only a carrier
        if measured.of is not None:
            return self.of_share(measured.metric, measured.of, measured.per)
        return self.of_metric(measured.metric)

    def of_rule(self, rule: Rule) -> MetricKey:
        return self.of_measured(forms.measured(forms.leaf(rule.requirement), rule.metric))

    def of_requirement(self, requirement: Requirement, metric: str) -> MetricKey:
        return self.of_measured(forms.measured(requirement, metric))

    def stated(self, requirement: Requirement, metric: str) -> str:
        """The requirement as the standard states it, in the key's display unit."""
        return forms.words(requirement, unit_of=self.unit, shown=self.of_measured, metric=metric)


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A view's rows as plain dicts (dates as ISO text), for JSON and snapshots."""
    from ..output import plain

    return plain(frame.to_dicts())
