"""Comparison views over installed standards: side by side, diff, responsibilities, timeline, cost, what-if.

Every view is a function of a :class:`~shequ.registry.Registry` (so a reformed
registry from :func:`shequ.reform.apply_reforms` works the same way) returning
Polars DataFrames; the CLI (:mod:`shequ.cli_views`) only renders them.

- :func:`standards_table` — every jurisdiction's requirement per metric, and the
  concrete requirement for a community of a given size, strictest marked;
- :func:`diff` — what one jurisdiction requires that another does not, and
  which is stricter by how much where both regulate a metric;
- :func:`responsibilities` — tasks by normalised department and role;
- :func:`timeline` — milestones and deadlines in date order with a status as of a date;
- :func:`cost` — the money each standard commits for a set of communities;
- :func:`whatif` — baseline against reformed verdicts.

Numbers are compared within a normalised metric key: shares are shown in %,
areas in m²; a ``share`` requirement of one metric of another is keyed by the
catalog's ratio metric where one exists (Donghai's "staff offices ≤ 20 % of
service space" and a rule on ``staff_office_share`` are one key). Missing data
is never read as zero: a concrete requirement that needs data not given
"depends", a cost whose basis is missing is unknown.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import attrs
import polars as pl

from . import engine
from .catalog import Catalog
from .describe import applies_text, condition_text, number, requirement_text
from .engine import VERDICTS, MetricResolver, compile_requirement
from .errors import ShequError
from .model import (
    COMMUNITY_KINDS, Aggregate, AnyOf, Conditional, Maximum, Minimum, Placement, Present, Range,
    Requirement, Rule, ScaledMinimum, Share, Staged,
)
from .registry import LoadedStandard, Registry

F64 = pl.Float64
ROLES = ("lead", "responsible", "guiding", "cooperating")
ROLE_ZH = {"lead": "牵头", "responsible": "责任", "guiding": "指导", "cooperating": "配合"}

# --------------------------------------------------------------------------
# Shared helpers


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
    from .io import communities_frame, load_communities

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


def _department_names(catalog: Catalog, ids: Iterable[str]) -> list[str]:
    names = []
    for department_id in ids:
        department = catalog.departments.get(department_id)
        names.append(f"{department_id} ({department.zh})" if department else department_id)
    return names


def resolve_department(catalog: Catalog, name: str) -> str:
    """A department id from an id, its Chinese name or any alias (民政局 → ``civil_affairs``)."""
    found = catalog.department_for(name)
    if found is not None:
        return found
    names = list(catalog.departments)
    for department in catalog.departments.values():
        names += [department.zh, *department.aliases]
    raise ShequError(f"unknown department '{name}'{Catalog.suggest(name, names)}; "
                     f"ids: {', '.join(sorted(catalog.departments))}")


# --------------------------------------------------------------------------
# Normalised metric keys


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
        self.ratios = {definition.ratio: definition for definition in catalog.metrics.values()
                       if definition.ratio is not None}

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
            return MetricKey(ratio.id, ratio.zh, "%", 100.0,
                             normalised=f"share of {metric} in {share.of} = {ratio.id}")
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
            return "; ".join(f"{self.stated(s.requirement, metric, top)} by {s.due.isoformat()}"
                             for s in requirement.stages)
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
        return prefix + requirement_text(attrs.evolve(requirement, metric=None) if own else requirement,
                                         "" if unit == "比例" else unit)


# --------------------------------------------------------------------------
# Standards side by side


@attrs.frozen
class Scenario:
    """A hypothetical community the concrete requirements are computed for."""

    households: int | None
    population: int | None
    kind: str
    population_estimated: bool = False


def scenarios(households: Sequence[int] = (), population: int | None = None, kind: str = "urban",
              persons_per_household: float | None = None) -> list[Scenario]:
    """One scenario per households value (or one of unknown size when none is given)."""
    if kind not in COMMUNITY_KINDS:
        raise ShequError(f"unknown community kind '{kind}'{Catalog.suggest(kind, COMMUNITY_KINDS)}; "
                         f"kinds: {', '.join(COMMUNITY_KINDS)}")
    result = []
    for size in list(households) or [None]:
        estimated = population is None and persons_per_household is not None and size is not None
        people = round(size * persons_per_household) if estimated else population
        result.append(Scenario(households=size, population=people, kind=kind, population_estimated=estimated))
    return result


def _scenario_frame(items: Sequence[Scenario]) -> pl.DataFrame:
    return pl.DataFrame({
        "id": [f"scenario-{i}" for i in range(len(items))],
        "kind": [s.kind for s in items],
        "households": [s.households for s in items],
        "population": [s.population for s in items],
    }, schema={"id": pl.String, "kind": pl.String, "households": pl.Int64, "population": pl.Int64})


@attrs.define
class _Pending:
    """A rule's resolved form for one scenario, waiting for its bounds to be evaluated."""

    row: dict[str, Any]
    leaf: Requirement | None
    parts: list[tuple[Any, MetricKey, str]] = attrs.Factory(list)  # (Part, key, unit)


RULE_COLUMNS = ["metric", "label", "unit", "households", "population", "kind", "jurisdiction", "rule", "title",
                "strength", "due", "status", "reason", "requirement", "concrete", "required_min", "required_max",
                "comparable", "normalised", "clause"]
RULE_STATUSES = ("applies", "depends", "not_applicable", "aggregate")


def standards_rules(registry: Registry, metrics: Sequence[str] | None = None, households: Sequence[int] = (),
                    population: int | None = None, kind: str = "urban", jurisdictions: Sequence[str] = (),
                    as_of: dt.date | None = None, persons_per_household: float | None = None) -> pl.DataFrame:
    """Every rule of the selected jurisdictions on the selected metrics, concretised per scenario.

    One row per (scenario, jurisdiction, rule). ``status``: ``applies`` (the
    concrete requirement is known), ``depends`` (it needs data the scenario
    lacks: population, a flag, a district), ``not_applicable`` (not for this
    kind or size), ``aggregate`` (judged over a set of communities, no
    per-community requirement). ``required_min``/``required_max`` are in the
    key's display ``unit``; ``comparable`` says whether they may be ranked.
    """
    as_of = _as_of(as_of)
    keys = _Keys(registry.catalog)
    standards = registry.select(jurisdictions)
    items = scenarios(households, population, kind, persons_per_household)
    frame = _scenario_frame(items)
    resolver = MetricResolver(registry.catalog, frozenset(frame.columns))
    values: dict[str, list[float | None]] = {}

    def value_of(metric: str, index: int) -> float | None:
        if metric not in values:
            try:
                expr = resolver.expr(metric)
                values[metric] = _with_masks(frame, resolver).with_columns(expr.alias("__value")) \
                    .get_column("__value").to_list()  # with_columns broadcasts a literal (a missing column)
            except KeyError:
                values[metric] = [None] * frame.height
        return values[metric][index]

    wanted = _metric_filter(registry, keys, standards, metrics)
    pending: list[_Pending] = []
    for loaded in standards:
        for rule in loaded.standard.rules:
            key = keys.of_rule(rule)
            if wanted is not None and not (wanted & _rule_names(rule, key)):
                continue
            for index, scenario in enumerate(items):
                pending.append(_resolve_rule(rule, loaded, key, keys, scenario, index, value_of, resolver, as_of))
    metrics_frame = _metrics_frame(frame, resolver, ["id"])
    rows = _evaluate_pending(pending, metrics_frame)
    if not rows:
        return pl.DataFrame(schema=_rule_schema())
    return pl.DataFrame(rows, schema=_rule_schema())


def _rule_schema() -> dict[str, pl.DataType]:
    schema: dict[str, Any] = {name: pl.String for name in RULE_COLUMNS}
    schema.update({"households": pl.Int64, "population": pl.Int64, "due": pl.Date, "required_min": F64,
                   "required_max": F64, "comparable": pl.Boolean})
    return schema


def _rule_names(rule: Rule, key: MetricKey) -> set[str]:
    if key == COMMUNITY_COUNT:  # the rule's metric is only a carrier
        return {key.key}
    names = {key.key, rule.metric}
    for requirement in _walk(rule.requirement):
        if getattr(requirement, "metric", None):
            names.add(requirement.metric)
    return names


def _walk(requirement: Requirement):
    from .model import walk_requirement

    return walk_requirement(requirement)


def _metric_filter(registry: Registry, keys: _Keys, standards: list[LoadedStandard],
                   metrics: Sequence[str] | None) -> set[str] | None:
    if not metrics:
        return None
    known: set[str] = set()
    for loaded in standards:
        for rule in loaded.standard.rules:
            known |= _rule_names(rule, keys.of_rule(rule))
    for metric in metrics:
        if metric not in known and not registry.catalog.has_metric(metric):
            raise ShequError(f"unknown metric '{metric}'"
                             f"{Catalog.suggest(metric, sorted(known | set(registry.catalog.metric_ids())))}")
    return set(metrics)


def _resolve_rule(rule: Rule, loaded: LoadedStandard, key: MetricKey, keys: _Keys, scenario: Scenario,
                  index: int, value_of, resolver: MetricResolver, as_of: dt.date) -> _Pending:
    """Decide, in Python, which form of a rule binds a scenario; compile it with the engine."""
    row: dict[str, Any] = {
        "metric": key.key, "label": key.label, "unit": key.unit, "households": scenario.households,
        "population": scenario.population, "kind": scenario.kind, "jurisdiction": loaded.id, "rule": rule.id,
        "title": rule.title, "strength": rule.strength, "due": rule.due, "status": "applies", "reason": None,
        "requirement": keys.stated(rule.requirement, rule.metric), "concrete": None, "required_min": None,
        "required_max": None, "comparable": False, "normalised": key.normalised, "clause": rule.source.clause,
    }
    reasons: list[str] = []
    scope = rule.applies_to
    if scope.kinds and scenario.kind not in scope.kinds:
        row.update(status="not_applicable", reason=f"only {', '.join(scope.kinds)}")
        return _Pending(row, None)
    for condition in scope.when:
        holds = condition.holds(value_of(condition.metric, index))
        if holds is False:
            row.update(status="not_applicable", reason=f"only where {condition_text(condition)}")
            return _Pending(row, None)
        if holds is None:
            reasons.append(f"only where {condition_text(condition)}")
    if scope.flags:
        reasons.append(f"only where {', '.join(scope.flags)}")
    if getattr(scope, "districts", ()):
        reasons.append(f"only in {', '.join(scope.districts)}")
    requirement: Requirement | None = rule.requirement
    notes = []
    while isinstance(requirement, (Staged, Conditional)):
        if isinstance(requirement, Staged):
            in_force = [s for s in requirement.stages if s.due <= as_of]
            stage = in_force[-1] if in_force else requirement.stages[0]
            row["due"] = stage.due
            notes.append(f"from {stage.due.isoformat()}" if in_force else f"not before {stage.due.isoformat()}")
            requirement = stage.requirement
        else:
            holds = requirement.when.holds(value_of(requirement.when.metric, index))
            if holds is None:
                reasons.append(f"if {condition_text(requirement.when)}")
                requirement = requirement.then
            elif holds:
                requirement = requirement.then
            elif requirement.otherwise is not None:
                requirement = requirement.otherwise
            else:
                row.update(status="not_applicable", reason=f"only if {condition_text(requirement.when)}")
                return _Pending(row, None)
    assert requirement is not None
    if reasons:
        row.update(status="depends", reason="; ".join(reasons))
    if notes:
        row["reason"] = "; ".join(filter(None, [row["reason"], *notes]))
    if isinstance(requirement, Aggregate):
        text = keys.stated(requirement, rule.metric)
        row.update(status="aggregate", concrete=text if "across" in text else f"{text} (across communities)")
        return _Pending(row, None)
    pending = _Pending(row, requirement)
    options = requirement.options if isinstance(requirement, AnyOf) else (requirement,)
    for option in options:
        option_metric = getattr(option, "metric", None) or rule.metric
        option_key = keys.of_requirement(option, option_metric)
        unit = keys.unit(option_metric)
        part = compile_requirement(option, rule.metric, resolver, as_of, unit)
        pending.parts.append((part, option_key, unit))
    pending.row["_index"] = index
    return pending


def _evaluate_pending(pending: list[_Pending], metrics_frame: pl.DataFrame) -> list[dict[str, Any]]:
    expressions = []
    for number_, item in enumerate(pending):
        for k, (part, _key, _unit) in enumerate(item.parts):
            expressions += [part.lo.cast(F64).alias(f"{number_}:{k}:lo"), part.hi.cast(F64).alias(f"{number_}:{k}:hi"),
                            part.text.cast(pl.String).alias(f"{number_}:{k}:text")]
    # with_columns, not select: literal bounds (a fixed minimum) must broadcast to every scenario row
    names = [e.meta.output_name() for e in expressions]
    evaluated = metrics_frame.with_columns(expressions).select(names).to_dicts() if expressions else []
    rows = []
    for number_, item in enumerate(pending):
        row = item.row
        index = row.pop("_index", None)
        if item.leaf is not None and index is not None:
            values = evaluated[index]
            _concretise(row, item, [(values[f"{number_}:{k}:lo"], values[f"{number_}:{k}:hi"],
                                     values[f"{number_}:{k}:text"]) for k in range(len(item.parts))])
        rows.append({name: row.get(name) for name in RULE_COLUMNS})
    return rows


def _concretise(row: dict[str, Any], item: _Pending, results: list[tuple[float | None, float | None, str | None]]) -> None:
    leaf = item.leaf
    key_name = row["metric"]
    texts = []
    for (lo, hi, text), (_part, key, _unit) in zip(results, item.parts):
        option = leaf.options[len(texts)] if isinstance(leaf, AnyOf) else leaf
        if isinstance(option, Present):
            texts.append(("present" if key.key == key_name else f"{key.key} present"))
        elif isinstance(option, Placement):
            texts.append(text or "")
        elif isinstance(option, (Minimum, Maximum, Range, ScaledMinimum, Share)):
            if isinstance(option, Share):
                lo = None if option.min is None else lo
                hi = None if option.max is None else hi
            elif isinstance(option, (Minimum, ScaledMinimum)):
                hi = None
            elif isinstance(option, Maximum):
                lo = None
            lo = None if lo is None else lo * key.scale
            hi = None if hi is None else hi * key.scale
            bounds = bounds_text(lo, hi, key.unit)
            if not bounds:
                basis = getattr(option, "basis", "data")
                row["status"] = "depends"
                row["reason"] = "; ".join(filter(None, [row["reason"], f"depends on {basis}"]))
                bounds = requirement_text(option, key.unit)
            elif isinstance(option, Share) and not key.normalised and key.unit == "%":
                bounds = f"{bounds} of {option.of}"
            prefix = f"{key.key}: " if key.key != key_name else ""
            texts.append(prefix + bounds)
            if not isinstance(leaf, AnyOf) and key.key == key_name:
                row["required_min"], row["required_max"] = lo, hi
                row["comparable"] = row["status"] == "applies" and (lo is not None or hi is not None)
        else:
            texts.append(text or "")
    if isinstance(leaf, Present) and row["status"] == "applies":
        row["required_min"], row["comparable"] = 1.0, True
    row["concrete"] = " or ".join(texts) if isinstance(leaf, AnyOf) else texts[0]


CELL_COLUMNS = ["metric", "label", "unit", "households", "population", "kind", "jurisdiction", "status",
                "concrete", "required_min", "required_max", "strictest_min", "strictest_max", "rules",
                "requirements", "normalised"]
CELL_STATUSES = ("regulated", "depends", "not_applicable", "aggregate", "not_regulated")


def standards_table(registry: Registry, metrics: Sequence[str] | None = None, households: Sequence[int] = (),
                    population: int | None = None, kind: str = "urban", jurisdictions: Sequence[str] = (),
                    as_of: dt.date | None = None, persons_per_household: float | None = None,
                    shared: bool = False) -> pl.DataFrame:
    """Every jurisdiction's requirement per metric side by side, concrete for a community of the given size.

    One row per (metric key, scenario, jurisdiction). ``status``:
    ``regulated`` (a concrete requirement applies), ``depends`` (it needs data
    the scenario lacks), ``not_applicable`` (the jurisdiction regulates the
    metric, but not for this kind or size), ``aggregate`` (only over a set of
    communities), ``not_regulated`` (no rule on the metric: never shown as 0).
    ``required_min`` is the highest lower bound of the jurisdiction's rules,
    ``required_max`` the lowest upper bound; ``strictest_min`` marks the
    highest ``required_min`` among jurisdictions (``strictest_max`` the lowest
    maximum) when at least two regulate that side and they differ.

    Without ``metrics``, the metrics some selected jurisdiction regulates for
    communities of ``kind`` (``shared``: at least two of them).
    """
    rules = standards_rules(registry, metrics, households, population, kind, jurisdictions, as_of,
                            persons_per_household)
    selected = [loaded.id for loaded in registry.select(jurisdictions)]
    by_cell: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    key_info: dict[str, dict[str, Any]] = {}
    for row in rules.iter_rows(named=True):
        by_cell[(row["metric"], row["households"], row["jurisdiction"])].append(row)
        key_info.setdefault(row["metric"], {"label": row["label"], "unit": row["unit"], "normalised": None})
        if row["normalised"]:
            key_info[row["metric"]]["normalised"] = row["normalised"]
    relevant = defaultdict(set)
    for (metric, _households, jurisdiction), cell_rules in by_cell.items():
        if metrics or any(r["status"] != "not_applicable" for r in cell_rules):
            relevant[metric].add(jurisdiction)
    if metrics:
        for metric in metrics:
            if metric not in key_info and registry.catalog.has_metric(metric):
                key = _Keys(registry.catalog).of_metric(metric)
                key_info[metric] = {"label": key.label, "unit": key.unit, "normalised": None}
                relevant[metric] = set()
    keys = sorted(k for k in key_info if k in relevant and (not shared or len(relevant[k]) >= 2))
    if metrics:
        keys = sorted(k for k in key_info if k in relevant)
    items = scenarios(households, population, kind, persons_per_household)
    out = []
    for metric in keys:
        info = key_info[metric]
        for scenario in items:
            cells = []
            for jurisdiction in selected:
                cell_rules = by_cell.get((metric, scenario.households, jurisdiction), [])
                cells.append(_cell(metric, info, scenario, jurisdiction, cell_rules))
            _mark_strictest(cells)
            out += cells
    schema: dict[str, Any] = {name: pl.String for name in CELL_COLUMNS}
    schema.update({"households": pl.Int64, "population": pl.Int64, "required_min": F64, "required_max": F64,
                   "strictest_min": pl.Boolean, "strictest_max": pl.Boolean, "rules": pl.List(pl.String),
                   "requirements": pl.List(pl.String)})
    return pl.DataFrame(out, schema=schema)


def _cell(metric: str, info: dict[str, Any], scenario: Scenario, jurisdiction: str,
          rules: list[dict[str, Any]]) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "metric": metric, "label": info["label"], "unit": info["unit"], "households": scenario.households,
        "population": scenario.population, "kind": scenario.kind, "jurisdiction": jurisdiction,
        "required_min": None, "required_max": None, "strictest_min": False, "strictest_max": False,
        "rules": [r["rule"] for r in rules],
        "requirements": [f"{r['rule']}: {r['requirement']}" + ("" if r["strength"] == "mandatory" else
                                                               f" ({r['strength']})") for r in rules],
        "normalised": info["normalised"],
    }
    if not rules:
        return {**cell, "status": "not_regulated", "concrete": "not regulated"}
    applying = [r for r in rules if r["status"] == "applies"]
    depending = [r for r in rules if r["status"] == "depends"]
    aggregates = [r for r in rules if r["status"] == "aggregate"]
    if not (applying or depending or aggregates):
        reasons = sorted({r["reason"] for r in rules if r["reason"]})
        return {**cell, "status": "not_applicable", "concrete": f"not for this community ({'; '.join(reasons)})"}
    lows = [r["required_min"] for r in applying if r["comparable"] and r["required_min"] is not None]
    highs = [r["required_max"] for r in applying if r["comparable"] and r["required_max"] is not None]
    lo, hi = (max(lows) if lows else None), (min(highs) if highs else None)
    texts: list[str] = []
    only_presence = lows and all(r["concrete"] == "present" for r in applying
                                 if r["comparable"] and r["required_min"] is not None) and hi is None
    if lows or highs:
        texts.append("present" if only_presence and lo == 1 else bounds_text(lo, hi, info["unit"]))
    for r in applying:
        if not r["comparable"] and r["concrete"] not in texts:
            texts.append(r["concrete"])
    for r in depending:
        text = f"{r['concrete'] or r['requirement']} [{r['reason']}]"
        if text not in texts:
            texts.append(text)
    for r in aggregates:
        if r["concrete"] not in texts:
            texts.append(r["concrete"])
    status = "regulated" if applying else ("depends" if depending else "aggregate")
    return {**cell, "status": status, "concrete": "; ".join(texts), "required_min": lo, "required_max": hi}


def _mark_strictest(cells: list[dict[str, Any]]) -> None:
    for side, best in (("min", max), ("max", min)):
        values = [c[f"required_{side}"] for c in cells if c[f"required_{side}"] is not None]
        if len(values) >= 2 and len(set(values)) > 1:
            target = best(values)
            for c in cells:
                c[f"strictest_{side}"] = c[f"required_{side}"] == target


def standards_matrix(table: pl.DataFrame) -> pl.DataFrame:
    """Metrics (× sizes) as rows, jurisdictions as columns; ★ marks the strictest."""
    if table.is_empty():
        return pl.DataFrame()
    marked = table.with_columns(
        pl.when(pl.col("strictest_min") | pl.col("strictest_max"))
        .then(pl.concat_str([pl.col("concrete"), pl.lit(" ★")])).otherwise(pl.col("concrete")).alias("cell"))
    index = ["metric", "label", "unit"] + (["households"] if table.get_column("households").is_not_null().any() else []) \
        + (["population"] if table.get_column("population").is_not_null().any() else [])
    return marked.pivot(on="jurisdiction", index=index, values="cell", maintain_order=True)


def standards_notes(households: Sequence[int], population: int | None, kind: str,
                    persons_per_household: float | None, as_of: dt.date) -> list[str]:
    """The assumptions behind a standards table, for its header."""
    notes = [f"community kind: {kind}; requirements in force as of {as_of.isoformat()} (staged rules: the stage "
             "in force then)"]
    if households:
        notes.append("households: " + ", ".join(str(h) for h in households))
    if population is not None:
        notes.append(f"population: {population} (for every size)")
    elif persons_per_household is not None and households:
        notes.append(f"population assumed = households × {persons_per_household:g} (persons per household)")
    else:
        notes.append("population not given: requirements that depend on it say 'depends'")
    notes.append("★ strictest: highest minimum / lowest maximum where two or more jurisdictions set one and they "
                 "differ; 'not regulated' = the jurisdiction has no rule on the metric (not zero)")
    return notes


# --------------------------------------------------------------------------
# Diff of two jurisdictions


DIFF_COLUMNS = ["metric", "label", "unit", "qualifier", "aspect", "a", "b", "a_requirement", "b_requirement",
                "a_value", "b_value", "a_text", "b_text", "status", "stricter", "difference", "difference_pct",
                "summary", "a_rules", "b_rules"]
DIFF_STATUSES = ("a_stricter", "b_stricter", "same", "not_comparable", "only_a", "only_b")
_NUMERIC_ASPECTS = ("minimum", "maximum", "rate")
_ASPECT_ORDER = {"minimum": 0, "maximum": 1, "rate": 2, "presence": 3}


def _aspects(rule: Rule, keys: _Keys, key: MetricKey, as_of: dt.date,
             with_kinds: bool = False) -> list[tuple[str, str, Any, str]]:
    """(qualifier, aspect, value, text) of one rule: numbers in the key's display unit."""
    scope = rule.applies_to
    qualifier = [*scope.flags, *getattr(scope, "districts", ()), *(condition_text(c) for c in scope.when)]
    if with_kinds and scope.kinds:  # comparing across every kind: a rule for one kind is a narrower scope
        qualifier.insert(0, "/".join(scope.kinds))
    requirement = rule.requirement
    if isinstance(requirement, Staged):
        in_force = [s for s in requirement.stages if s.due <= as_of]
        requirement = (in_force[-1] if in_force else requirement.stages[0]).requirement
    branches: list[tuple[list[str], Requirement]] = [(qualifier, requirement)]
    if isinstance(requirement, Conditional):
        when = condition_text(requirement.when)
        branches = [([*qualifier, f"if {when}"], requirement.then)]
        if requirement.otherwise is not None:
            branches.append(([*qualifier, f"unless {when}"], requirement.otherwise))
    found = []
    for names, form in branches:
        q = "; ".join(names)
        if isinstance(form, (Staged, Conditional)):
            form = _leaf(form)
        found.append((q, "_stated", None, keys.stated(form, rule.metric)))
        own = keys.of_requirement(form, getattr(form, "metric", None) or rule.metric)
        if isinstance(form, (AnyOf, Placement, Aggregate)) or own.key != key.key:
            found.append((q, "requirement", None, keys.stated(form, rule.metric)))
            continue
        s = key.scale
        unit = key.unit
        if isinstance(form, Minimum):
            found.append((q, "minimum", form.value * s, bounds_text(form.value * s, None, unit)))
        elif isinstance(form, Maximum):
            found.append((q, "maximum", form.value * s, bounds_text(None, form.value * s, unit)))
        elif isinstance(form, Range):
            found.append((q, "minimum", form.min * s, bounds_text(form.min * s, None, unit)))
            found.append((q, "maximum", form.max * s, bounds_text(None, form.max * s, unit)))
        elif isinstance(form, Share):
            if form.min is not None:
                found.append((q, "minimum", form.min * s, bounds_text(form.min * s, None, unit)))
            if form.max is not None:
                found.append((q, "maximum", form.max * s, bounds_text(None, form.max * s, unit)))
        elif isinstance(form, ScaledMinimum):
            per = 100.0 if form.basis in ("households", "population") else 1.0
            rate = form.rate / form.per * per * s
            found.append((q, f"rate per {per:g} {form.basis}", rate,
                          _with_unit(f"≥ {_num(rate)}", unit) + f" per {per:g} {form.basis}"))
            if form.floor is not None:
                found.append((q, "minimum", form.floor * s, bounds_text(form.floor * s, None, unit)))
        elif isinstance(form, Present):
            found.append((q, "presence", "present", "present"))
        else:
            found.append((q, "requirement", None, keys.stated(form, rule.metric)))
    return found


def _profile(loaded: LoadedStandard, keys: _Keys, kind: str | None, as_of: dt.date,
             metrics: set[str] | None) -> dict[str, dict[str, Any]]:
    """Per metric key: the rules, their stated texts and the combined aspects."""
    profile: dict[str, dict[str, Any]] = {}
    for rule in loaded.standard.rules:
        if kind is not None and rule.applies_to.kinds and kind not in rule.applies_to.kinds:
            continue
        key = keys.of_rule(rule)
        if metrics is not None and not (metrics & _rule_names(rule, key)):
            continue
        entry = profile.setdefault(key.key, {"key": key, "rules": [], "texts": [], "aspects": {}})
        entry["rules"].append(rule.id)
        strength = "" if rule.strength == "mandatory" else f" ({rule.strength})"
        scope = applies_text(attrs.evolve(rule.applies_to, kinds=()))
        scope = "" if scope == "all" else f" [{scope}]"
        due = f" due {rule.due.isoformat()}" if rule.due else ""
        entry["texts"].append(f"{keys.stated(rule.requirement, rule.metric)}{scope}{strength}{due}")
        entry["size_dependent"] = entry.get("size_dependent", False) or _size_dependent(rule)
        for qualifier, aspect, value, text in _aspects(rule, keys, key, as_of, with_kinds=kind is None):
            if aspect == "_stated":
                stated = entry.setdefault("stated", {}).setdefault(qualifier, [])
                if text not in stated:
                    stated.append(text)
                continue
            slot = entry["aspects"].setdefault((qualifier, aspect), {"value": None, "texts": [], "rules": []})
            slot["rules"].append(rule.id)
            if text not in slot["texts"]:
                slot["texts"].append(text)
            if aspect == "maximum":
                slot["value"] = value if slot["value"] is None else min(slot["value"], value)
            elif aspect == "minimum" or aspect.startswith("rate"):
                slot["value"] = value if slot["value"] is None else max(slot["value"], value)
            else:
                slot["value"] = "; ".join(slot["texts"])
    return profile


def _size_dependent(rule: Rule) -> bool:
    """Whether a rule's concrete requirement can change with a community's size."""
    return bool(rule.applies_to.when) or any(isinstance(r, (ScaledMinimum, Conditional))
                                             for r in _walk(rule.requirement))


def _compare(aspect: str, a: Any, b: Any) -> tuple[str, float | None]:
    if a == b:
        return "same", 0.0 if isinstance(a, float) else None
    if aspect in ("minimum",) or aspect.startswith("rate"):
        return ("a_stricter" if a > b else "b_stricter"), abs(a - b)
    if aspect == "maximum":
        return ("a_stricter" if a < b else "b_stricter"), abs(a - b)
    return "not_comparable", None


def diff(registry: Registry, a: str, b: str, kind: str | None = "urban", households: Sequence[int] = (),
         population: int | None = None, as_of: dt.date | None = None,
         metrics: Sequence[str] | None = None) -> pl.DataFrame:
    """Where the standards of ``a`` and ``b`` differ, metric by metric.

    One row per (metric key, qualifier, aspect). Aspects: ``minimum`` (the
    highest fixed lower bound, floors of scaled minima included),
    ``maximum``, ``rate per 100 households`` (scaled minima), ``presence``,
    ``requirement`` (forms that cannot be ranked: alternatives, placement,
    aggregates), and with ``households`` ``at N households`` (the concrete
    lower bound for that size). A ``qualifier`` names a narrower scope (a
    flag, a district, a condition). ``status``: ``a_stricter``/``b_stricter``
    (``difference`` in the unit, ``difference_pct`` of the looser value),
    ``same``, ``not_comparable``, ``only_a``/``only_b`` (the other does not
    regulate the metric for this kind at all).
    """
    as_of = _as_of(as_of)
    if a == b:
        raise ShequError("diff needs two different jurisdictions")
    keys = _Keys(registry.catalog)
    loaded_a, loaded_b = registry.get(a), registry.get(b)
    wanted = _metric_filter(registry, keys, [loaded_a, loaded_b], metrics)
    pa = _profile(loaded_a, keys, kind, as_of, wanted)
    pb = _profile(loaded_b, keys, kind, as_of, wanted)
    rows: list[dict[str, Any]] = []
    for metric in sorted(set(pa) | set(pb)):
        ea, eb = pa.get(metric), pb.get(metric)
        key: MetricKey = (ea or eb)["key"]
        base = {"metric": metric, "label": key.label, "unit": key.unit, "a": a, "b": b,
                "a_requirement": "; ".join(ea["texts"]) if ea else "not regulated",
                "b_requirement": "; ".join(eb["texts"]) if eb else "not regulated",
                "a_rules": ea["rules"] if ea else [], "b_rules": eb["rules"] if eb else []}
        if ea is None or eb is None:
            side = "only_a" if eb is None else "only_b"
            who = a if eb is None else b
            rows.append({**base, "qualifier": None, "aspect": None, "status": side,
                         "summary": f"only {who} regulates {metric}"})
            continue
        qualifiers = sorted({q for q, _ in ea["aspects"]} | {q for q, _ in eb["aspects"]})
        for qualifier in qualifiers:
            sa = {asp: slot for (q, asp), slot in ea["aspects"].items() if q == qualifier}
            sb = {asp: slot for (q, asp), slot in eb["aspects"].items() if q == qualifier}
            rows += _diff_slots(base, key, qualifier, sa, sb, a, b,
                                ea.get("stated", {}).get(qualifier, []), eb.get("stated", {}).get(qualifier, []))
        if households and (ea["size_dependent"] or eb["size_dependent"]):
            rows += _diff_sizes(registry, base, key, metric, a, b, households, population, kind or "urban", as_of)
    order = {"a_stricter": 0, "b_stricter": 0, "same": 0, "not_comparable": 0, "only_a": 1, "only_b": 2}
    rows.sort(key=lambda r: (order[r["status"]], r["metric"]))
    schema: dict[str, Any] = {name: pl.String for name in DIFF_COLUMNS}
    schema.update({"a_value": F64, "b_value": F64, "difference": F64, "difference_pct": F64,
                   "a_rules": pl.List(pl.String), "b_rules": pl.List(pl.String)})
    return pl.DataFrame([{name: row.get(name) for name in DIFF_COLUMNS} for row in rows], schema=schema)


def _diff_slots(base: dict[str, Any], key: MetricKey, qualifier: str, sa: dict[str, dict], sb: dict[str, dict],
                a: str, b: str, stated_a: list[str], stated_b: list[str]) -> list[dict[str, Any]]:
    rows = []
    scope = f" [{qualifier}]" if qualifier else ""
    numeric_only = all(asp in ("minimum", "maximum", "presence") or asp.startswith("rate")
                       for asp in [*sa, *sb])
    if not sa or not sb:
        side, who, slots = ("only_a", a, sa) if sa else ("only_b", b, sb)
        texts = "; ".join(stated_a if sa else stated_b)
        return [{**base, "qualifier": qualifier or None, "aspect": None, "status": side,
                 "a_text": texts if sa else None, "b_text": texts if sb else None,
                 "summary": f"only {who} sets{scope}: {texts}"}]
    if not numeric_only:
        ta, tb = "; ".join(stated_a), "; ".join(stated_b)
        status = "same" if ta == tb else "not_comparable"
        summary = f"same{scope}: {ta}" if status == "same" else f"differ{scope}, not comparable: {a} {ta}; {b} {tb}"
        return [{**base, "qualifier": qualifier or None, "aspect": "requirement", "a_text": ta, "b_text": tb,
                 "status": status, "summary": summary}]
    for aspect in sorted(set(sa) | set(sb), key=lambda x: (_ASPECT_ORDER.get(x, 2), x)):
        slot_a, slot_b = sa.get(aspect), sb.get(aspect)
        row = {**base, "qualifier": qualifier or None, "aspect": aspect,
               "a_text": "; ".join(slot_a["texts"]) if slot_a else None,
               "b_text": "; ".join(slot_b["texts"]) if slot_b else None}
        if slot_a is None or slot_b is None:
            who = a if slot_a else b
            text = row["a_text"] or row["b_text"]
            row.update(status="a_stricter" if slot_a else "b_stricter", stricter=who,
                       a_value=slot_a["value"] if slot_a and aspect != "presence" else None,
                       b_value=slot_b["value"] if slot_b and aspect != "presence" else None,
                       summary=f"{aspect}{scope}: only {who} sets one ({text})")
            rows.append(row)
            continue
        va, vb = slot_a["value"], slot_b["value"]
        status, difference = _compare(aspect, va, vb)
        row.update(status=status, difference=difference)
        if aspect != "presence":
            row.update(a_value=va, b_value=vb)
        if status in ("a_stricter", "b_stricter"):
            stricter, looser = (a, vb) if status == "a_stricter" else (b, va)
            row["stricter"] = stricter
            row["difference_pct"] = difference / looser * 100 if looser else None
            amount = _with_unit(_num(difference), key.unit)
            if aspect.startswith("rate "):
                amount += aspect[len("rate"):]
            row["summary"] = (f"{aspect}{scope}: {stricter} stricter by {amount} "
                              f"({a} {row['a_text']}, {b} {row['b_text']})")
        else:
            row["summary"] = f"{aspect}{scope}: same ({row['a_text']})"
        rows.append(row)
    return rows


def _diff_sizes(registry: Registry, base: dict[str, Any], key: MetricKey, metric: str, a: str, b: str,
                households: Sequence[int], population: int | None, kind: str, as_of: dt.date) -> list[dict]:
    table = standards_table(registry, [metric], households, population, kind, [a, b], as_of)
    rows = []
    for size in households:
        cells = {r["jurisdiction"]: r for r in table.filter(pl.col("households") == size).iter_rows(named=True)
                 if r["metric"] == metric}
        ca, cb = cells.get(a), cells.get(b)
        if not ca or not cb:
            continue
        for side, aspect_name in (("min", "minimum"), ("max", "maximum")):
            va, vb = ca[f"required_{side}"], cb[f"required_{side}"]
            if va is None and vb is None:
                continue
            aspect = f"{aspect_name} at {size} households"
            row = {**base, "qualifier": None, "aspect": aspect, "a_value": va, "b_value": vb,
                   "a_text": ca["concrete"], "b_text": cb["concrete"]}
            if va is None or vb is None:
                who, other = (a, cb) if va is not None else (b, ca)
                row.update(status="not_comparable",
                           summary=f"{aspect}: only {who} sets one; {other['jurisdiction']}: {other['concrete']}")
            else:
                status, difference = _compare(aspect_name, va, vb)
                row.update(status=status, difference=difference)
                if status in ("a_stricter", "b_stricter"):
                    stricter, looser = (a, vb) if status == "a_stricter" else (b, va)
                    row.update(stricter=stricter, difference_pct=difference / looser * 100 if looser else None,
                               summary=f"{aspect}: {stricter} stricter by {_with_unit(_num(difference), key.unit)} "
                                       f"({a} {ca['concrete']}, {b} {cb['concrete']})")
                else:
                    row["summary"] = f"{aspect}: same ({ca['concrete']})"
            rows.append(row)
    return rows


# --------------------------------------------------------------------------
# Responsibilities


RESPONSIBILITY_COLUMNS = ["jurisdiction", "department", "department_zh", "role", "role_zh", "task", "title",
                          "due", "rules", "clause"]


def responsibilities(registry: Registry, department: str | None = None, jurisdictions: Sequence[str] = (),
                     roles: Sequence[str] = ROLES) -> pl.DataFrame:
    """Tasks by normalised department and role: one row per (jurisdiction, task, role, department).

    ``department`` accepts an id or any Chinese name or alias (民政局 →
    ``civil_affairs``). Rows are in jurisdiction order, then the standard's task order.
    """
    catalog = registry.catalog
    wanted = resolve_department(catalog, department) if department else None
    for role in roles:
        if role not in ROLES:
            raise ShequError(f"unknown role '{role}'{Catalog.suggest(role, ROLES)}; roles: {', '.join(ROLES)}")
    rows = []
    for loaded in registry.select(jurisdictions):
        for task in loaded.standard.tasks:
            for role in ROLES:
                if role not in roles:
                    continue
                for department_id in getattr(task, role):
                    if wanted is not None and department_id != wanted:
                        continue
                    definition = catalog.departments.get(department_id)
                    rows.append({
                        "jurisdiction": loaded.id, "department": department_id,
                        "department_zh": definition.zh if definition else None, "role": role,
                        "role_zh": ROLE_ZH[role], "task": task.id, "title": task.title, "due": task.due,
                        "rules": list(task.rules), "clause": task.source.clause,
                    })
    schema: dict[str, Any] = {name: pl.String for name in RESPONSIBILITY_COLUMNS}
    schema.update({"due": pl.Date, "rules": pl.List(pl.String)})
    return pl.DataFrame(rows, schema=schema)


def responsibilities_matrix(frame: pl.DataFrame, jurisdictions: Sequence[str], by_department: bool) -> list[dict]:
    """For one department: a row per jurisdiction listing its tasks per role (every jurisdiction shown).

    For all departments: a row per department, a column per jurisdiction, cells
    counting tasks per role (``lead 1 · responsible 4``).
    """
    if by_department:
        out = []
        for jurisdiction in jurisdictions:
            mine = frame.filter(pl.col("jurisdiction") == jurisdiction)
            row: dict[str, Any] = {"jurisdiction": jurisdiction}
            for role in ROLES:
                tasks = mine.filter(pl.col("role") == role)
                row[role] = [f"{t} {title}" for t, title in zip(tasks.get_column("task"), tasks.get_column("title"))] \
                    or "—"
            row["tasks"] = mine.get_column("task").n_unique()
            out.append(row)
        return out
    out = []
    for department in sorted(frame.get_column("department").unique().to_list()):
        mine = frame.filter(pl.col("department") == department)
        row = {"department": department, "zh": mine.get_column("department_zh")[0]}
        for jurisdiction in jurisdictions:
            theirs = mine.filter(pl.col("jurisdiction") == jurisdiction)
            counts = [f"{role} {n}" for role in ROLES
                      if (n := theirs.filter(pl.col("role") == role).height)]
            row[jurisdiction] = " · ".join(counts) if counts else "—"
        out.append(row)
    return out


# --------------------------------------------------------------------------
# Timeline


TIMELINE_COLUMNS = ["date", "jurisdiction", "kind", "id", "title", "departments", "status", "days", "passed",
                    "failed", "unknown", "clause"]
TIMELINE_STATUSES = ("upcoming", "due", "past", "done", "overdue", "open", "superseded", "not_applicable")
_KIND_ORDER = {"document": 0, "milestone": 1, "task": 2, "rule": 3, "stage": 4}


def timeline(registry: Registry, jurisdictions: Sequence[str] = (), as_of: dt.date | None = None,
             communities: Any = None) -> pl.DataFrame:
    """Documents, milestones and deadlines (rules, stages of staged rules, tasks) in date order.

    ``status`` as of ``as_of`` (default today), from the dates alone:
    ``upcoming`` (the date is after as-of), ``due`` (it is the as-of date),
    ``past`` (before as-of). With ``communities``, rule and stage deadlines on
    or before as-of are judged on the data instead: ``done`` (every covered
    community passes; for a rule over a set of communities, the set passes),
    ``overdue`` (at least one fails), ``open`` (none fails but some are
    unknown), ``not_applicable`` (no community is covered); an earlier stage
    replaced by a later one in force is ``superseded``; a task with linked
    rules takes the worst status of those rules (overdue > open > done).
    ``days`` is the date minus as-of.
    """
    as_of = _as_of(as_of)
    standards = registry.select(jurisdictions)
    verdicts = _deadline_verdicts(registry, standards, communities, as_of) if communities is not None else None
    keys = _Keys(registry.catalog)
    rows: list[dict[str, Any]] = []

    def date_status(date: dt.date) -> str:
        return "upcoming" if date > as_of else ("due" if date == as_of else "past")

    for loaded in standards:
        standard = loaded.standard
        for document in standard.documents:
            if document.date is not None:
                rows.append({"date": document.date, "jurisdiction": loaded.id, "kind": "document", "id": document.id,
                             "title": f"{document.number or ''} {document.title}".strip(), "departments": [],
                             "clause": None, "status": date_status(document.date)})
        for milestone in standard.milestones:
            rows.append({"date": milestone.date, "jurisdiction": loaded.id, "kind": "milestone", "id": milestone.id,
                         "title": milestone.title, "departments": list(milestone.responsible),
                         "clause": milestone.source.clause, "status": date_status(milestone.date)})
        rule_status: dict[str, str] = {}
        for rule in standard.rules:
            stages = rule.requirement.stages if isinstance(rule.requirement, Staged) else ()
            if rule.due is not None:
                row = {"date": rule.due, "jurisdiction": loaded.id, "kind": "rule", "id": rule.id,
                       "title": rule.title, "departments": [], "clause": rule.source.clause,
                       "status": date_status(rule.due)}
                _judge_deadline(row, verdicts, loaded.id, rule.id, as_of)
                rule_status[rule.id] = row["status"]
                rows.append(row)
            in_force = [s for s in stages if s.due <= as_of]
            for number_, stage in enumerate(stages):
                row = {"date": stage.due, "jurisdiction": loaded.id, "kind": "stage", "id": f"{rule.id}#{number_ + 1}",
                       "title": f"{rule.title}: {keys.stated(stage.requirement, rule.metric)}",
                       "departments": [], "clause": rule.source.clause, "status": date_status(stage.due)}
                if verdicts is not None and stage.due <= as_of:
                    if in_force and stage is not in_force[-1]:
                        row["status"] = "superseded"
                    else:
                        _judge_deadline(row, verdicts, loaded.id, rule.id, as_of)
                        rule_status[rule.id] = row["status"]
                rows.append(row)
        for task in standard.tasks:
            if task.due is None:
                continue
            departments = list(dict.fromkeys([*task.lead, *task.responsible]))
            row = {"date": task.due, "jurisdiction": loaded.id, "kind": "task", "id": task.id, "title": task.title,
                   "departments": departments, "clause": task.source.clause, "status": date_status(task.due)}
            if verdicts is not None and task.due <= as_of and task.rules:
                linked = [rule_status.get(r) for r in task.rules]
                for worst in ("overdue", "open", "done"):
                    if worst in linked:
                        row["status"] = worst
                        break
            rows.append(row)
    for row in rows:
        row["days"] = (row["date"] - as_of).days
    rows.sort(key=lambda r: (r["date"], r["jurisdiction"], _KIND_ORDER[r["kind"]], r["id"]))
    schema: dict[str, Any] = {name: pl.String for name in TIMELINE_COLUMNS}
    schema.update({"date": pl.Date, "departments": pl.List(pl.String), "days": pl.Int64, "passed": pl.Int64,
                   "failed": pl.Int64, "unknown": pl.Int64})
    return pl.DataFrame([{name: row.get(name) for name in TIMELINE_COLUMNS} for row in rows], schema=schema)


def _deadline_verdicts(registry: Registry, standards: list[LoadedStandard], communities: Any,
                       as_of: dt.date) -> dict[tuple[str, str], dict[str, int]]:
    results = engine.evaluate(_frame_of(communities), standards, as_of, registry=registry)
    counts: dict[tuple[str, str], dict[str, int]] = {}
    if results.rules:
        codes = results.codes
        for compiled in results.rules:
            column = codes.get_column(compiled.key)
            counts[(compiled.jurisdiction, compiled.rule.id)] = {
                name: int((column == code).sum()) for code, name in enumerate(VERDICTS)}
    aggregates = results.aggregate_details()
    if not aggregates.is_empty():
        for row in aggregates.filter(pl.col("district") == engine.ALL_DISTRICTS).iter_rows(named=True):
            counts[(row["jurisdiction"], row["rule"])] = {
                "aggregate": True, **{name: int(row["verdict"] == name) for name in VERDICTS}}
    return counts


def _judge_deadline(row: dict[str, Any], verdicts: dict | None, jurisdiction: str, rule_id: str,
                    as_of: dt.date) -> None:
    if verdicts is None or row["date"] > as_of:
        return
    counts = verdicts.get((jurisdiction, rule_id))
    if counts is None:
        return
    if not counts.get("aggregate"):  # counts of communities; a set of communities has one verdict
        row.update(passed=counts["pass"], failed=counts["fail"], unknown=counts["unknown"])
    if counts["fail"]:
        row["status"] = "overdue"
    elif counts["unknown"]:
        row["status"] = "open"
    elif counts["pass"]:
        row["status"] = "done"
    elif counts["not_due"]:
        row["status"] = "upcoming"
    else:
        row["status"] = "not_applicable"


# --------------------------------------------------------------------------
# Cost


@attrs.frozen
class CostReport:
    """What the standards commit for a set of communities.

    ``items``: one row per (community, jurisdiction, obligation) with ``yuan``
    (null when unknown or not applicable) and ``status`` (``applies``,
    ``not_applicable``, ``unknown``: the basis metric or the applicability is
    missing). ``by_community``: per community × jurisdiction, yearly and
    one-off totals (null when any applicable item is unknown; ``*_known`` sums
    what is known, ``*_unknown`` counts the unknown items). ``totals``: per
    jurisdiction × obligation over all communities, with payer and source.
    ``summary``: per jurisdiction, yearly and one-off grand totals.
    """

    items: pl.DataFrame
    by_community: pl.DataFrame
    totals: pl.DataFrame
    summary: pl.DataFrame


def cost(registry: Registry, communities: Any, jurisdictions: Sequence[str] = ()) -> CostReport:
    """The yearly and one-off money each jurisdiction's standard commits for ``communities``.

    An obligation of ``amount_yuan`` per ``per`` units of ``basis`` costs
    ``basis ÷ per × amount_yuan`` for a covered community (``amount_yuan`` when
    there is no basis), bounded by ``min_yuan``/``max_yuan``. A missing basis
    value or unknown coverage is unknown, never 0.
    """
    frame = _frame_of(communities)
    columns = frozenset(frame.columns)
    resolver = MetricResolver(registry.catalog, columns)
    identity = [c for c in engine.IDENTITY if c in columns]
    specs = []
    for loaded in registry.select(jurisdictions):
        document_numbers = {d.id: d.number or d.id for d in loaded.standard.documents}
        default_document = loaded.standard.documents[0].id
        for obligation in loaded.standard.obligations:
            applies = _applies_expr(obligation, resolver, columns)
            if obligation.basis is None:
                raw = pl.lit(obligation.amount_yuan, dtype=F64)
            else:
                raw = resolver.ref(obligation.basis) / obligation.per * obligation.amount_yuan
            if obligation.min_yuan is not None or obligation.max_yuan is not None:
                raw = raw.clip(obligation.min_yuan, obligation.max_yuan)
            specs.append((loaded, obligation, applies, raw,
                          document_numbers[obligation.source.document or default_document]))
    metrics_frame = _metrics_frame(frame, resolver, identity)
    parts = []
    for loaded, obligation, applies, raw, document in specs:
        status = (pl.when(applies.is_null()).then(pl.lit("unknown")).when(applies.not_()).then(pl.lit("not_applicable"))
                  .when(raw.is_null()).then(pl.lit("unknown")).otherwise(pl.lit("applies")))
        parts.append(metrics_frame.select(
            *identity,
            pl.lit(loaded.id).alias("jurisdiction"), pl.lit(obligation.id).alias("obligation"),
            pl.lit(obligation.title).alias("title"), pl.lit(obligation.kind).alias("period"),
            pl.lit(obligation.amount_yuan, dtype=F64).alias("amount_yuan"),
            pl.lit(obligation.basis, dtype=pl.String).alias("basis"),
            pl.lit(obligation.per, dtype=F64).alias("per"),
            status.alias("status"),
            pl.when(status == "applies").then(raw).otherwise(None).cast(F64).alias("yuan"),
            pl.lit("; ".join(_department_names(registry.catalog, obligation.payer)) or None,
                   dtype=pl.String).alias("payer"),
            pl.lit(document).alias("document"), pl.lit(obligation.source.clause).alias("clause"),
            pl.lit(obligation.source.quote).alias("quote"),
        ))
    id_columns = identity or ["id"]
    if parts:
        items = pl.concat(parts, how="vertical_relaxed")
        order = frame.select(pl.col("id"), pl.int_range(pl.len()).alias("_row"))
        items = items.join(order, on="id", how="left", maintain_order="left").with_columns(
            pl.int_range(pl.len()).alias("_seq")).sort(["_row", "_seq"]).drop("_row", "_seq")
    else:
        items = pl.DataFrame(schema={"id": pl.String, "jurisdiction": pl.String, "obligation": pl.String,
                                     "period": pl.String, "status": pl.String, "yuan": F64, "payer": pl.String})

    def sums(period: str) -> list[pl.Expr]:
        mine = pl.col("period") == period
        known = pl.when(mine & (pl.col("status") == "applies")).then(pl.col("yuan")).otherwise(0.0).sum()
        unknown = (mine & (pl.col("status") == "unknown")).sum().cast(pl.Int64)
        return [pl.when(unknown == 0).then(known).otherwise(None).alias(f"{period}_yuan"),
                known.alias(f"{period}_yuan_known"), unknown.alias(f"{period}_unknown")]

    selected = [loaded.id for loaded in registry.select(jurisdictions)]
    grid = frame.select(id_columns).with_columns(pl.lit(selected, dtype=pl.List(pl.String)).alias("jurisdiction")) \
        .explode("jurisdiction")
    sums_by = items.group_by(["id", "jurisdiction"]).agg(*sums("yearly"), *sums("one_off"), pl.len().alias("_n")) \
        if parts else pl.DataFrame(schema={"id": pl.String, "jurisdiction": pl.String})
    by_community = grid.join(sums_by, on=["id", "jurisdiction"], how="left", maintain_order="left")
    fill = {}
    for period in ("yearly", "one_off"):
        if f"{period}_yuan" not in by_community.columns:
            by_community = by_community.with_columns(pl.lit(None, dtype=F64).alias(f"{period}_yuan"),
                                                     pl.lit(None, dtype=F64).alias(f"{period}_yuan_known"),
                                                     pl.lit(None, dtype=pl.Int64).alias(f"{period}_unknown"))
        fill.update({f"{period}_yuan_known": 0.0, f"{period}_unknown": 0})
    no_items = pl.col("_n").is_null() if "_n" in by_community.columns else pl.lit(True)
    by_community = by_community.with_columns(
        *(pl.when(no_items).then(pl.lit(0.0)).otherwise(pl.col(f"{p}_yuan")).alias(f"{p}_yuan")
          for p in ("yearly", "one_off")),
        *(pl.col(name).fill_null(value) for name, value in fill.items()),
    ).select([*id_columns, "jurisdiction", *(f"{p}{s}" for p in ("yearly", "one_off")
                                            for s in ("_yuan", "_yuan_known", "_unknown"))])
    totals_schema = {"jurisdiction": pl.String, "obligation": pl.String, "title": pl.String, "period": pl.String,
                     "amount_yuan": F64, "basis": pl.String, "per": F64, "payer": pl.String, "communities": pl.Int64,
                     "unknown": pl.Int64, "not_applicable": pl.Int64, "total_yuan": F64, "total_yuan_known": F64,
                     "document": pl.String, "clause": pl.String, "quote": pl.String}
    totals = items.group_by(["jurisdiction", "obligation"], maintain_order=True).agg(
        pl.col("title").first(), pl.col("period").first(), pl.col("amount_yuan").first(), pl.col("basis").first(),
        pl.col("per").first(), pl.col("payer").first(),
        (pl.col("status") == "applies").sum().cast(pl.Int64).alias("communities"),
        (pl.col("status") == "unknown").sum().cast(pl.Int64).alias("unknown"),
        (pl.col("status") == "not_applicable").sum().cast(pl.Int64).alias("not_applicable"),
        pl.when((pl.col("status") == "unknown").sum() == 0).then(pl.col("yuan").fill_null(0.0).sum())
        .otherwise(None).alias("total_yuan"),
        pl.col("yuan").fill_null(0.0).sum().alias("total_yuan_known"),
        pl.col("document").first(), pl.col("clause").first(), pl.col("quote").first(),
    ) if parts else pl.DataFrame(schema=totals_schema)
    obligations = {loaded.id: len(loaded.standard.obligations) for loaded in registry.select(jurisdictions)}
    summary = by_community.group_by("jurisdiction", maintain_order=True).agg(
        pl.len().cast(pl.Int64).alias("communities"),
        *(expr for period in ("yearly", "one_off") for expr in (
            pl.when(pl.col(f"{period}_unknown").sum() == 0).then(pl.col(f"{period}_yuan_known").sum())
            .otherwise(None).alias(f"{period}_yuan"),
            pl.col(f"{period}_yuan_known").sum().alias(f"{period}_yuan_known"),
            pl.col(f"{period}_unknown").sum().cast(pl.Int64).alias(f"{period}_unknown_items"))),
    ).with_columns(pl.col("jurisdiction").replace_strict(obligations, return_dtype=pl.Int64).alias("obligations"))
    return CostReport(items=items, by_community=by_community, totals=totals, summary=summary)


# --------------------------------------------------------------------------
# What-if


@attrs.frozen
class WhatIfReport:
    """Baseline against reformed verdicts for the same communities.

    ``rules``: the rules the reforms changed, added or removed (stated
    requirement, due date and strength before and after). ``summary``: per
    community × jurisdiction, counts and compliance before and after and how
    many rule verdicts changed. ``changes``: one row per community × rule whose
    verdict changed. ``aggregate_changes``: the same for rules over sets of
    communities (per district and ``(all)``).
    """

    as_of: dt.date
    jurisdictions: list[str]
    rules: pl.DataFrame
    summary: pl.DataFrame
    changes: pl.DataFrame
    aggregate_changes: pl.DataFrame


def rule_changes(baseline: Registry, reformed: Registry, jurisdictions: Sequence[str] = ()) -> pl.DataFrame:
    """Rules whose stated requirement, due date, strength or scope differ between two registries."""
    keys_a, keys_b = _Keys(baseline.catalog), _Keys(reformed.catalog)
    rows = []
    ids = list(jurisdictions) or sorted(set(baseline.standards) | set(reformed.standards))
    for jurisdiction in ids:
        before = {r.id: r for r in baseline.standards[jurisdiction].standard.rules} \
            if jurisdiction in baseline.standards else {}
        after = {r.id: r for r in reformed.standards[jurisdiction].standard.rules} \
            if jurisdiction in reformed.standards else {}
        for rule_id in [*before, *(r for r in after if r not in before)]:
            a, b = before.get(rule_id), after.get(rule_id)
            if a == b:
                continue
            rows.append({
                "jurisdiction": jurisdiction, "rule": rule_id,
                "change": "added" if a is None else ("removed" if b is None else "changed"),
                "requirement_baseline": keys_a.stated(a.requirement, a.metric) if a else None,
                "requirement_reformed": keys_b.stated(b.requirement, b.metric) if b else None,
                "due_baseline": a.due if a else None, "due_reformed": b.due if b else None,
                "strength_baseline": a.strength if a else None, "strength_reformed": b.strength if b else None,
                "applies_baseline": applies_text(a.applies_to) if a else None,
                "applies_reformed": applies_text(b.applies_to) if b else None,
            })
    schema: dict[str, Any] = {name: pl.String for name in (
        "jurisdiction", "rule", "change", "requirement_baseline", "requirement_reformed", "due_baseline",
        "due_reformed", "strength_baseline", "strength_reformed", "applies_baseline", "applies_reformed")}
    schema.update({"due_baseline": pl.Date, "due_reformed": pl.Date})
    return pl.DataFrame(rows, schema=schema)


def whatif(baseline: Registry, reformed: Registry, communities: Any, jurisdictions: Sequence[str] = (),
           as_of: dt.date | None = None) -> WhatIfReport:
    """Judge ``communities`` under both registries and report what the reforms change.

    :param jurisdictions: default: the jurisdictions whose standard the reforms change
        (all installed ones when nothing changed).
    """
    from .reform import changed_jurisdictions

    as_of = _as_of(as_of)
    ids = list(jurisdictions) or changed_jurisdictions(baseline, reformed) or sorted(reformed.standards)
    for jurisdiction in ids:
        (reformed if jurisdiction in reformed.standards else baseline).get(jurisdiction)
    frame = _frame_of(communities)
    before = engine.evaluate(frame, [j for j in ids if j in baseline.standards] or None, as_of, registry=baseline) \
        if any(j in baseline.standards for j in ids) else None
    after = engine.evaluate(frame, [j for j in ids if j in reformed.standards], as_of, registry=reformed)
    summary = _whatif_summary(before, after, frame)
    changes = _whatif_changes(before, after, frame)
    aggregate_changes = _whatif_aggregates(before, after)
    return WhatIfReport(as_of=as_of, jurisdictions=ids, rules=rule_changes(baseline, reformed, ids),
                        summary=summary, changes=changes, aggregate_changes=aggregate_changes)


def _whatif_summary(before, after, frame: pl.DataFrame) -> pl.DataFrame:
    keep = ["pass", "fail", "unknown", "not_applicable", "not_due", "compliance"]
    b = after.summary()
    identity = [c for c in ("id", "name", "district", "kind") if c in b.columns]
    reformed = b.select(*identity, "jurisdiction", *(pl.col(c).alias(f"{c}_reformed") for c in keep))
    if before is not None:
        a = before.summary().select("id", "jurisdiction", *(pl.col(c).alias(f"{c}_baseline") for c in keep))
        joined = reformed.join(a, on=["id", "jurisdiction"], how="left", maintain_order="left")
    else:
        joined = reformed.with_columns(*(pl.lit(None).alias(f"{c}_baseline") for c in keep))
    counts = _changed_counts(before, after)
    joined = joined.join(counts, on=["id", "jurisdiction"], how="left", maintain_order="left").with_columns(
        pl.col("changed").fill_null(0).cast(pl.Int64))
    ordered = [*identity, "jurisdiction"]
    for c in ("pass", "fail", "unknown", "compliance"):
        ordered += [f"{c}_baseline", f"{c}_reformed"]
    ordered += ["not_applicable_baseline", "not_applicable_reformed", "not_due_baseline", "not_due_reformed",
                "changed"]
    return joined.select(ordered)


def _code_columns(results) -> dict[str, tuple[str, str]]:
    return {r.key: (r.jurisdiction, r.rule.id) for r in results.rules} if results is not None else {}


def _long_codes(results, keys: dict[str, tuple[str, str]], suffix: str) -> pl.DataFrame:
    schema = {"id": pl.String, "jurisdiction": pl.String, "rule": pl.String, f"code_{suffix}": pl.Int8}
    if results is None or not keys:
        return pl.DataFrame(schema=schema)
    frames = [results.codes.select(pl.col("id"), pl.lit(j).alias("jurisdiction"), pl.lit(r).alias("rule"),
                                   pl.col(k).alias(f"code_{suffix}")) for k, (j, r) in keys.items()]
    return pl.concat(frames)


def _changed_long(before, after) -> pl.DataFrame:
    a = _long_codes(before, _code_columns(before), "baseline")
    b = _long_codes(after, _code_columns(after), "reformed")
    joined = b.join(a, on=["id", "jurisdiction", "rule"], how="full", coalesce=True, maintain_order="left")
    return joined.filter(pl.col("code_baseline").ne_missing(pl.col("code_reformed")))


def _changed_counts(before, after) -> pl.DataFrame:
    return _changed_long(before, after).group_by(["id", "jurisdiction"]).agg(pl.len().cast(pl.Int64).alias("changed"))


def _verdict_name(column: str, alias: str) -> pl.Expr:
    return (pl.col(column).replace_strict(list(range(len(VERDICTS))), list(VERDICTS), default=None,
                                          return_dtype=pl.String).fill_null("absent").alias(alias))


def _whatif_changes(before, after, frame: pl.DataFrame) -> pl.DataFrame:
    changed = _changed_long(before, after)
    columns = ["id", "jurisdiction", "rule", "verdict_baseline", "verdict_reformed", "value", "required_baseline",
               "required_reformed", "shortfall_baseline", "shortfall_reformed", "unit", "clause"]
    if changed.is_empty():
        schema = {name: pl.String for name in columns}
        schema.update({"value": F64, "shortfall_baseline": F64, "shortfall_reformed": F64})
        return pl.DataFrame(schema=schema)
    ids = changed.get_column("id").unique().to_list()
    rules = changed.get_column("rule").unique().to_list()
    detail_cols = ["id", "jurisdiction", "rule", "value", "required", "shortfall", "unit", "clause"]
    after_details = after.details(ids=ids, rules=rules).select(detail_cols)
    before_details = before.details(ids=ids, rules=rules).select(detail_cols) if before is not None else \
        after_details.clear()
    out = changed.join(after_details.rename({"required": "required_reformed", "shortfall": "shortfall_reformed"}),
                       on=["id", "jurisdiction", "rule"], how="left")
    out = out.join(before_details.rename({"required": "required_baseline", "shortfall": "shortfall_baseline",
                                          "value": "value_baseline", "unit": "unit_baseline",
                                          "clause": "clause_baseline"}),
                   on=["id", "jurisdiction", "rule"], how="left")
    out = out.with_columns(
        pl.coalesce("value", "value_baseline").alias("value"), pl.coalesce("unit", "unit_baseline").alias("unit"),
        pl.coalesce("clause", "clause_baseline").alias("clause"),
        _verdict_name("code_baseline", "verdict_baseline"), _verdict_name("code_reformed", "verdict_reformed"))
    order = frame.select(pl.col("id"), pl.int_range(pl.len()).alias("_row"))
    seen = list(dict.fromkeys([*_code_columns(after).values(), *_code_columns(before).values()]))
    rule_order = pl.DataFrame({"jurisdiction": [j for j, _ in seen], "rule": [r for _, r in seen],
                               "_rule": list(range(len(seen)))}, schema={"jurisdiction": pl.String,
                                                                          "rule": pl.String, "_rule": pl.Int64})
    out = out.join(order, on="id", how="left").join(rule_order, on=["jurisdiction", "rule"], how="left")
    return out.sort(["_row", "jurisdiction", "_rule"]).select(columns)


def _whatif_aggregates(before, after) -> pl.DataFrame:
    columns = ["jurisdiction", "rule", "district", "verdict_baseline", "verdict_reformed", "value_baseline",
               "value_reformed"]
    b = after.aggregate_details()
    a = before.aggregate_details() if before is not None else pl.DataFrame()
    if a.is_empty() and b.is_empty():
        return pl.DataFrame(schema={name: (F64 if name.startswith("value") else pl.String) for name in columns})
    key = ["jurisdiction", "rule", "district"]

    def pick(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        if frame.is_empty():
            return pl.DataFrame(schema={"jurisdiction": pl.String, "rule": pl.String, "district": pl.String,
                                        f"verdict_{suffix}": pl.String, f"value_{suffix}": F64})
        return frame.select(*key, pl.col("verdict").alias(f"verdict_{suffix}"), pl.col("value").alias(f"value_{suffix}"))

    joined = pick(b, "reformed").join(pick(a, "baseline"), on=key, how="full", coalesce=True, maintain_order="left")
    joined = joined.with_columns(pl.col("verdict_baseline").fill_null("absent"),
                                 pl.col("verdict_reformed").fill_null("absent"))
    return joined.filter(pl.col("verdict_baseline") != pl.col("verdict_reformed")).select(columns)


# --------------------------------------------------------------------------
# Plain records


def records(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A view's rows as plain dicts (dates as ISO text), for JSON and snapshots."""
    from .output import plain

    return plain(frame.to_dicts())


__all__ = [
    "CELL_STATUSES", "DIFF_STATUSES", "RULE_STATUSES", "TIMELINE_STATUSES", "CostReport", "MetricKey", "Scenario",
    "WhatIfReport", "bounds_text", "cost", "diff", "records", "resolve_department", "responsibilities",
    "responsibilities_matrix", "rule_changes", "scenarios", "standards_matrix", "standards_notes", "standards_rules",
    "standards_table", "timeline", "whatif",
]
