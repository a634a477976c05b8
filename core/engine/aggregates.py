"""Rules over a set of communities, judged per jurisdiction and per district by group-by."""

from __future__ import annotations

import datetime as dt
from functools import reduce

import attrs
import polars as pl

from ..forms import compile_requirement, stage_in_force
from ..model import BINDING_STRENGTHS, COMMUNITIES_METRIC, Aggregate, Rule
from ..registry import LoadedStandard
from .compile import _not_in_force, applies_expr, deadline, document_label
from .metrics import MetricResolver
from .verdicts import ALL_DISTRICTS, DEPARTS, F64, FAIL, NOT_APPLICABLE, NOT_DUE, NOT_IN_FORCE, PASS, UNKNOWN


@attrs.frozen
class _AggregatePlan:
    """One aggregate rule compiled: its in-force requirement and per-community columns."""

    index: int
    loaded: LoadedStandard
    rule: Rule
    requirement: Aggregate
    not_due: bool
    not_in_force: bool
    document: str
    due: dt.date | None
    covered: pl.Expr
    ok: pl.Expr
    value: pl.Expr
    of: pl.Expr

    def aggregations(self) -> list[pl.Expr]:
        """Per-group tallies; every community counts once, whatever its coverage."""
        i = self.index
        # a literal would count once per group: tie every input to a whole column
        whole = pl.col("id").is_not_null()
        raw_covered = self.covered & whole
        ok, value = self.ok, self.value
        of = pl.when(whole).then(self.of)
        covered = raw_covered.fill_null(False)
        return [
            covered.sum().alias(f"{i}:communities"),
            (covered & ok.fill_null(False)).sum().alias(f"{i}:met"),
            (covered & ok.is_null()).sum().alias(f"{i}:unknown"),
            value.filter(covered).sum().alias(f"{i}:sum"),
            (covered & value.is_null()).sum().alias(f"{i}:missing"),
            of.filter(covered).sum().alias(f"{i}:sum_of"),
            (covered & of.is_null()).sum().alias(f"{i}:missing_of"),
            raw_covered.is_null().sum().alias(f"{i}:uncertain_cover"),
        ]


def _plan_aggregate(
    index: int, rule: Rule, loaded: LoadedStandard, metrics: MetricResolver, as_of: dt.date, columns: frozenset[str]
) -> _AggregatePlan:
    requirement = rule.requirement
    document = loaded.standard.document(rule.source.document)
    # a deadline after an event is per community: validation refuses it on an aggregate rule
    due, rule_not_due, _pending, _on = deadline(rule, document.date, as_of, columns)
    not_due = False
    staged = stage_in_force(requirement, as_of)
    if staged is not None:
        stage, in_force = staged
        not_due, due, requirement = not in_force, stage.due, stage.requirement
    assert isinstance(requirement, Aggregate)  # Rule.aggregate: an aggregate, or stages of aggregates
    value = metrics.ref(rule.metric)
    if requirement.condition is not None:
        ok = compile_requirement(requirement.condition, rule.metric, metrics, as_of).ok
    elif rule.metric == COMMUNITIES_METRIC:
        ok = pl.lit(True)  # a count of the covered communities: no column is read
    else:
        ok = value.is_not_null()
    return _AggregatePlan(
        index=index,
        loaded=loaded,
        rule=rule,
        requirement=requirement,
        due=due,
        not_due=not_due or rule_not_due,
        not_in_force=_not_in_force(document, as_of),
        document=document_label(document),
        covered=applies_expr(rule, metrics, columns),
        ok=ok,
        value=value,
        of=metrics.ref(requirement.of) if requirement.of else pl.lit(None, dtype=F64),
    )


_TALLIES = ("communities", "met", "unknown", "sum", "missing", "sum_of", "missing_of", "uncertain_cover")


def _evaluate_aggregates(plans: list[_AggregatePlan], metrics_frame: pl.DataFrame) -> pl.DataFrame:
    """All aggregate rules in one pass for the whole and one group-by for the districts."""
    if not plans:
        return pl.DataFrame()
    whole_plans = [p for p in plans if p.requirement.scope != "district"]
    district_plans = [p for p in plans if p.requirement.scope != "jurisdiction" and "district" in metrics_frame.columns]
    lazy = metrics_frame.lazy()
    whole = lazy.select([a for p in whole_plans for a in p.aggregations()]).collect() if whole_plans else None
    by_district = None
    if district_plans:
        by_district = (
            lazy.group_by("district")
            .agg([a for p in district_plans for a in p.aggregations()])
            .collect()
            .with_columns(pl.col("district").fill_null("(no district)"))
            .sort("district")
        )
    frames = []
    for plan in plans:
        names = {f"{plan.index}:{t}": t for t in _TALLIES}
        parts = []
        if whole is not None and plan in whole_plans:
            parts.append(
                whole.select(pl.lit(ALL_DISTRICTS).alias("district"), *(pl.col(k).alias(v) for k, v in names.items()))
            )
        if by_district is not None and plan in district_plans:
            rows = by_district.select(pl.col("district"), *(pl.col(k).alias(v) for k, v in names.items()))
            # a district none of whose communities the rule covers is not listed
            parts.append(rows.filter((pl.col("communities") > 0) | (pl.col("uncertain_cover") > 0)))
        if parts:
            table = pl.concat(parts, how="vertical_relaxed")
            frames.append(_judge_aggregate(table, plan))
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def _judge_aggregate(table: pl.DataFrame, plan: _AggregatePlan) -> pl.DataFrame:
    rule, requirement, jurisdiction, due = plan.rule, plan.requirement, plan.loaded.id, plan.due
    n = pl.col("communities").cast(F64)
    statistic = requirement.statistic
    # the statistic's lowest and highest possible value, missing data read both ways
    low: pl.Expr
    high: pl.Expr
    if statistic == "share":
        # unknown communities could go either way: judge only when both readings agree
        low = pl.when(n > 0).then(pl.col("met") / n)
        high = pl.when(n > 0).then((pl.col("met") + pl.col("unknown")) / n)
    elif statistic == "sum":
        low = pl.col("sum")
        high = pl.when(pl.col("missing") == 0).then(pl.col("sum")).otherwise(float("inf"))
    elif statistic == "mean":
        low = high = pl.when((pl.col("missing") == 0) & (n > 0)).then(pl.col("sum") / n)
    elif statistic == "rate":
        low = high = pl.when((pl.col("missing") == 0) & (pl.col("missing_of") == 0) & (pl.col("sum_of") > 0)).then(
            pl.col("sum") / pl.col("sum_of") * requirement.per
        )
    elif requirement.condition is not None:  # count of communities meeting the condition
        low, high = pl.col("met").cast(F64), (pl.col("met") + pl.col("unknown")).cast(F64)
    else:  # count of covered communities
        low = high = n
    tests_pass, tests_fail = [], []
    if requirement.min is not None:
        tests_pass.append(low >= requirement.min)
        tests_fail.append(high < requirement.min)
    if requirement.max is not None:
        tests_pass.append(high <= requirement.max)
        tests_fail.append(low > requirement.max)
    passed = reduce(lambda a, b: a & b, tests_pass)
    failed = reduce(lambda a, b: a | b, tests_fail)
    not_met = FAIL if rule.strength in BINDING_STRENGTHS else DEPARTS
    verdict = (
        pl.when(pl.lit(plan.not_in_force))
        .then(pl.lit(NOT_IN_FORCE))
        .when(pl.lit(plan.not_due))
        .then(pl.lit(NOT_DUE))
        .when((pl.col("communities") == 0) & (pl.col("uncertain_cover") == 0))
        .then(pl.lit(NOT_APPLICABLE))
        .when(failed.fill_null(False))
        .then(pl.lit(not_met))
        .when(passed.fill_null(False) & (pl.col("uncertain_cover") == 0))
        .then(pl.lit(PASS))
        .otherwise(pl.lit(UNKNOWN))
    )
    # below the minimum however the unknown communities turn out, or above the maximum
    gaps = []
    if requirement.min is not None:
        gaps.append(pl.when(high < requirement.min).then(pl.lit(requirement.min) - high))
    if requirement.max is not None:
        gaps.append(pl.when(low > requirement.max).then(low - pl.lit(requirement.max)))
    shortfall = pl.when(verdict == not_met).then(pl.coalesce(gaps))
    return table.select(
        pl.lit(jurisdiction).alias("jurisdiction"),
        pl.lit(rule.id).alias("rule"),
        pl.col("district"),
        pl.lit(rule.metric).alias("metric"),
        pl.lit(statistic).alias("statistic"),
        verdict.cast(pl.Int8).alias("verdict_code"),
        pl.when(low == high).then(low).otherwise(None).alias("value"),
        pl.lit(requirement.min, dtype=F64).alias("required_min"),
        pl.lit(requirement.max, dtype=F64).alias("required_max"),
        shortfall.cast(F64).alias("shortfall"),
        pl.col("communities"),
        pl.col("met"),
        pl.col("unknown"),
        pl.lit(due, dtype=pl.Date).alias("due"),
        pl.lit(rule.strength).alias("strength"),
        pl.lit(plan.document).alias("document"),
    )
