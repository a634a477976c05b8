"""The standards side by side: every jurisdiction's requirement per metric, concrete for a community of a given size.

Over 600 lines because it is one pipeline read top to bottom (scenarios → rules → concept cells → matrix)."""

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
from .common import (
    COMMUNITY_COUNT,
    F64,
    MetricKey,
    _as_of,
    _Keys,
    absent_state,
    compared_rules,
    document_label,
    issued,
    not_in_force_text,
    source_document,
    strength_filter,
    successor_of,
)


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
    "concept",
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
    "tolerance",
    "due",
    "status",
    "reason",
    "requirement",
    "concrete",
    "required_min",
    "required_max",
    "comparable",
    "normalised",
    "document",
    "document_date",
    "in_force",
    "clause",
]


RULE_STATUSES = ("applies", "depends", "not_applicable", "aggregate", "not_in_force")


def standards_rules(
    registry: Registry,
    metrics: Sequence[str] | None = None,
    households: Sequence[int] = (),
    population: int | None = None,
    kind: str = "urban",
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    persons_per_household: float | None = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every rule of the selected jurisdictions on the selected metrics' concepts, concretised per scenario.

    One row per (scenario, jurisdiction, rule). ``concept``: what the rule
    measures (:meth:`~shequ.catalog.Catalog.concept_of`); ``metric``: the key
    it is measured by. ``status``: ``applies`` (the concrete requirement is
    known), ``depends`` (it needs data the scenario lacks: population, a flag,
    a district), ``not_applicable`` (not for this kind or size), ``aggregate``
    (judged over a set of communities, no per-community requirement),
    ``not_in_force`` (its document is not yet issued on ``as_of``).
    ``required_min``/``required_max`` are in the key's display ``unit``;
    ``comparable`` says whether they may be ranked. ``strengths``: only rules
    of these strengths (default every strength).
    """
    as_of = _as_of(as_of)
    kept = strength_filter(strengths)
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
        for rule in compared_rules(loaded.standard.rules):
            if kept is not None and rule.strength not in kept:
                continue
            key = keys.of_rule(rule)
            if wanted is not None and not (wanted & _rule_concepts(rule, key, keys)):
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
            "tolerance": F64,
            "required_min": F64,
            "required_max": F64,
            "comparable": pl.Boolean,
            "document_date": pl.Date,
            "in_force": pl.Boolean,
        }
    )
    return schema


def _rule_names(rule: Rule, key: MetricKey) -> set[str]:
    if key == COMMUNITY_COUNT:  # the rule's metric is only a carrier
        return {key.key}
    names = {key.key, rule.metric}
    names.update(metric for requirement in forms.walk(rule.requirement) if (metric := forms.own_metric(requirement)))
    return names


def _name_concept(keys: _Keys, name: str) -> str:
    """The concept a metric id (or a metric key) stands for."""
    return keys.catalog.concept_of(name) if keys.catalog.has_metric(name) else name


def _rule_concepts(rule: Rule, key: MetricKey, keys: _Keys) -> set[str]:
    """The concepts of every metric a rule names, its own key's concept included."""
    return {keys.concept_of(key)} | {_name_concept(keys, name) for name in _rule_names(rule, key)}


def _metric_filter(
    registry: Registry, keys: _Keys, standards: list[LoadedStandard], metrics: Sequence[str] | None
) -> set[str] | None:
    """The concepts of the selected metrics (None: every concept); an unknown metric is an error."""
    if not metrics:
        return None
    known: set[str] = set()
    for loaded in standards:
        for rule in compared_rules(loaded.standard.rules):
            known |= _rule_names(rule, keys.of_rule(rule))
    for metric in metrics:
        if metric not in known and not registry.catalog.has_metric(metric) and metric not in registry.catalog.concepts:
            raise ShequError(
                f"unknown metric '{metric}'"
                f"{Catalog.suggest(metric, sorted(known | set(registry.catalog.metric_ids())))}"
            )
    return {metric if metric in registry.catalog.concepts else _name_concept(keys, metric) for metric in metrics}


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
    document = source_document(loaded, rule.source.document)
    row: dict[str, Any] = {
        "concept": keys.concept_of(key),
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
        "due": rule.due if isinstance(rule.due, dt.date) else None,  # a recurring or event deadline: see timeline
        "status": "applies",
        "reason": None,
        "requirement": keys.stated(rule.requirement, rule.metric, rule.tolerance),
        "tolerance": rule.tolerance,
        "concrete": None,
        "required_min": None,
        "required_max": None,
        "comparable": False,
        "normalised": key.normalised,
        "document": document_label(document),
        "document_date": document.date,
        "in_force": issued(document, as_of),
        "clause": rule.source.clause,
    }
    reasons: list[str] = []
    scope = rule.applies_to
    if scope.kinds and scenario.kind not in scope.kinds:
        row.update(status="not_applicable", reason=f"only {', '.join(scope.kinds)}")
        return _Pending(row, None)
    if not row["in_force"]:  # nothing is in force before its document's date
        row.update(status="not_in_force", reason=not_in_force_text(document, as_of, successor_of(loaded, document)))
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
        text = keys.stated(requirement, rule.metric, rule.tolerance)
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
    row["concrete"] = forms.approximately(" or ".join(texts) if alternatives else texts[0], row["tolerance"])


CELL_COLUMNS = [
    "concept",
    "concept_label",
    "metric",
    "label",
    "unit",
    "households",
    "population",
    "kind",
    "jurisdiction",
    "state",
    "status",
    "concrete",
    "under",
    "reason",
    "required_min",
    "required_max",
    "strictest_min",
    "strictest_max",
    "rules",
    "requirements",
    "normalised",
]


CELL_STATUSES = ("regulated", "depends", "not_applicable", "aggregate", "not_regulated", "not_encoded", "not_in_force")


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
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every jurisdiction's requirement per concept side by side, concrete for a community of the given size.

    One row per (concept, scenario, jurisdiction). A row is measured by one
    metric key (``metric``: the one asked for, else the key most
    jurisdictions regulate the concept by); a jurisdiction that regulates the
    concept by another metric shows its requirement "under" that metric
    (``under`` lists them) and is never ranked against the row's numbers.

    ``state`` is one of :data:`~shequ.views.common.STATES`: ``regulated``,
    ``not_regulated`` (the document is silent: never shown as 0),
    ``not_encoded`` (the standard's gaps name the concept; ``reason`` cites
    why), ``not_in_force`` (the document is not yet issued on ``as_of``).
    ``status`` refines a regulated cell: ``regulated`` (a concrete requirement
    applies), ``depends`` (it needs data the scenario lacks),
    ``not_applicable`` (not for this kind or size), ``aggregate`` (only over a
    set of communities). ``required_min`` is the highest lower bound of the
    jurisdiction's rules on the row's metric, ``required_max`` the lowest
    upper bound; ``strictest_min`` marks the highest ``required_min`` among
    jurisdictions (``strictest_max`` the lowest maximum) when at least two
    set that side and they differ.

    Without ``metrics``, the concepts some selected jurisdiction regulates (or
    names in its gaps) for communities of ``kind`` (``shared``: at least two
    of them). ``strengths``: only rules of these strengths.
    """
    as_of = _as_of(as_of)
    rules = standards_rules(
        registry, metrics, households, population, kind, jurisdictions, as_of, persons_per_household, strengths
    )
    keys = _Keys(registry.catalog)
    standards = registry.select(jurisdictions)
    by_cell: dict[tuple, list[dict[str, Any]]] = defaultdict(list)
    key_info: dict[str, dict[str, Any]] = {}
    concept_keys: dict[str, list[str]] = defaultdict(list)
    regulators: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in rules.iter_rows(named=True):
        by_cell[(row["concept"], row["households"], row["jurisdiction"])].append(row)
        key_info.setdefault(row["metric"], {"label": row["label"], "unit": row["unit"], "normalised": None})
        if row["normalised"]:
            key_info[row["metric"]]["normalised"] = row["normalised"]
        if row["metric"] not in concept_keys[row["concept"]]:
            concept_keys[row["concept"]].append(row["metric"])
        regulators[(row["concept"], row["metric"])].add(row["jurisdiction"])
    relevant: dict[str, set[str]] = defaultdict(set)
    for (concept, _households, jurisdiction), cell_rules in by_cell.items():
        if metrics or any(r["status"] != "not_applicable" for r in cell_rules):
            relevant[concept].add(jurisdiction)
    asked = _metric_filter(registry, keys, standards, metrics)
    for loaded in standards:  # a concept the document regulates where the copy is incomplete
        for gap in loaded.standard.gaps:
            for name in gap.concepts:
                concept = name if name in registry.catalog.concepts else _name_concept(keys, name)
                if asked is None or concept in asked:
                    relevant[concept].add(loaded.id)
    row_keys = _row_keys(registry, keys, metrics, rules, concept_keys, regulators, relevant)
    for key in row_keys.values():
        key_info.setdefault(key.key, {"label": key.label, "unit": key.unit, "normalised": key.normalised})
    wanted = sorted(c for c in row_keys if metrics or not shared or len(relevant[c]) >= 2)
    items = scenarios(households, population, kind, persons_per_household)
    out = []
    for concept in wanted:
        metric = row_keys[concept].key
        info = {
            **key_info[metric],
            "concept": concept,
            "concept_label": keys.concept_label(concept, row_keys[concept]),
            "as_of": as_of,
        }
        for scenario in items:
            cells = []
            for loaded in standards:
                cell_rules = by_cell.get((concept, scenario.households, loaded.id), [])
                cell = _cell(metric, info, scenario, loaded.id, cell_rules, loaded)
                _with_gap(cell, absent_state(loaded, registry.catalog, concept, as_of))
                cells.append(cell)
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
            "under": pl.List(pl.String),
            "rules": pl.List(pl.String),
            "requirements": pl.List(pl.String),
        }
    )
    return pl.DataFrame(out, schema=schema)


def _with_gap(cell: dict[str, Any], absent: tuple[str, str]) -> None:
    """Say where the shipped copy is incomplete (or nothing is issued yet) for a cell that lacks a rule in force.

    A cell with no rule takes the absent state; one whose rules do not apply to
    this community (they are for another kind) is ``not_encoded`` where the
    standard's gaps name the concept; a regulated cell keeps its rules and
    cites the gap in ``reason`` (the encoding may be partial).
    """
    state, text = absent
    if state == "not_regulated" or cell["state"] == "not_in_force":
        return
    if cell["state"] == "not_regulated":
        cell.update(state=state, status=state, concrete=text, reason=text)
    elif cell["status"] == "not_applicable" and state == "not_encoded":
        cell.update(state=state, status=state, concrete=f"{text}; {cell['concrete']}", reason=text)
    elif state == "not_encoded":
        cell["reason"] = "; ".join(filter(None, [cell["reason"], f"partly {text}"]))


def _row_keys(
    registry: Registry,
    keys: _Keys,
    metrics: Sequence[str] | None,
    rules: pl.DataFrame,
    concept_keys: dict[str, list[str]],
    regulators: dict[tuple[str, str], set[str]],
    relevant: dict[str, set[str]],
) -> dict[str, MetricKey]:
    """The metric key each concept row is measured by.

    With ``metrics``: the key of the first rule that names an asked-for metric
    of the concept, else the asked-for metric itself. Without: the key most
    jurisdictions regulate the concept by (ties: the catalog's order of the
    concept's metrics, then the name).
    """
    chosen: dict[str, MetricKey] = {}
    for concept in relevant:
        if concept_keys.get(concept):
            candidates = concept_keys[concept]
            order = list(keys.catalog.concepts[concept].metrics) if concept in keys.catalog.concepts else []
            best = min(
                candidates,
                key=lambda k: (
                    -len(regulators[(concept, k)]),
                    order.index(k) if k in order else len(order),
                    k,
                ),
            )
            chosen[concept] = MetricKey(best, *_label_unit(rules, best))
        else:
            concept_def = keys.catalog.concept(concept) if keys.catalog.has_concept(concept) else None
            metric = concept_def.metrics[0] if concept_def and concept_def.metrics else concept
            chosen[concept] = keys.of_metric(metric)
    for metric in metrics or ():
        concept = metric if metric in keys.catalog.concepts else _name_concept(keys, metric)
        if metric in keys.catalog.concepts:
            continue  # a concept asked for by its id keeps the most regulated key
        named = [
            r["metric"]
            for r in rules.iter_rows(named=True)
            if r["concept"] == concept and (r["metric"] == metric or metric in _names_of_row(registry, keys, r))
        ]
        chosen[concept] = MetricKey(named[0], *_label_unit(rules, named[0])) if named else keys.of_metric(metric)
        relevant.setdefault(concept, set())
    return chosen


def _label_unit(rules: pl.DataFrame, key: str) -> tuple[str, str]:
    row = rules.filter(pl.col("metric") == key).row(0, named=True)
    return row["label"], row["unit"]


def _names_of_row(registry: Registry, keys: _Keys, row: dict[str, Any]) -> set[str]:
    """The metrics the rule behind a row names (its own metric and any alternative's)."""
    rule = registry.get(row["jurisdiction"]).standard.rule(row["rule"])
    return _rule_names(rule, keys.of_rule(rule))


def _not_in_force_reason(loaded: LoadedStandard | None, row: dict[str, Any], as_of: dt.date) -> str:
    """Why the rule behind a row is not in force: not yet in effect, or superseded by a later version."""
    if loaded is None:
        return f"not in force on {as_of.isoformat()}: {row['document']} is dated {row['document_date']}"
    document = source_document(loaded, loaded.standard.rule(row["rule"]).source.document)
    return not_in_force_text(document, as_of, successor_of(loaded, document))


def _cell(
    metric: str,
    info: dict[str, Any],
    scenario: Scenario,
    jurisdiction: str,
    rules: list[dict[str, Any]],
    loaded: LoadedStandard | None = None,
) -> dict[str, Any]:
    cell: dict[str, Any] = {
        "concept": info["concept"],
        "concept_label": info["concept_label"],
        "metric": metric,
        "label": info["label"],
        "unit": info["unit"],
        "households": scenario.households,
        "population": scenario.population,
        "kind": scenario.kind,
        "jurisdiction": jurisdiction,
        "state": "regulated",
        "under": [],
        "reason": None,
        "required_min": None,
        "required_max": None,
        "strictest_min": False,
        "strictest_max": False,
        "rules": [r["rule"] for r in rules],
        "requirements": [
            f"{r['rule']}: "
            + (f"under {r['metric']}: " if r["metric"] != metric else "")
            + r["requirement"]
            + ("" if r["strength"] == "mandatory" else f" ({r['strength']})")
            + (" (not in force)" if r["status"] == "not_in_force" else "")
            for r in rules
        ],
        "normalised": info["normalised"],
    }
    if not rules:
        return {**cell, "state": "not_regulated", "status": "not_regulated", "concrete": "not regulated"}
    in_force = [r for r in rules if r["in_force"]]
    if not in_force:
        text = "; ".join(sorted({_not_in_force_reason(loaded, r, info["as_of"]) for r in rules}))
        return {**cell, "state": "not_in_force", "status": "not_in_force", "concrete": text, "reason": text}
    under = sorted({r["metric"] for r in in_force if r["metric"] != metric})
    cell["under"] = under
    applying = [r for r in in_force if r["status"] == "applies"]
    depending = [r for r in in_force if r["status"] == "depends"]
    aggregates = [r for r in in_force if r["status"] == "aggregate"]
    if not (applying or depending or aggregates):
        reasons = sorted({r["reason"] for r in in_force if r["reason"]})
        return {**cell, "status": "not_applicable", "concrete": f"not for this community ({'; '.join(reasons)})"}
    own = [r for r in applying if r["metric"] == metric and r["comparable"]]
    lows = [r["required_min"] for r in own if r["required_min"] is not None]
    highs = [r["required_max"] for r in own if r["required_max"] is not None]
    lo, hi = (max(lows) if lows else None), (min(highs) if highs else None)
    texts: list[str] = []
    only_presence = (
        lows and all(r["concrete"] == "present" for r in own if r["required_min"] is not None) and hi is None
    )
    if lows or highs:
        bounds = "present" if only_presence and lo == 1 else bounds_text(lo, hi, info["unit"])
        # an approximate norm (左右) stays approximate when combined: the stated bounds, marked ≈ and ±t%
        tolerances = {r["tolerance"] for r in own if r["tolerance"] is not None}
        texts.append(forms.approximately(bounds, max(tolerances)) if tolerances else bounds)

    others: dict[str, list[str]] = defaultdict(list)  # texts under another metric than the row's, by metric

    def add(text: str, row: dict[str, Any]) -> None:
        into = texts if row["metric"] == metric else others[row["metric"]]
        text = text.removeprefix(f"{row['metric']}: ") if into is not texts else text  # "under M" names it already
        if text not in into:
            into.append(text)

    for r in applying:
        if r not in own:
            add(r["concrete"], r)
    for r in depending:
        add(f"{r['concrete'] or r['requirement']} [{r['reason']}]", r)
    for r in aggregates:
        add(r["concrete"], r)
    texts += [f"regulated under {other}: {'; '.join(found)}" for other, found in sorted(others.items())]
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
    """Concepts (× sizes) as rows, jurisdictions as columns; ★ marks the strictest."""
    if table.is_empty():
        return pl.DataFrame()
    marked = table.with_columns(
        pl.when(pl.col("strictest_min") | pl.col("strictest_max"))
        .then(pl.concat_str([pl.col("concrete"), pl.lit(" ★")]))
        .otherwise(pl.col("concrete"))
        .alias("cell")
    )
    index = (
        ["concept", "metric", "label", "unit"]
        + (["households"] if table.get_column("households").is_not_null().any() else [])
        + (["population"] if table.get_column("population").is_not_null().any() else [])
    )
    return marked.pivot(on="jurisdiction", index=index, values="cell", maintain_order=True)


def standards_notes(
    households: Sequence[int],
    population: int | None,
    kind: str,
    persons_per_household: float | None,
    as_of: dt.date,
    strengths: Sequence[str] = (),
) -> list[str]:
    """The assumptions behind a standards table, for its header."""
    notes = [
        f"as of {as_of.isoformat()}: community kind {kind}; requirements in force on that date (staged rules: the "
        "stage in force then; nothing before its document's date)"
    ]
    if strengths:
        notes.append("strengths: " + ", ".join(strengths))
    if households:
        notes.append("households: " + ", ".join(str(h) for h in households))
    if population is not None:
        notes.append(f"population: {population} (for every size)")
    elif persons_per_household is not None and households:
        notes.append(f"population assumed = households × {persons_per_household:g} (persons per household)")
    else:
        notes.append("population not given: requirements that depend on it say 'depends'")
    notes.append(
        "rows are concepts; 'regulated under M' = the jurisdiction regulates the concept by metric M, not ranked "
        "against the row's metric; ★ strictest: highest minimum / lowest maximum on the row's metric where two or "
        "more jurisdictions set one and they differ"
    )
    notes.append(
        "'not regulated' = the document is silent (not zero); 'not encoded' = the shipped copy is incomplete; "
        "'not in force' = the document is not yet issued on the as-of date"
    )
    return notes
