"""The standards side by side: every jurisdiction's requirement per metric, concrete for a community of a given size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from .. import forms
from ..catalog import Catalog
from ..engine import MetricResolver
from ..errors import ShequError
from ..forms.compiling import Part
from ..forms.words import bounds_text
from ..model import COMMUNITY_KINDS, Requirement, Rule, is_aggregate
from ..registry import LoadedStandard, Registry
from .common import COMMUNITY_COUNT, F64, MetricKey, _as_of, _Keys


@attrs.frozen
class Scenario:
    """A hypothetical community the concrete requirements are computed for."""

    households: int | None
    population: int | None
    kind: str
    population_estimated: bool = False


def scenarios(
    households: Sequence[int] = (),
    population: int | None = None,
    kind: str = "urban",
    persons_per_household: float | None = None,
) -> list[Scenario]:
    """One scenario per households value (or one of unknown size when none is given)."""
    if kind not in COMMUNITY_KINDS:
        raise ShequError(
            f"unknown community kind '{kind}'{Catalog.suggest(kind, COMMUNITY_KINDS)}; "
            f"kinds: {', '.join(COMMUNITY_KINDS)}"
        )
    result = []
    sizes: list[int | None] = [*households] or [None]
    people: int | None
    for size in sizes:
        if population is None and persons_per_household is not None and size is not None:
            people, estimated = round(size * persons_per_household), True
        else:
            people, estimated = population, False
        result.append(Scenario(households=size, population=people, kind=kind, population_estimated=estimated))
    return result


def _scenario_frame(items: Sequence[Scenario]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "id": [f"scenario-{i}" for i in range(len(items))],
            "kind": [s.kind for s in items],
            "households": [s.households for s in items],
            "population": [s.population for s in items],
        },
        schema={"id": pl.String, "kind": pl.String, "households": pl.Int64, "population": pl.Int64},
    )


@attrs.define
class _Pending:
    """A rule's resolved form for one scenario, waiting for its bounds to be evaluated."""

    row: dict[str, Any]
    leaf: Requirement | None
    #: (option, its compiled part, its key): the leaf itself, or each alternative of an ``any_of``
    parts: list[tuple[Requirement, Part, MetricKey]] = attrs.Factory(list)


RULE_COLUMNS = [
    "metric",
    "label",
    "unit",
    "households",
    "population",
    "kind",
    "jurisdiction",
    "rule",
    "title",
    "strength",
    "due",
    "status",
    "reason",
    "requirement",
    "concrete",
    "required_min",
    "required_max",
    "comparable",
    "normalised",
    "clause",
]


RULE_STATUSES = ("applies", "depends", "not_applicable", "aggregate")


def standards_rules(
    registry: Registry,
    metrics: Sequence[str] | None = None,
    households: Sequence[int] = (),
    population: int | None = None,
    kind: str = "urban",
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    persons_per_household: float | None = None,
) -> pl.DataFrame:
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
                values[metric] = (
                    resolver.table(frame).with_columns(expr.alias("__value")).get_column("__value").to_list()
                )  # with_columns broadcasts a literal (a missing column)
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
    metrics_frame = resolver.table(frame)
    rows = _evaluate_pending(pending, metrics_frame)
    if not rows:
        return pl.DataFrame(schema=_rule_schema())
    return pl.DataFrame(rows, schema=_rule_schema())


def _rule_schema() -> dict[str, pl.DataType]:
    schema: dict[str, Any] = dict.fromkeys(RULE_COLUMNS, pl.String)
    schema.update(
        {
            "households": pl.Int64,
            "population": pl.Int64,
            "due": pl.Date,
            "required_min": F64,
            "required_max": F64,
            "comparable": pl.Boolean,
        }
    )
    return schema


def _rule_names(rule: Rule, key: MetricKey) -> set[str]:
    if key == COMMUNITY_COUNT:  # the rule's metric is only a carrier
        return {key.key}
    names = {key.key, rule.metric}
    names.update(metric for requirement in forms.walk(rule.requirement) if (metric := forms.own_metric(requirement)))
    return names


def _metric_filter(
    registry: Registry, keys: _Keys, standards: list[LoadedStandard], metrics: Sequence[str] | None
) -> set[str] | None:
    if not metrics:
        return None
    known: set[str] = set()
    for loaded in standards:
        for rule in loaded.standard.rules:
            known |= _rule_names(rule, keys.of_rule(rule))
    for metric in metrics:
        if metric not in known and not registry.catalog.has_metric(metric):
            raise ShequError(
                f"unknown metric '{metric}'"
                f"{Catalog.suggest(metric, sorted(known | set(registry.catalog.metric_ids())))}"
            )
    return set(metrics)


def _resolve_rule(
    rule: Rule,
    loaded: LoadedStandard,
    key: MetricKey,
    keys: _Keys,
    scenario: Scenario,
    index: int,
    value_of,
    resolver: MetricResolver,
    as_of: dt.date,
) -> _Pending:
    """Decide, in Python, which form of a rule binds a scenario; compile it with the engine."""
    row: dict[str, Any] = {
        "metric": key.key,
        "label": key.label,
        "unit": key.unit,
        "households": scenario.households,
        "population": scenario.population,
        "kind": scenario.kind,
        "jurisdiction": loaded.id,
        "rule": rule.id,
        "title": rule.title,
        "strength": rule.strength,
        "due": rule.due,
        "status": "applies",
        "reason": None,
        "requirement": keys.stated(rule.requirement, rule.metric),
        "concrete": None,
        "required_min": None,
        "required_max": None,
        "comparable": False,
        "normalised": key.normalised,
        "clause": rule.source.clause,
    }
    reasons: list[str] = []
    scope = rule.applies_to
    if scope.kinds and scenario.kind not in scope.kinds:
        row.update(status="not_applicable", reason=f"only {', '.join(scope.kinds)}")
        return _Pending(row, None)
    for condition in scope.when:
        holds = condition.holds(value_of(condition.metric, index))
        if holds is False:
            row.update(status="not_applicable", reason=f"only where {forms.condition_text(condition)}")
            return _Pending(row, None)
        if holds is None:
            reasons.append(f"only where {forms.condition_text(condition)}")
    if scope.flags:
        reasons.append(f"only where {', '.join(scope.flags)}")
    if getattr(scope, "districts", ()):
        reasons.append(f"only in {', '.join(scope.districts)}")
    requirement = rule.requirement
    notes = []
    # settle staged and conditional layers for this scenario, down to the form that binds it
    while (step := forms.form_of(requirement).peel(requirement, as_of, lambda m: value_of(m, index))) is not None:
        if step.due is not None:
            row["due"] = step.due
        if step.note:
            notes.append(step.note)
        if step.depends:
            reasons.append(step.depends)
        if step.then is None:
            row.update(status="not_applicable", reason=step.not_applicable)
            return _Pending(row, None)
        requirement = step.then
    if reasons:
        row.update(status="depends", reason="; ".join(reasons))
    if notes:
        row["reason"] = "; ".join(filter(None, [row["reason"], *notes]))
    if is_aggregate(requirement):
        text = keys.stated(requirement, rule.metric)
        row.update(status="aggregate", concrete=text if "across" in text else f"{text} (across communities)")
        return _Pending(row, None)
    pending = _Pending(row, requirement)
    for option in forms.form_of(requirement).options(requirement):
        unit = keys.unit(forms.own_metric(option) or rule.metric)
        part = forms.compile_requirement(option, rule.metric, resolver, as_of, unit)
        pending.parts.append((option, part, keys.of_requirement(option, rule.metric)))
    pending.row["_index"] = index
    return pending


def _evaluate_pending(pending: list[_Pending], metrics_frame: pl.DataFrame) -> list[dict[str, Any]]:
    expressions = []
    for number_, item in enumerate(pending):
        for k, (_option, part, _key) in enumerate(item.parts):
            expressions += [
                part.lo.cast(F64).alias(f"{number_}:{k}:lo"),
                part.hi.cast(F64).alias(f"{number_}:{k}:hi"),
                part.text.cast(pl.String).alias(f"{number_}:{k}:text"),
            ]
    # with_columns, not select: literal bounds (a fixed minimum) must broadcast to every scenario row
    names = [e.meta.output_name() for e in expressions]
    evaluated = metrics_frame.with_columns(expressions).select(names).to_dicts() if expressions else []
    rows = []
    for number_, item in enumerate(pending):
        row = item.row
        index = row.pop("_index", None)
        if item.leaf is not None and index is not None:
            values = evaluated[index]
            _concretise(
                row,
                item,
                [
                    (values[f"{number_}:{k}:lo"], values[f"{number_}:{k}:hi"], values[f"{number_}:{k}:text"])
                    for k in range(len(item.parts))
                ],
            )
        rows.append({name: row.get(name) for name in RULE_COLUMNS})
    return rows


def _concretise(
    row: dict[str, Any], item: _Pending, results: list[tuple[float | None, float | None, str | None]]
) -> None:
    """The concrete requirement of a scenario in the key's display unit, and its bounds where they rank."""
    assert item.leaf is not None
    key_name = row["metric"]
    alternatives = len(item.parts) > 1
    texts = []
    for (lo, hi, text), (option, _part, key) in zip(results, item.parts, strict=True):
        form = forms.form_of(option)
        if form.compared_by == "presence":
            texts.append("present" if key.key == key_name else f"{key.key} present")
            continue
        if form.compared_by != "bounds":
            texts.append(text or "")
            continue
        lo = None if lo is None else lo * key.scale
        hi = None if hi is None else hi * key.scale
        if lo is None and hi is None:
            row["status"] = "depends"
            row["reason"] = "; ".join(filter(None, [row["reason"], f"depends on {form.basis(option)}"]))
            bounds = forms.words(option, key.unit)
        else:
            bounds = form.bounds_words(option, lo, hi, key)
        prefix = f"{key.key}: " if key.key != key_name else ""
        texts.append(prefix + bounds)
        if not alternatives and key.key == key_name:
            row["required_min"], row["required_max"] = lo, hi
            row["comparable"] = row["status"] == "applies" and (lo is not None or hi is not None)
    if forms.form_of(item.leaf).compared_by == "presence" and row["status"] == "applies":
        row["required_min"], row["comparable"] = 1.0, True
    row["concrete"] = " or ".join(texts) if alternatives else texts[0]


CELL_COLUMNS = [
    "metric",
    "label",
    "unit",
    "households",
    "population",
    "kind",
    "jurisdiction",
    "status",
    "concrete",
    "required_min",
    "required_max",
    "strictest_min",
    "strictest_max",
    "rules",
    "requirements",
    "normalised",
]


CELL_STATUSES = ("regulated", "depends", "not_applicable", "aggregate", "not_regulated")


def standards_table(
    registry: Registry,
    metrics: Sequence[str] | None = None,
    households: Sequence[int] = (),
    population: int | None = None,
    kind: str = "urban",
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    persons_per_household: float | None = None,
    shared: bool = False,
) -> pl.DataFrame:
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
    rules = standards_rules(
        registry, metrics, households, population, kind, jurisdictions, as_of, persons_per_household
    )
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
    schema: dict[str, Any] = dict.fromkeys(CELL_COLUMNS, pl.String)
    schema.update(
        {
            "households": pl.Int64,
            "population": pl.Int64,
            "required_min": F64,
            "required_max": F64,
            "strictest_min": pl.Boolean,
            "strictest_max": pl.Boolean,
            "rules": pl.List(pl.String),
            "requirements": pl.List(pl.String),
        }
    )
    return pl.DataFrame(out, schema=schema)


def _cell(
    metric: str, info: dict[str, Any], scenario: Scenario, jurisdiction: str, rules: list[dict[str, Any]]
) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "metric": metric,
        "label": info["label"],
        "unit": info["unit"],
        "households": scenario.households,
        "population": scenario.population,
        "kind": scenario.kind,
        "jurisdiction": jurisdiction,
        "required_min": None,
        "required_max": None,
        "strictest_min": False,
        "strictest_max": False,
        "rules": [r["rule"] for r in rules],
        "requirements": [
            f"{r['rule']}: {r['requirement']}" + ("" if r["strength"] == "mandatory" else f" ({r['strength']})")
            for r in rules
        ],
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
    only_presence = (
        lows
        and all(r["concrete"] == "present" for r in applying if r["comparable"] and r["required_min"] is not None)
        and hi is None
    )
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
        .then(pl.concat_str([pl.col("concrete"), pl.lit(" ★")]))
        .otherwise(pl.col("concrete"))
        .alias("cell")
    )
    index = (
        ["metric", "label", "unit"]
        + (["households"] if table.get_column("households").is_not_null().any() else [])
        + (["population"] if table.get_column("population").is_not_null().any() else [])
    )
    return marked.pivot(on="jurisdiction", index=index, values="cell", maintain_order=True)


def standards_notes(
    households: Sequence[int], population: int | None, kind: str, persons_per_household: float | None, as_of: dt.date
) -> list[str]:
    """The assumptions behind a standards table, for its header."""
    notes = [
        f"community kind: {kind}; requirements in force as of {as_of.isoformat()} (staged rules: the stage "
        "in force then)"
    ]
    if households:
        notes.append("households: " + ", ".join(str(h) for h in households))
    if population is not None:
        notes.append(f"population: {population} (for every size)")
    elif persons_per_household is not None and households:
        notes.append(f"population assumed = households × {persons_per_household:g} (persons per household)")
    else:
        notes.append("population not given: requirements that depend on it say 'depends'")
    notes.append(
        "★ strictest: highest minimum / lowest maximum where two or more jurisdictions set one and they "
        "differ; 'not regulated' = the jurisdiction has no rule on the metric (not zero)"
    )
    return notes
