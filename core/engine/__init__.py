"""The columnar evaluation engine: every rule of every standard as Polars expressions.

Each rule compiles, once per evaluation date, to a handful of vectorised
expressions over the table of metrics (:mod:`.metrics`, :mod:`.compile`; each
requirement through its form in :mod:`shequ.forms`): whether it applies,
whether it is met, the measured value and the concrete bounds. The verdict
of every (community, jurisdiction, rule) is kept as one small integer
(``Int8``), so a million communities under five standards fit in
a few hundred megabytes; values, bounds and texts are computed again only for
the rows that are shown (:meth:`Results.details`). Rules over a set of
communities are judged per jurisdiction and per district by group-by
(:mod:`.aggregates`). Missing data is null and leads to ``unknown``, never to
``pass`` or ``fail``; the engine never prints. :mod:`.reference` is an
independent per-row evaluator that cross-checks the engine in tests.
"""

from __future__ import annotations

from ..forms import compile_requirement
from ..forms.compiling import Part
from .compile import CompiledRule, applies_expr, compile_standard
from .metrics import KIND_ENUM, MetricResolver
from .results import DETAIL_COLUMNS, Results, evaluate, input_columns
from .verdicts import (
    ALL_DISTRICTS,
    DEPARTS,
    FAIL,
    IDENTITY,
    NOT_APPLICABLE,
    NOT_DUE,
    NOT_IN_FORCE,
    PASS,
    UNKNOWN,
    VERDICTS,
)

__all__ = [
    "ALL_DISTRICTS",
    "DEPARTS",
    "DETAIL_COLUMNS",
    "FAIL",
    "IDENTITY",
    "KIND_ENUM",
    "NOT_APPLICABLE",
    "NOT_DUE",
    "NOT_IN_FORCE",
    "PASS",
    "UNKNOWN",
    "VERDICTS",
    "CompiledRule",
    "MetricResolver",
    "Part",
    "Results",
    "applies_expr",
    "compile_requirement",
    "compile_standard",
    "evaluate",
    "input_columns",
]
