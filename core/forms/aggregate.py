"""``aggregate``: a requirement on a set of communities, judged per jurisdiction and per district.

Its judgement is not a per-community :class:`~shequ.forms.compiling.Part`:
the engine tallies covered communities by group-by (:mod:`shequ.engine.aggregates`)
and compiles only the per-community ``condition`` through the dispatch.
"""

from __future__ import annotations

from ..model import Aggregate, Requirement
from .base import Form, Measured, Say
from .words import number, percent

_SCOPES = {
    "both": "per jurisdiction and per district",
    "jurisdiction": "across the jurisdiction",
    "district": "per district",
}


def _bound(aggregate: Aggregate, value: float) -> str:
    as_share = aggregate.statistic == "share" or (aggregate.statistic == "rate" and aggregate.per == 1)
    return percent(value, 1) if as_share else number(value)


class AggregateForm(Form[Aggregate]):
    def words(self, aggregate: Aggregate, say: Say) -> str:
        bounds = []
        if aggregate.min is not None and aggregate.min == aggregate.max:
            bounds.append(f"= {_bound(aggregate, aggregate.min)}")
        else:
            if aggregate.min is not None:
                bounds.append(f"≥ {_bound(aggregate, aggregate.min)}")
            if aggregate.max is not None:
                bounds.append(f"≤ {_bound(aggregate, aggregate.max)}")
        condition = say.words(aggregate.condition) if aggregate.condition is not None else None
        if aggregate.statistic == "share":
            what = f"share of communities where {condition or ''}"
        elif aggregate.statistic == "count":
            what = "number of communities" + (f" where {condition}" if condition is not None else "")
        elif aggregate.statistic == "rate":
            what = f"share of {aggregate.of}" if aggregate.per == 1 else f"per {number(aggregate.per)} {aggregate.of}"
        else:
            what = {"sum": "total", "mean": "mean"}[aggregate.statistic]
        return f"{what} {' and '.join(bounds)} ({_SCOPES[aggregate.scope]})"

    def nested(self, aggregate: Aggregate) -> tuple[Requirement, ...]:
        return () if aggregate.condition is None else (aggregate.condition,)

    def references(self, aggregate: Aggregate) -> tuple[tuple[str, str], ...]:
        return () if aggregate.of is None else (("of", aggregate.of),)

    def numbers(self, aggregate: Aggregate) -> tuple[tuple[str, float], ...]:
        found = [(name, value) for name, value in (("min", aggregate.min), ("max", aggregate.max)) if value is not None]
        if aggregate.per != 1:
            found.append(("per", aggregate.per))
        return tuple(found)

    def measured(self, aggregate: Aggregate, metric: str) -> Measured:
        # a count of communities does not read its rule's metric: the metric only carries the rule
        return Measured(None) if aggregate.statistic == "count" else Measured(metric)
