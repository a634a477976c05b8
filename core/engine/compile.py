"""Community-level rules compiled to Polars expressions for one evaluation date.

Each requirement compiles through its form (:func:`shequ.forms.compile_requirement`);
this module adds what every rule has whatever its form: whom it covers, when
it is due, and the verdict and shortfall expressions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import polars as pl

from ..forms import compile_requirement
from ..forms.compiling import Part, all_of, condition_expr
from ..model import Rule
from ..registry import LoadedStandard
from .metrics import KIND_ENUM, MetricResolver
from .verdicts import FAIL, NOT_APPLICABLE, NOT_DUE, PASS, UNKNOWN


@attrs.frozen
class CompiledRule:
    """A community-level rule of one jurisdiction, ready to evaluate."""

    key: str
    jurisdiction: str
    rule: Rule
    unit: str
    part: Part
    applies: pl.Expr
    not_due: bool
    due: dt.date | None
    document_date: dt.date | None

    def verdict(self) -> pl.Expr:
        part = self.part
        ok = part.ok
        coverage = (
            pl.when(self.applies.not_()).then(pl.lit(NOT_APPLICABLE)).when(self.applies.is_null()).then(pl.lit(UNKNOWN))
        )
        if self.not_due:
            verdict = coverage.otherwise(pl.lit(NOT_DUE))
        else:
            verdict = (
                coverage.when(ok.is_null()).then(pl.lit(UNKNOWN)).when(ok).then(pl.lit(PASS)).otherwise(pl.lit(FAIL))
            )
        return verdict.cast(pl.Int8).alias(self.key)

    def shortfall(self) -> pl.Expr:
        """How far below the minimum or above the maximum, in the metric's unit (0 when met)."""
        value, lo, hi = self.part.value, self.part.lo, self.part.hi
        below = pl.when(value < lo).then(lo - value)
        above = pl.when(value > hi).then(value - hi)
        return pl.coalesce([below, above, pl.when(value.is_not_null()).then(pl.lit(0.0))])


def applies_expr(item: Any, metrics: MetricResolver, columns: frozenset[str]) -> pl.Expr:
    """Whether a rule (or obligation: anything with ``applies_to``) covers each community; null: unknown."""
    rule = item
    tests = []
    if rule.applies_to.kinds:
        kind = pl.col(KIND_ENUM) if "kind" in columns else pl.lit(None, dtype=pl.String)
        tests.append(kind.is_in(list(rule.applies_to.kinds)))
    if rule.applies_to.districts:
        district = pl.col("district") if "district" in columns else pl.lit(None, dtype=pl.String)
        tests.append(district.is_in(list(rule.applies_to.districts)))
    for flag in rule.applies_to.flags:
        tests.append(metrics.ref(f"flag.{flag}") >= 1)
    for condition in rule.applies_to.when:
        tests.append(condition_expr(condition, metrics))
    return all_of(tests) if tests else pl.lit(True)


def _not_due(due: dt.date | None, document_date: dt.date | None, as_of: dt.date) -> bool:
    return (due is not None and as_of < due) or (document_date is not None and as_of < document_date)


def compile_standard(
    loaded: LoadedStandard, metrics: MetricResolver, as_of: dt.date, columns: frozenset[str]
) -> tuple[list[CompiledRule], list[Rule]]:
    """Compile a standard's community-level rules; return them and its aggregate rules."""
    compiled, aggregates = [], []
    for rule in loaded.standard.rules:
        if rule.aggregate:
            aggregates.append(rule)
            continue
        unit = metrics.catalog.metric(rule.metric).unit
        part = compile_requirement(rule.requirement, rule.metric, metrics, as_of, unit)
        unit = part.unit or unit
        applies = applies_expr(rule, metrics, columns)
        if part.applies is not None:
            applies = applies & part.applies
        document_date = loaded.standard.document(rule.source.document).date
        due = part.due or rule.due
        compiled.append(
            CompiledRule(
                key=f"{loaded.id}/{rule.id}",
                jurisdiction=loaded.id,
                rule=rule,
                unit=unit,
                part=part,
                applies=applies,
                due=due,
                document_date=document_date,
                not_due=part.not_due or _not_due(rule.due, document_date, as_of),
            )
        )
    return compiled, aggregates
