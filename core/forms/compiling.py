"""The Polars side of the forms: the :class:`Part` a form compiles to and the expression helpers forms share.

This is the one module of :mod:`shequ.forms` that imports Polars at the top.
The engine imports it; a form module imports it only inside its ``compile``
method, so listing or checking a standard never loads Polars.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import reduce
from typing import Protocol

import attrs
import polars as pl

from ..model import Condition

F64 = pl.Float64


class Metrics(Protocol):
    """Where compiled forms read catalog metrics from (the engine's :class:`~shequ.engine.MetricResolver`)."""

    def ref(self, metric_id: str) -> pl.Expr:
        """The metric as a Float64 expression, null where missing."""
        ...


@attrs.frozen
class Part:
    """A requirement compiled for one evaluation date.

    ok: met (true), not met (false), unknown (null). applies: extra
    applicability a conditional adds (false → not applicable). lo/hi: the
    concrete bounds; text: the requirement as this community must meet it.
    """

    value: pl.Expr
    ok: pl.Expr
    text: pl.Expr
    lo: pl.Expr = pl.lit(None, dtype=F64)  # noqa: RUF009 -- an immutable null literal, safe to share
    hi: pl.Expr = pl.lit(None, dtype=F64)  # noqa: RUF009 -- an immutable null literal, safe to share
    #: What is known of the minimum where ``lo`` is not (a floor whose basis is missing): the
    #: requirement is at least this, so a shortfall below it is a lower bound.
    least: pl.Expr = pl.lit(None, dtype=F64)  # noqa: RUF009 -- an immutable null literal, safe to share
    applies: pl.Expr | None = None
    not_due: bool = False
    due: dt.date | None = None
    #: The unit of ``value`` when it is not the metric's own (a share is a ratio).
    unit: str | None = None


def widened(lo: float, hi: float, tolerance: float | None) -> tuple[float, float]:
    """Bounds widened by a relative tolerance: ``lo × (1 − t)``, ``hi × (1 + t)`` (as stated without one)."""
    if tolerance is None:
        return lo, hi
    return lo * (1 - tolerance), hi * (1 + tolerance)


def all_of(tests: Iterable[pl.Expr]) -> pl.Expr:
    """Every test holds (Kleene: false wins over null)."""
    return reduce(lambda a, b: a & b, tests)


def any_of(tests: Iterable[pl.Expr]) -> pl.Expr:
    """Some test holds (Kleene: true wins over null)."""
    return reduce(lambda a, b: a | b, tests)


def number_text(expr: pl.Expr) -> pl.Expr:
    """A number as text: 450 not 450.0, 0.35 not 0.35000001."""
    rounded = expr.round(2)
    return (
        pl.when(rounded == rounded.round(0))
        .then(rounded.round(0).cast(pl.Int64).cast(pl.String))
        .otherwise(rounded.cast(pl.String))
    )


def amount_text(expr: pl.Expr, unit: str) -> pl.Expr:
    """A stated bound as text in its unit: ``450 m²``; on a rate (比例) a percentage, ``30%``."""
    from .words import RATE_UNIT, suffix

    if unit == RATE_UNIT:
        return share_text(expr, 1)
    return pl.concat_str([number_text(expr), pl.lit(suffix(unit))])


def share_text(expr: pl.Expr, per: float) -> pl.Expr:
    """A share as text: ``4%``, or ``2 per 10000``."""
    if per == 1:
        return pl.concat_str([number_text(expr * 100), pl.lit("%")])
    return pl.concat_str([number_text(expr), pl.lit(f" per {per:g}")])


def condition_expr(condition: Condition, metrics: Metrics) -> pl.Expr:
    """Whether a condition holds for each community (null: its metric is unknown), as :meth:`Condition.holds`."""
    value = metrics.ref(condition.metric)
    tests = []
    if condition.min is not None:
        tests.append(value >= condition.min)
    if condition.max is not None:
        tests.append(value <= condition.max)
    if condition.present is not None:
        tests.append((value >= 1) == condition.present)
    return all_of(tests)
