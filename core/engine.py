"""The columnar evaluation engine: every rule of every standard as Polars expressions.

Each rule compiles, once per evaluation date, to a handful of vectorised
expressions over the table of metrics: whether it applies, whether it is met,
the measured value and the concrete bounds. The verdict of every
(community, jurisdiction, rule) is kept as one small integer (``Int8``), so a
million communities under five standards fit in a few hundred megabytes; the
values, bounds and texts are computed again only for the rows that are shown
(:meth:`Results.details`). Rules over a set of communities (aggregates) are
judged per jurisdiction and per district by group-by. Missing data is null and
leads to ``unknown``, never to ``pass`` or ``fail``; the engine never prints.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import reduce
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from .catalog import Catalog
from .describe import condition_text
from .model import (
    COMMUNITY_KINDS, Aggregate, AnyOf, Condition, Conditional, Maximum, Minimum, Placement, Present, Range,
    Requirement, Rule, ScaledMinimum, Share, Staged,
)
from .registry import LoadedStandard, Registry, get_registry

VERDICTS = ("pass", "fail", "not_applicable", "not_due", "unknown")
PASS, FAIL, NOT_APPLICABLE, NOT_DUE, UNKNOWN = range(5)
ALL_DISTRICTS = "(all)"
IDENTITY = ("id", "name", "district", "kind")

F64 = pl.Float64


_MASK_BITS = 62
KIND_ENUM = "_kind"  # the community kind as an Enum column of the metrics table


def _mask_column(lists: str, chunk: int) -> str:
    return f"_mask:{lists}:{chunk}"


def _num(expr: pl.Expr) -> pl.Expr:
    """A number as text: 450 not 450.0, 0.35 not 0.35000001."""
    rounded = expr.round(2)
    return (
        pl.when(rounded == rounded.round(0))
        .then(rounded.round(0).cast(pl.Int64).cast(pl.String))
        .otherwise(rounded.cast(pl.String))
    )


def _share_text(expr: pl.Expr, per: float) -> pl.Expr:
    if per == 1:
        return pl.concat_str([_num(expr * 100), pl.lit("%")])
    return pl.concat_str([_num(expr), pl.lit(f" per {per:g}")])


# --------------------------------------------------------------------------
# Metrics


@attrs.define
class MetricResolver:
    """Expressions for catalog metrics over the columns a community table has."""

    catalog: Catalog
    columns: frozenset[str]
    used: dict[str, pl.Expr] = attrs.Factory(dict)
    #: list column → the members rules ask about, each given one bit of a mask column
    bits: dict[str, list[str]] = attrs.Factory(dict)

    def expr(self, metric_id: str) -> pl.Expr:
        """The metric as a Float64 expression over the community table (null where missing)."""
        if metric_id not in self.used:
            self.used[metric_id] = self._build(metric_id)
        return self.used[metric_id]

    def ref(self, metric_id: str) -> pl.Expr:
        """The metric as an expression over the metrics table (see :meth:`table`).

        Metrics are computed inline in every rule that reads them rather than
        materialised as a table of floats: column references and casts are
        cheaper than a gigabyte of copies at national scale.
        """
        return self.expr(metric_id)

    def _column(self, name: str) -> pl.Expr:
        if name in self.columns:
            return pl.col(name).cast(F64)
        family, _, member = name.partition(".")
        if family == "count" and f"area.{member}" in self.columns:
            # a table of areas knows a facility exists where its area is positive
            return (pl.col(f"area.{member}") > 0).cast(F64)
        return pl.lit(None, dtype=F64)

    def _build(self, metric_id: str) -> pl.Expr:
        definition = self.catalog.metric(metric_id)
        if definition.compute is not None:
            return definition.compute(self.expr).cast(F64)  # type: ignore[operator]
        if definition.ratio is not None:
            numerator, denominator = (self.expr(m) for m in definition.ratio)
            return pl.when(denominator > 0).then(numerator / denominator).otherwise(None)
        family, _, member = metric_id.partition(".")
        if family in ("flag", "designation"):
            lists = f"{family}s"
            if lists not in self.columns:
                return pl.lit(None, dtype=F64)
            # one pass over the list column sets a bit per member asked about; each flag is then a bit test
            members = self.bits.setdefault(lists, [])
            members.append(member)
            chunk, bit = divmod(len(members) - 1, _MASK_BITS)
            return ((pl.col(_mask_column(lists, chunk)) & (1 << bit)) != 0).cast(F64)
        return self._column(definition.column or metric_id)

    def masks(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The bit-mask columns behind flag and designation metrics (null where the list is unknown).

        Each list is exploded once (an element-wise ``list.eval`` is far slower on
        lists Polars has sliced or gathered). Communities usually share a few
        combinations: then each distinct list is computed once and joined back;
        when most lists differ, rows are grouped by their index instead.
        """
        columns = []
        for lists, members in self.bits.items():
            values = pl.col(lists).cast(pl.List(pl.String))  # an all-empty column may come typed List(Null)
            keys = frame.select(values.list.join("\x1f").alias("_key"), values.is_null().alias("_null"),
                                pl.int_range(pl.len()).alias("_row"))
            if keys.get_column("_key").n_unique() * 4 <= max(frame.height, 1):
                by = "_key"
                items = (keys.select("_key").unique().drop_nulls()
                         .with_columns(pl.col("_key").str.split("\x1f").alias("_items")))
            else:
                by = "_row"
                items = frame.select(pl.int_range(pl.len()).alias("_row"), values.alias("_items"))
            exploded = items.explode("_items")
            for chunk in range(0, len(members), _MASK_BITS):
                mapping = {member: 1 << bit for bit, member in enumerate(members[chunk:chunk + _MASK_BITS])}
                bits = exploded.group_by(by).agg(
                    pl.col("_items").unique().replace_strict(mapping, default=0, return_dtype=pl.Int64).sum()
                    .alias("_mask"))
                mask = (keys.join(bits, on=by, how="left", maintain_order="left")
                        .select(pl.when(pl.col("_null")).then(None).otherwise(pl.col("_mask").fill_null(0))))
                columns.append(mask.to_series().alias(_mask_column(lists, chunk // _MASK_BITS)))
        return pl.DataFrame(columns, height=frame.height) if columns else pl.DataFrame(height=frame.height)

    def table(self, frame: pl.DataFrame) -> pl.DataFrame:
        """The table metric expressions evaluate over: the community table, its flag masks, its kind as an Enum."""
        masks = self.masks(frame)
        if "kind" in frame.columns:
            # kinds compared as small integers, not strings: a rule's coverage test is then nearly free;
            # a kind outside the vocabulary reads as unknown
            masks = masks.with_columns(frame.get_column("kind").cast(pl.String)
                                       .cast(pl.Enum(list(COMMUNITY_KINDS)), strict=False).alias(KIND_ENUM))
        return frame.hstack(masks) if masks.width else frame


# --------------------------------------------------------------------------
# Compiling requirements


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
    lo: pl.Expr = pl.lit(None, dtype=F64)
    hi: pl.Expr = pl.lit(None, dtype=F64)
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


def compile_requirement(requirement: Requirement, metric_id: str, metrics: MetricResolver,
                        as_of: dt.date, unit: str = "") -> Part:
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
        return Part(value=value, ok=(value >= lo) & (value <= hi), lo=lo, hi=hi,
                    text=pl.concat_str([_num(lo), pl.lit("–"), _num(hi), pl.lit(suffix)]))
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
        return Part(value=value, ok=reduce(lambda a, b: a & b, tests), lo=lo, hi=hi, text=text,
                    unit="比例" if requirement.per == 1 else f"per {requirement.per:g} {requirement.of}")
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
        return Part(value=value, ok=ok, lo=pl.lit(float(min(requirement.floors))),
                    hi=pl.lit(float(max(requirement.floors))), text=pl.lit(text))
    if isinstance(requirement, Conditional):
        holds = _condition(requirement.when, metrics)
        then = compile_requirement(requirement.then, metric_id, metrics, as_of, unit)
        when_text = condition_text(requirement.when)
        if requirement.otherwise is None:
            return attrs.evolve(then, applies=holds if then.applies is None else holds & then.applies,
                                text=pl.concat_str([pl.lit(f"if {when_text}: "), then.text]))
        other = compile_requirement(requirement.otherwise, metric_id, metrics, as_of, unit)

        def pick(a: pl.Expr, b: pl.Expr) -> pl.Expr:
            return pl.when(holds.is_null()).then(None).when(holds).then(a).otherwise(b)

        applies = None
        if then.applies is not None or other.applies is not None:
            applies = pick(then.applies if then.applies is not None else pl.lit(True),
                           other.applies if other.applies is not None else pl.lit(True))
        return Part(value=pick(then.value, other.value), ok=pick(then.ok, other.ok), lo=pick(then.lo, other.lo),
                    hi=pick(then.hi, other.hi), applies=applies,
                    text=pl.when(holds).then(pl.concat_str([pl.lit(f"({when_text}) "), then.text]))
                    .otherwise(pl.concat_str([pl.lit(f"(not {when_text}) "), other.text])))
    if isinstance(requirement, Staged):
        in_force = [stage for stage in requirement.stages if stage.due <= as_of]
        if not in_force:
            first = requirement.stages[0]
            part = compile_requirement(first.requirement, metric_id, metrics, as_of, unit)
            return attrs.evolve(part, not_due=True, due=first.due)
        stage = in_force[-1]
        part = compile_requirement(stage.requirement, metric_id, metrics, as_of, unit)
        return attrs.evolve(part, due=stage.due,
                            text=pl.concat_str([part.text, pl.lit(f" (from {stage.due.isoformat()})")]))
    if isinstance(requirement, AnyOf):
        options = [compile_requirement(option, metric_id, metrics, as_of, unit) for option in requirement.options]
        ok = reduce(lambda a, b: a | b, (option.ok for option in options))  # Kleene: true wins over null
        text = pl.concat_str([option.text for option in options], separator=" or ")
        first_met = pl.coalesce([pl.when(option.ok).then(option.value) for option in options] + [options[0].value])
        return Part(value=first_met, ok=ok, text=text, lo=options[0].lo, hi=options[0].hi)
    raise TypeError(f"cannot compile requirement form {requirement.form!r} per community")


# --------------------------------------------------------------------------
# Compiling rules


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
        verdict = pl.when(self.applies.not_()).then(pl.lit(NOT_APPLICABLE)).when(self.applies.is_null()).then(pl.lit(UNKNOWN))
        if self.not_due:
            verdict = verdict.otherwise(pl.lit(NOT_DUE))
        else:
            verdict = verdict.when(ok.is_null()).then(pl.lit(UNKNOWN)).when(ok).then(pl.lit(PASS)).otherwise(pl.lit(FAIL))
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


def compile_standard(loaded: LoadedStandard, metrics: MetricResolver, as_of: dt.date,
                     columns: frozenset[str]) -> tuple[list[CompiledRule], list[Rule]]:
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
        compiled.append(CompiledRule(
            key=f"{loaded.id}/{rule.id}", jurisdiction=loaded.id, rule=rule, unit=unit, part=part,
            applies=applies, due=due, document_date=document_date,
            not_due=part.not_due or _not_due(rule.due, document_date, as_of),
        ))
    return compiled, aggregates


# --------------------------------------------------------------------------
# Aggregates


@attrs.frozen
class _AggregatePlan:
    """One aggregate rule compiled: its in-force requirement and per-community columns."""

    index: int
    loaded: LoadedStandard
    rule: Rule
    requirement: Aggregate
    not_due: bool
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


def _plan_aggregate(index: int, rule: Rule, loaded: LoadedStandard, metrics: MetricResolver,
                    as_of: dt.date, columns: frozenset[str]) -> _AggregatePlan:
    requirement = rule.requirement
    due = rule.due
    not_due = False
    if isinstance(requirement, Staged):
        in_force = [stage for stage in requirement.stages if stage.due <= as_of]
        stage = in_force[-1] if in_force else requirement.stages[0]
        not_due, due, requirement = not in_force, stage.due, stage.requirement
    assert isinstance(requirement, Aggregate)
    document_date = loaded.standard.document(rule.source.document).date
    value = metrics.ref(rule.metric)
    if requirement.condition is not None:
        ok = compile_requirement(requirement.condition, rule.metric, metrics, as_of).ok
    else:
        ok = value.is_not_null()
    return _AggregatePlan(
        index=index, loaded=loaded, rule=rule, requirement=requirement, due=due,
        not_due=not_due or _not_due(rule.due, document_date, as_of),
        covered=applies_expr(rule, metrics, columns), ok=ok, value=value,
        of=metrics.ref(requirement.of) if requirement.of else pl.lit(None, dtype=F64),
    )


_TALLIES = ("communities", "met", "unknown", "sum", "missing", "sum_of", "missing_of", "uncertain_cover")


def _evaluate_aggregates(plans: list[_AggregatePlan], metrics_frame: pl.DataFrame) -> pl.DataFrame:
    """All aggregate rules in one pass for the whole and one group-by for the districts."""
    if not plans:
        return pl.DataFrame()
    whole_plans = [p for p in plans if p.requirement.scope != "district"]
    district_plans = [p for p in plans if p.requirement.scope != "jurisdiction"
                      and "district" in metrics_frame.columns]
    lazy = metrics_frame.lazy()
    whole = lazy.select([a for p in whole_plans for a in p.aggregations()]).collect() if whole_plans else None
    by_district = None
    if district_plans:
        by_district = (lazy.group_by("district")
                       .agg([a for p in district_plans for a in p.aggregations()]).collect()
                       .with_columns(pl.col("district").fill_null("(no district)"))
                       .sort("district"))
    frames = []
    for plan in plans:
        names = {f"{plan.index}:{t}": t for t in _TALLIES}
        parts = []
        if whole is not None and plan in whole_plans:
            parts.append(whole.select(pl.lit(ALL_DISTRICTS).alias("district"),
                                      *(pl.col(k).alias(v) for k, v in names.items())))
        if by_district is not None and plan in district_plans:
            rows = by_district.select(pl.col("district"), *(pl.col(k).alias(v) for k, v in names.items()))
            # a district none of whose communities the rule covers is not listed
            parts.append(rows.filter((pl.col("communities") > 0) | (pl.col("uncertain_cover") > 0)))
        if parts:
            table = pl.concat(parts, how="vertical_relaxed")
            frames.append(_judge_aggregate(table, plan.rule, plan.requirement, plan.loaded.id, plan.not_due, plan.due))
    return pl.concat(frames, how="vertical_relaxed") if frames else pl.DataFrame()


def _judge_aggregate(table: pl.DataFrame, rule: Rule, requirement: Aggregate, jurisdiction: str,
                     not_due: bool, due: dt.date | None) -> pl.DataFrame:
    n = pl.col("communities").cast(F64)
    statistic = requirement.statistic
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
            pl.col("sum") / pl.col("sum_of") * requirement.per)
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
    verdict = (
        pl.when(pl.lit(not_due)).then(pl.lit(NOT_DUE))
        .when((pl.col("communities") == 0) & (pl.col("uncertain_cover") == 0)).then(pl.lit(NOT_APPLICABLE))
        .when(failed.fill_null(False)).then(pl.lit(FAIL))
        .when(passed.fill_null(False) & (pl.col("uncertain_cover") == 0)).then(pl.lit(PASS))
        .otherwise(pl.lit(UNKNOWN))
    )
    lo = requirement.min
    shortfall = pl.when(verdict == FAIL).then(
        (pl.lit(lo) - high) if lo is not None else (low - pl.lit(requirement.max)))
    return table.select(
        pl.lit(jurisdiction).alias("jurisdiction"), pl.lit(rule.id).alias("rule"), pl.col("district"),
        pl.lit(rule.metric).alias("metric"), pl.lit(statistic).alias("statistic"),
        verdict.cast(pl.Int8).alias("verdict_code"),
        pl.when(low == high).then(low).otherwise(None).alias("value"),
        pl.lit(requirement.min, dtype=F64).alias("required_min"),
        pl.lit(requirement.max, dtype=F64).alias("required_max"),
        shortfall.cast(F64).alias("shortfall"),
        pl.col("communities"), pl.col("met"), pl.col("unknown"),
        pl.lit(due, dtype=pl.Date).alias("due"),
    )


# --------------------------------------------------------------------------
# Results


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
                .cast(pl.Int32).alias(name)
                for code, name in enumerate(VERDICTS)
            ]
            frames.append(self.codes.lazy().select(*identity, pl.lit(loaded.id).alias("jurisdiction"), *counts))
        if not frames:
            return pl.DataFrame(schema={"id": pl.String, "jurisdiction": pl.String})
        judged = pl.col("pass") + pl.col("fail")
        return pl.concat(frames).with_columns(
            pl.when(judged > 0).then(pl.col("pass") / judged).otherwise(None).alias("compliance")
        ).collect()

    def has_failures(self) -> bool:
        """Whether any community (or set of communities) fails any rule."""
        keys = [r.key for r in self.rules]
        failing = bool(keys) and self.codes.select(
            pl.any_horizontal([pl.col(k) == FAIL for k in keys]).any()).item()
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
        counts = pl.concat_str([
            pl.col("pass").cast(pl.String), pl.lit("/"), pl.col("fail").cast(pl.String), pl.lit("/"),
            pl.col("unknown").cast(pl.String),
            pl.when(pl.col("compliance").is_not_null())
            .then(pl.concat_str([pl.lit(" ("), (pl.col("compliance") * 100).round(0).cast(pl.Int64)
                                 .cast(pl.String), pl.lit("%)")]))
            .otherwise(pl.lit("")),
        ])
        judged = pl.col("pass") + pl.col("fail") + pl.col("unknown")
        cell = (pl.when(judged > 0).then(counts)
                .when(pl.col("not_due") > 0).then(pl.lit("not due"))
                .otherwise(pl.lit("not covered")))
        summary = self.summary().with_columns(cell.alias("cell"))
        identity = [c for c in ("id", "name", "district", "kind") if c in summary.columns]
        wide = summary.pivot(on="jurisdiction", index=identity, values="cell")
        return wide

    def details(self, ids: Sequence[str] | None = None, jurisdictions: Sequence[str] | None = None,
                rules: Sequence[str] | None = None, verdicts: Sequence[str] | None = None) -> pl.DataFrame:
        """One row per (community, jurisdiction, rule) with value, requirement, shortfall and source."""
        frame = self.metrics_frame
        if ids is not None:
            frame = frame.filter(pl.col("id").is_in(list(ids)))
        selected = [r for r in self.rules
                    if (jurisdictions is None or r.jurisdiction in jurisdictions)
                    and (rules is None or r.rule.id in rules)]
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
        rule_order = pl.DataFrame({"jurisdiction": [r.jurisdiction for r in selected],
                                   "rule": [r.rule.id for r in selected],
                                   "_rule": list(range(len(selected)))})
        details = (details.join(order, on="id", how="left").join(rule_order, on=["jurisdiction", "rule"], how="left")
                   .sort(["_row", "_rule"]).drop("_row", "_rule"))
        not_met = pl.col("verdict_code").is_in([PASS, FAIL]).not_()
        details = details.with_columns(
            pl.col("verdict_code").replace_strict(list(range(5)), list(VERDICTS), return_dtype=pl.String).alias("verdict"),
            pl.when(pl.col("verdict_code") == FAIL).then(pl.col("shortfall"))
            .when(pl.col("verdict_code") == PASS).then(pl.lit(0.0)).otherwise(None).alias("shortfall"),
            pl.when(not_met & (pl.col("verdict_code") == NOT_APPLICABLE)).then(None)
            .otherwise(pl.col("required")).alias("required"),
        )
        if verdicts is not None:
            details = details.filter(pl.col("verdict").is_in(list(verdicts)))
        return details.select(DETAIL_COLUMNS)

    def aggregate_details(self) -> pl.DataFrame:
        """Results of aggregate rules: one row per jurisdiction × rule × district (and "(all)")."""
        if self.aggregates.is_empty():
            return self.aggregates
        return self.aggregates.with_columns(
            pl.col("verdict_code").replace_strict(list(range(5)), list(VERDICTS), return_dtype=pl.String).alias("verdict")
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


DETAIL_COLUMNS = ["id", "jurisdiction", "rule", "title", "metric", "verdict", "value", "required", "required_min",
                  "required_max", "shortfall", "unit", "due", "strength", "clause", "quote"]


def _empty_details() -> pl.DataFrame:
    schema = {name: pl.String for name in DETAIL_COLUMNS}
    schema.update({"value": F64, "required_min": F64, "required_max": F64, "shortfall": F64, "due": pl.Date})
    return pl.DataFrame(schema=schema)


def _frame_of(communities: Any) -> pl.DataFrame:
    if isinstance(communities, pl.DataFrame):
        return communities
    from .io import CommunityTable, load_communities

    if isinstance(communities, CommunityTable):
        return communities.frame
    if isinstance(communities, (str, Path)):
        return load_communities(communities).frame
    from .io import communities_frame

    return communities_frame(list(communities)).frame


def evaluate(communities: Any, jurisdictions: Iterable[str | LoadedStandard] | None = None,
             as_of: dt.date | None = None, registry: Registry | None = None) -> Results:
    """Judge communities under jurisdictions as of a date (default: today).

    :param communities: a path, a :class:`shequ.io.CommunityTable`, a Polars
        DataFrame in the canonical layout, or an iterable of
        :class:`shequ.model.Community`.
    :param jurisdictions: jurisdiction ids or loaded standards (default: all installed).
    :param as_of: the evaluation date: rules not yet due are ``not_due``.
    """
    registry = registry or get_registry()
    as_of = as_of or dt.date.today()
    standards = [j if isinstance(j, LoadedStandard) else registry.get(j) for j in (jurisdictions or [])] \
        or registry.select()
    frame = _frame_of(communities)
    columns = frozenset(frame.columns)
    metrics = MetricResolver(registry.catalog, columns)
    compiled: list[CompiledRule] = []
    aggregate_rules: list[tuple[LoadedStandard, Rule]] = []
    for loaded in standards:
        rules, aggregates = compile_standard(loaded, metrics, as_of, columns)
        compiled += rules
        aggregate_rules += [(loaded, rule) for rule in aggregates]
    # aggregates may add metrics: compile their expressions before building the metrics table
    plans = [_plan_aggregate(i, rule, loaded, metrics, as_of, columns)
             for i, (loaded, rule) in enumerate(aggregate_rules)]
    identity = [pl.col(c) for c in IDENTITY if c in columns]
    metrics_frame = metrics.table(frame)
    codes = metrics_frame.lazy().select(*identity, *(rule.verdict() for rule in compiled)).collect()
    aggregates = _evaluate_aggregates(plans, metrics_frame)
    return Results(as_of=as_of, jurisdictions=standards, rules=compiled, codes=codes,
                   metrics_frame=metrics_frame, aggregates=aggregates)


def input_columns(registry: Registry, standards: Iterable[LoadedStandard] | None = None) -> dict[str, str]:
    """The community-table columns the standards' rules read, each with its kind.

    Kinds: ``int`` (counts, members), ``floor``, ``float`` and ``list`` (flags,
    designations). Python-computed metrics contribute nothing: their inputs
    are not declared.
    """
    from .model import walk_requirement

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
            for requirement in walk_requirement(rule.requirement):
                for name in ("metric", "basis", "of"):
                    add(getattr(requirement, name, None))
                when = getattr(requirement, "when", None)
                if when is not None:
                    add(when.metric)
        for obligation in loaded.standard.obligations:
            add(obligation.basis)
    return dict(sorted(needed.items()))


def _aggregate_requirements(rule: Rule) -> list[Aggregate]:
    if isinstance(rule.requirement, Staged):
        return [s.requirement for s in rule.requirement.stages if isinstance(s.requirement, Aggregate)]
    return [rule.requirement] if isinstance(rule.requirement, Aggregate) else []
