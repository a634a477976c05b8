"""Community-level rules compiled to Polars expressions for one evaluation date."""

from __future__ import annotations

import datetime as dt
from functools import reduce
from typing import Any

import attrs
import polars as pl

from ..describe import condition_text
from ..model import (
    AnyOf,
    Condition,
    Conditional,
    Maximum,
    Minimum,
    Placement,
    Present,
    Range,
    Requirement,
    Rule,
    ScaledMinimum,
    Share,
    Staged,
)
from ..registry import LoadedStandard
from .metrics import KIND_ENUM, MetricResolver, _num, _share_text
from .verdicts import F64, FAIL, NOT_APPLICABLE, NOT_DUE, PASS, UNKNOWN


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
    applies: pl.Expr | None = None
    not_due: bool = False
    due: dt.date | None = None
    #: The unit of ``value`` when it is not the metric's own (a share is a ratio).
    unit: str | None = None


def _condition(condition: Condition, metrics: MetricResolver) -> pl.Expr:
    value = metrics.ref(condition.metric)
    tests = []
    if condition.min is not None:
        tests.append(value >= condition.min)
    if condition.max is not None:
        tests.append(value <= condition.max)
    if condition.present is not None:
        tests.append((value >= 1) == condition.present)
    return reduce(lambda a, b: a & b, tests)


def compile_requirement(
    requirement: Requirement, metric_id: str, metrics: MetricResolver, as_of: dt.date, unit: str = ""
) -> Part:
    """Compile a (non-aggregate) requirement to expressions for the date ``as_of``."""
    metric_id = getattr(requirement, "metric", None) or metric_id
    suffix = f" {unit}" if unit and unit != "比例" else ""
    if isinstance(requirement, Minimum):
        value, lo = metrics.ref(metric_id), pl.lit(requirement.value, dtype=F64)
        return Part(value=value, ok=value >= lo, lo=lo, text=pl.concat_str([pl.lit("≥ "), _num(lo), pl.lit(suffix)]))
    if isinstance(requirement, Maximum):
        value, hi = metrics.ref(metric_id), pl.lit(requirement.value, dtype=F64)
        return Part(value=value, ok=value <= hi, hi=hi, text=pl.concat_str([pl.lit("≤ "), _num(hi), pl.lit(suffix)]))
    if isinstance(requirement, Range):
        value = metrics.ref(metric_id)
        lo, hi = pl.lit(requirement.min, dtype=F64), pl.lit(requirement.max, dtype=F64)
        return Part(
            value=value,
            ok=(value >= lo) & (value <= hi),
            lo=lo,
            hi=hi,
            text=pl.concat_str([_num(lo), pl.lit("–"), _num(hi), pl.lit(suffix)]),
        )
    if isinstance(requirement, ScaledMinimum):
        value, basis = metrics.ref(metric_id), metrics.ref(requirement.basis)
        scaled = basis / requirement.per * requirement.rate
        if requirement.floor is not None:
            lo = pl.when(basis.is_null()).then(None).otherwise(pl.max_horizontal(scaled, pl.lit(requirement.floor)))
            # below the floor fails whatever the basis; above it, the basis decides
            ok = pl.when(lo.is_not_null()).then(value >= lo).when(value < requirement.floor).then(False).otherwise(None)
        else:
            lo, ok = scaled, value >= scaled
        return Part(value=value, ok=ok, lo=lo.cast(F64), text=pl.concat_str([pl.lit("≥ "), _num(lo), pl.lit(suffix)]))
    if isinstance(requirement, Share):
        numerator, denominator = metrics.ref(metric_id), metrics.ref(requirement.of)
        value = pl.when(denominator > 0).then(numerator / denominator * requirement.per).otherwise(None)
        tests, texts = [], []
        lo = pl.lit(requirement.min, dtype=F64)
        hi = pl.lit(requirement.max, dtype=F64)
        if requirement.min is not None:
            tests.append(value >= requirement.min)
            texts.append(pl.concat_str([pl.lit("≥ "), _share_text(lo, requirement.per)]))
        if requirement.max is not None:
            tests.append(value <= requirement.max)
            texts.append(pl.concat_str([pl.lit("≤ "), _share_text(hi, requirement.per)]))
        text = pl.concat_str([pl.concat_str(texts, separator=" and "), pl.lit(f" of {requirement.of}")])
        return Part(
            value=value,
            ok=reduce(lambda a, b: a & b, tests),
            lo=lo,
            hi=hi,
            text=text,
            unit="比例" if requirement.per == 1 else f"per {requirement.per:g} {requirement.of}",
        )
    if isinstance(requirement, Present):
        value = metrics.ref(metric_id)
        return Part(value=value, ok=value >= 1, lo=pl.lit(1.0, dtype=F64), text=pl.lit("present"))
    if isinstance(requirement, Placement):
        value = metrics.ref(metric_id)
        ok = value.is_in([float(f) for f in requirement.floors])
        if requirement.basement:
            ok = ok | (value < 0)
        floors = " or ".join(str(f) for f in requirement.floors)
        text = f"floor {floors}" + ("" if requirement.basement else ", not a basement")
        return Part(
            value=value,
            ok=ok,
            lo=pl.lit(float(min(requirement.floors))),
            hi=pl.lit(float(max(requirement.floors))),
            text=pl.lit(text),
        )
    if isinstance(requirement, Conditional):
        holds = _condition(requirement.when, metrics)
        then = compile_requirement(requirement.then, metric_id, metrics, as_of, unit)
        when_text = condition_text(requirement.when)
        if requirement.otherwise is None:
            return attrs.evolve(
                then,
                applies=holds if then.applies is None else holds & then.applies,
                text=pl.concat_str([pl.lit(f"if {when_text}: "), then.text]),
            )
        other = compile_requirement(requirement.otherwise, metric_id, metrics, as_of, unit)

        def pick(a: pl.Expr, b: pl.Expr) -> pl.Expr:
            return pl.when(holds.is_null()).then(None).when(holds).then(a).otherwise(b)

        applies = None
        if then.applies is not None or other.applies is not None:
            applies = pick(
                then.applies if then.applies is not None else pl.lit(True),
                other.applies if other.applies is not None else pl.lit(True),
            )
        return Part(
            value=pick(then.value, other.value),
            ok=pick(then.ok, other.ok),
            lo=pick(then.lo, other.lo),
            hi=pick(then.hi, other.hi),
            applies=applies,
            text=pl.when(holds)
            .then(pl.concat_str([pl.lit(f"({when_text}) "), then.text]))
            .otherwise(pl.concat_str([pl.lit(f"(not {when_text}) "), other.text])),
        )
    if isinstance(requirement, Staged):
        in_force = [stage for stage in requirement.stages if stage.due <= as_of]
        if not in_force:
            first = requirement.stages[0]
            part = compile_requirement(first.requirement, metric_id, metrics, as_of, unit)
            return attrs.evolve(part, not_due=True, due=first.due)
        stage = in_force[-1]
        part = compile_requirement(stage.requirement, metric_id, metrics, as_of, unit)
        return attrs.evolve(
            part, due=stage.due, text=pl.concat_str([part.text, pl.lit(f" (from {stage.due.isoformat()})")])
        )
    if isinstance(requirement, AnyOf):
        options = [compile_requirement(option, metric_id, metrics, as_of, unit) for option in requirement.options]
        ok = reduce(lambda a, b: a | b, (option.ok for option in options))  # Kleene: true wins over null
        text = pl.concat_str([option.text for option in options], separator=" or ")
        first_met = pl.coalesce([pl.when(option.ok).then(option.value) for option in options] + [options[0].value])
        return Part(value=first_met, ok=ok, text=text, lo=options[0].lo, hi=options[0].hi)
    raise TypeError(f"cannot compile requirement form {requirement.form!r} per community")


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
        verdict = (
            pl.when(self.applies.not_()).then(pl.lit(NOT_APPLICABLE)).when(self.applies.is_null()).then(pl.lit(UNKNOWN))
        )
        if self.not_due:
            verdict = verdict.otherwise(pl.lit(NOT_DUE))
        else:
            verdict = (
                verdict.when(ok.is_null()).then(pl.lit(UNKNOWN)).when(ok).then(pl.lit(PASS)).otherwise(pl.lit(FAIL))
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
        tests.append(_condition(condition, metrics))
    return reduce(lambda a, b: a & b, tests) if tests else pl.lit(True)


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
