"""What one jurisdiction requires that another does not, and which is stricter by how much."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from .. import forms
from ..errors import ShequError
from ..forms.words import rounded, with_unit
from ..model import Rule, due_words
from ..registry import LoadedStandard, Registry
from .common import (
    F64,
    MetricKey,
    _as_of,
    _Keys,
    absent_state,
    compared_rules,
    issued,
    not_in_force_text,
    source_document,
    strength_filter,
    successor_of,
)
from .standards import _metric_filter, _rule_concepts, standards_table

DIFF_COLUMNS = [
    "concept",
    "concept_label",
    "metric",
    "label",
    "unit",
    "qualifier",
    "aspect",
    "a",
    "b",
    "a_requirement",
    "b_requirement",
    "a_value",
    "b_value",
    "a_text",
    "b_text",
    "status",
    "stricter",
    "difference",
    "difference_pct",
    "summary",
    "a_rules",
    "b_rules",
    "a_state",
    "b_state",
]


DIFF_STATUSES = (
    "a_stricter",
    "b_stricter",
    "same",
    "not_comparable",
    "different_metric",
    "only_a",
    "only_b",
    "not_in_force",
)


_NUMERIC_ASPECTS = ("minimum", "maximum", "rate")


_ASPECT_ORDER = {"minimum": 0, "maximum": 1, "rate": 2, "presence": 3}


#: (qualifier, aspect, value, text): what a rule contributes to a comparison; "_stated" carries the stated text.
_Found = tuple[str, str, float | str | None, str]


def _aspects(rule: Rule, keys: _Keys, key: MetricKey, as_of: dt.date, with_kinds: bool = False) -> list[_Found]:
    """(qualifier, aspect, value, text) of one rule: numbers in the key's display unit."""
    scope = rule.applies_to
    qualifier = [*scope.flags, *scope.districts, *(forms.condition_text(c) for c in scope.when)]
    if with_kinds and scope.kinds:  # comparing across every kind: a rule for one kind is a narrower scope
        qualifier.insert(0, "/".join(scope.kinds))
    requirement = rule.requirement
    staged = forms.stage_in_force(requirement, as_of)
    if staged is not None:
        requirement = staged[0].requirement
    found: list[_Found] = []
    for branch, inner in forms.form_of(requirement).branches(requirement):
        q = "; ".join([*qualifier, branch] if branch else qualifier)
        form = forms.leaf(inner)
        stated = keys.stated(form, rule.metric, rule.tolerance)
        found.append((q, "_stated", None, stated))
        aspects = forms.form_of(form).aspects(form, key)
        if not aspects or keys.of_requirement(form, rule.metric).key != key.key:
            found.append((q, "requirement", None, stated))
            continue
        # the stated figure is compared; an approximate norm says so beside it (≈ … ±t%)
        found += [(q, aspect, value, forms.approximately(text, rule.tolerance)) for aspect, value, text in aspects]
    return found


def _profile(
    loaded: LoadedStandard,
    keys: _Keys,
    kind: str | None,
    as_of: dt.date,
    concepts: set[str] | None,
    strengths: frozenset[str] | None,
) -> tuple[dict[str, dict[str, Any]], dict[str, list[str]]]:
    """Per metric key: the rules in force, their stated texts and the combined aspects; and per concept, the
    rules not yet in force (their document is not issued on ``as_of``)."""
    profile: dict[str, dict[str, Any]] = {}
    pending: dict[str, list[str]] = {}
    for rule in compared_rules(loaded.standard.rules):
        if kind is not None and rule.applies_to.kinds and kind not in rule.applies_to.kinds:
            continue
        if strengths is not None and rule.strength not in strengths:
            continue
        key = keys.of_rule(rule)
        if concepts is not None and not (concepts & _rule_concepts(rule, key, keys)):
            continue
        if not issued(source_document(loaded, rule.source.document), as_of):
            pending.setdefault(keys.concept_of(key), []).append(rule.id)
            continue
        entry = profile.setdefault(
            key.key, {"key": key, "concept": keys.concept_of(key), "rules": [], "texts": [], "aspects": {}}
        )
        entry["rules"].append(rule.id)
        strength = "" if rule.strength == "mandatory" else f" ({rule.strength})"
        # comparing one kind, the kinds go without saying; comparing every kind, they are the rule's scope
        scope = forms.applies_text(rule.applies_to if kind is None else attrs.evolve(rule.applies_to, kinds=()))
        scope = "" if scope == "all" else f" [{scope}]"
        due = f" due {due_words(rule.due)}" if rule.due else ""
        entry["texts"].append(f"{keys.stated(rule.requirement, rule.metric, rule.tolerance)}{scope}{strength}{due}")
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
    return profile, pending


def _size_dependent(rule: Rule) -> bool:
    """Whether a rule's concrete requirement can change with a community's size."""
    return bool(rule.applies_to.when) or any(forms.form_of(r).varies for r in forms.walk(rule.requirement))


def _compare(aspect: str, a: Any, b: Any) -> tuple[str, float | None]:
    if a == b:
        return "same", 0.0 if isinstance(a, float) else None
    if aspect in ("minimum",) or aspect.startswith("rate"):
        return ("a_stricter" if a > b else "b_stricter"), abs(a - b)
    if aspect == "maximum":
        return ("a_stricter" if a < b else "b_stricter"), abs(a - b)
    return "not_comparable", None


def diff(
    registry: Registry,
    a: str,
    b: str,
    kind: str | None = "urban",
    households: Sequence[int] = (),
    population: int | None = None,
    as_of: dt.date | None = None,
    metrics: Sequence[str] | None = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Where the standards of ``a`` and ``b`` differ, concept by concept.

    Within a concept (:meth:`~shequ.catalog.Catalog.concept_of`), numbers are
    ranked only on one metric key: one row per (metric key, qualifier,
    aspect) the two share. Aspects: ``minimum`` (the highest fixed lower
    bound, floors of scaled minima included), ``maximum``, ``rate per 100
    households`` (scaled minima), ``presence``, ``requirement`` (forms that
    cannot be ranked: alternatives, placement, aggregates), and with
    ``households`` ``at N households`` (the concrete lower bound for that
    size). A ``qualifier`` names a narrower scope (a flag, a district, a
    condition). ``status``: ``a_stricter``/``b_stricter`` (``difference`` in
    the unit, ``difference_pct`` of the looser value), ``same``,
    ``not_comparable``, ``different_metric`` (both regulate the concept, by
    different metrics: "regulated under"), ``only_a``/``only_b`` (the other
    does not regulate the concept for this kind: ``a_state``/``b_state`` say
    whether its document is silent, its copy incomplete or it is not yet in
    force), ``not_in_force`` (neither has a rule in force on ``as_of`` but one
    has a rule from a document issued later). Nothing is in force before its
    document's date. ``strengths``: only rules of these strengths.
    """
    as_of = _as_of(as_of)
    if a == b:
        raise ShequError("diff needs two different jurisdictions")
    keys = _Keys(registry.catalog)
    loaded_a, loaded_b = registry.get(a), registry.get(b)
    wanted = _metric_filter(registry, keys, [loaded_a, loaded_b], metrics)
    kept = strength_filter(strengths)
    pa, pending_a = _profile(loaded_a, keys, kind, as_of, wanted, kept)
    pb, pending_b = _profile(loaded_b, keys, kind, as_of, wanted, kept)
    by_concept: dict[str, tuple[list[str], list[str]]] = {}
    for profile, index in ((pa, 0), (pb, 1)):
        for metric, entry in profile.items():
            by_concept.setdefault(entry["concept"], ([], []))[index].append(metric)
    for concept in [*pending_a, *pending_b]:
        by_concept.setdefault(concept, ([], []))
    rows: list[dict[str, Any]] = []
    for concept in sorted(by_concept):
        metrics_a, metrics_b = (sorted(found) for found in by_concept[concept])
        label = keys.concept_label(
            concept, (pa.get(next(iter(metrics_a), "")) or pb.get(next(iter(metrics_b), "")) or {}).get("key")
        )
        state_a = ("regulated", "") if metrics_a else _absent(loaded_a, keys, concept, as_of, pending_a)
        state_b = ("regulated", "") if metrics_b else _absent(loaded_b, keys, concept, as_of, pending_b)
        common = {
            "concept": concept,
            "concept_label": label,
            "a": a,
            "b": b,
            "a_state": state_a[0],
            "b_state": state_b[0],
        }
        if not metrics_a and not metrics_b:
            rows.append(
                {
                    **common,
                    "metric": concept,
                    "label": label,
                    "a_requirement": state_a[1],
                    "b_requirement": state_b[1],
                    "a_rules": pending_a.get(concept, []),
                    "b_rules": pending_b.get(concept, []),
                    "status": "not_in_force",
                    "summary": f"{label}: nothing in force ({a}: {state_a[1]}; {b}: {state_b[1]})",
                }
            )
            continue
        if not metrics_a or not metrics_b:
            side, who, other = ("only_a", a, b) if metrics_a else ("only_b", b, a)
            other_text = (state_b if metrics_a else state_a)[1]
            present = pa if metrics_a else pb
            for metric in metrics_a or metrics_b:
                entry = present[metric]
                key: MetricKey = entry["key"]
                texts = "; ".join(entry["texts"])
                rows.append(
                    {
                        **common,
                        "metric": metric,
                        "label": key.label,
                        "unit": key.unit,
                        "a_requirement": texts if metrics_a else state_a[1],
                        "b_requirement": texts if metrics_b else state_b[1],
                        "a_rules": entry["rules"] if metrics_a else [],
                        "b_rules": entry["rules"] if metrics_b else [],
                        "qualifier": None,
                        "aspect": None,
                        "status": side,
                        "summary": f"only {who} regulates {_named(concept, metric)}; {other}: {other_text}",
                    }
                )
            continue
        shared = [m for m in metrics_a if m in metrics_b]
        if not shared:
            rows.append(_different_metrics(common, label, pa, pb, metrics_a, metrics_b, a, b))
            continue
        for metric in sorted({*metrics_a, *metrics_b}):
            ea, eb = pa.get(metric), pb.get(metric)
            if ea is None or eb is None:
                rows.append(_under_other(common, pa, pb, metric, metrics_a, metrics_b, a, b))
                continue
            key = ea["key"]
            base = {
                **common,
                "metric": metric,
                "label": key.label,
                "unit": key.unit,
                "a_requirement": "; ".join(ea["texts"]),
                "b_requirement": "; ".join(eb["texts"]),
                "a_rules": ea["rules"],
                "b_rules": eb["rules"],
            }
            qualifiers = sorted({q for q, _ in ea["aspects"]} | {q for q, _ in eb["aspects"]})
            for qualifier in qualifiers:
                sa = {asp: slot for (q, asp), slot in ea["aspects"].items() if q == qualifier}
                sb = {asp: slot for (q, asp), slot in eb["aspects"].items() if q == qualifier}
                rows += _diff_slots(
                    base,
                    key,
                    qualifier,
                    sa,
                    sb,
                    a,
                    b,
                    ea.get("stated", {}).get(qualifier, []),
                    eb.get("stated", {}).get(qualifier, []),
                )
            if households and (ea["size_dependent"] or eb["size_dependent"]):
                rows += _diff_sizes(
                    registry, base, key, metric, a, b, households, population, kind or "urban", as_of, strengths
                )
    order = dict.fromkeys(DIFF_STATUSES, 0) | {"only_a": 1, "only_b": 2, "not_in_force": 3}
    rows.sort(key=lambda r: (order[r["status"]], r["concept"], r["metric"]))
    schema: dict[str, Any] = dict.fromkeys(DIFF_COLUMNS, pl.String)
    schema.update(
        {
            "a_value": F64,
            "b_value": F64,
            "difference": F64,
            "difference_pct": F64,
            "a_rules": pl.List(pl.String),
            "b_rules": pl.List(pl.String),
        }
    )
    return pl.DataFrame([{name: row.get(name) for name in DIFF_COLUMNS} for row in rows], schema=schema)


def _named(concept: str, metric: str) -> str:
    """A metric, with its concept where the two differ."""
    return metric if concept == metric else f"{concept} ({metric})"


def _absent(
    loaded: LoadedStandard, keys: _Keys, concept: str, as_of: dt.date, pending: dict[str, list[str]]
) -> tuple[str, str]:
    """(state, text) of a side without a rule in force on a concept."""
    if concept in pending:
        rule = loaded.standard.rule(pending[concept][0])
        document = source_document(loaded, rule.source.document)
        return "not_in_force", not_in_force_text(document, as_of, successor_of(loaded, document))
    return absent_state(loaded, keys.catalog, concept, as_of)


def _under(profile: dict[str, dict[str, Any]], metrics: list[str]) -> str:
    """What one side requires of a concept, metric by metric: ``under M: …``."""
    return "; ".join(f"under {metric}: {'; '.join(profile[metric]['texts'])}" for metric in metrics)


def _different_metrics(
    common: dict[str, Any],
    label: str,
    pa: dict[str, dict[str, Any]],
    pb: dict[str, dict[str, Any]],
    metrics_a: list[str],
    metrics_b: list[str],
    a: str,
    b: str,
) -> dict[str, Any]:
    """Both regulate a concept, by different metrics: one row, not ranked."""
    ta, tb = _under(pa, metrics_a), _under(pb, metrics_b)
    return {
        **common,
        "metric": metrics_a[0] if len(metrics_a) == 1 else common["concept"],
        "label": label,
        "a_requirement": ta,
        "b_requirement": tb,
        "a_text": ta,
        "b_text": tb,
        "a_rules": [rule for metric in metrics_a for rule in pa[metric]["rules"]],
        "b_rules": [rule for metric in metrics_b for rule in pb[metric]["rules"]],
        "aspect": "requirement",
        "status": "different_metric",
        "summary": f"{label}: both regulate it, by different metrics, not ranked: {a} {ta}; {b} {tb}",
    }


def _under_other(
    common: dict[str, Any],
    pa: dict[str, dict[str, Any]],
    pb: dict[str, dict[str, Any]],
    metric: str,
    metrics_a: list[str],
    metrics_b: list[str],
    a: str,
    b: str,
) -> dict[str, Any]:
    """One side regulates a metric of a concept the other regulates only by other metrics."""
    mine_a = metric in pa
    entry = (pa if mine_a else pb)[metric]
    key: MetricKey = entry["key"]
    others = [m for m in (metrics_b if mine_a else metrics_a) if m != metric]
    texts = "; ".join(entry["texts"])
    other_text = "regulated " + _under(pb if mine_a else pa, others)
    who, other = (a, b) if mine_a else (b, a)
    return {
        **common,
        "metric": metric,
        "label": key.label,
        "unit": key.unit,
        "a_requirement": texts if mine_a else other_text,
        "b_requirement": other_text if mine_a else texts,
        "a_text": texts if mine_a else other_text,
        "b_text": other_text if mine_a else texts,
        "a_rules": entry["rules"] if mine_a else [],
        "b_rules": [] if mine_a else entry["rules"],
        "aspect": "requirement",
        "status": "different_metric",
        "summary": f"{metric}: only {who} sets one ({texts}); {other} {other_text}",
    }


def _diff_slots(
    base: dict[str, Any],
    key: MetricKey,
    qualifier: str,
    sa: dict[str, dict],
    sb: dict[str, dict],
    a: str,
    b: str,
    stated_a: list[str],
    stated_b: list[str],
) -> list[dict[str, Any]]:
    rows = []
    scope = f" [{qualifier}]" if qualifier else ""
    numeric_only = all(asp in ("minimum", "maximum", "presence") or asp.startswith("rate") for asp in [*sa, *sb])
    if not sa or not sb:
        side, who, _slots = ("only_a", a, sa) if sa else ("only_b", b, sb)
        texts = "; ".join(stated_a if sa else stated_b)
        return [
            {
                **base,
                "qualifier": qualifier or None,
                "aspect": None,
                "status": side,
                "a_text": texts if sa else None,
                "b_text": texts if sb else None,
                "summary": f"only {who} sets{scope}: {texts}",
            }
        ]
    if not numeric_only:
        ta, tb = "; ".join(stated_a), "; ".join(stated_b)
        status = "same" if ta == tb else "not_comparable"
        summary = f"same{scope}: {ta}" if status == "same" else f"differ{scope}, not comparable: {a} {ta}; {b} {tb}"
        return [
            {
                **base,
                "qualifier": qualifier or None,
                "aspect": "requirement",
                "a_text": ta,
                "b_text": tb,
                "status": status,
                "summary": summary,
            }
        ]
    for aspect in sorted(set(sa) | set(sb), key=lambda x: (_ASPECT_ORDER.get(x, 2), x)):
        slot_a, slot_b = sa.get(aspect), sb.get(aspect)
        row = {
            **base,
            "qualifier": qualifier or None,
            "aspect": aspect,
            "a_text": "; ".join(slot_a["texts"]) if slot_a else None,
            "b_text": "; ".join(slot_b["texts"]) if slot_b else None,
        }
        if slot_a is None or slot_b is None:
            who = a if slot_a else b
            text = row["a_text"] or row["b_text"]
            row.update(
                status="a_stricter" if slot_a else "b_stricter",
                stricter=who,
                a_value=slot_a["value"] if slot_a and aspect != "presence" else None,
                b_value=slot_b["value"] if slot_b and aspect != "presence" else None,
                summary=f"{aspect}{scope}: only {who} sets one ({text})",
            )
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
            amount = with_unit(rounded(difference), key.unit)
            if aspect.startswith("rate "):
                amount += aspect[len("rate") :]
            row["summary"] = (
                f"{aspect}{scope}: {stricter} stricter by {amount} ({a} {row['a_text']}, {b} {row['b_text']})"
            )
        else:
            row["summary"] = f"{aspect}{scope}: same ({row['a_text']})"
        rows.append(row)
    return rows


def _diff_sizes(
    registry: Registry,
    base: dict[str, Any],
    key: MetricKey,
    metric: str,
    a: str,
    b: str,
    households: Sequence[int],
    population: int | None,
    kind: str,
    as_of: dt.date,
    strengths: Sequence[str] | None = None,
) -> list[dict]:
    table = standards_table(registry, [metric], households, population, kind, [a, b], as_of, strengths=strengths)
    rows = []
    for size in households:
        cells = {
            r["jurisdiction"]: r
            for r in table.filter(pl.col("households") == size).iter_rows(named=True)
            if r["metric"] == metric
        }
        ca, cb = cells.get(a), cells.get(b)
        if not ca or not cb:
            continue
        for side, aspect_name in (("min", "minimum"), ("max", "maximum")):
            va, vb = ca[f"required_{side}"], cb[f"required_{side}"]
            if va is None and vb is None:
                continue
            aspect = f"{aspect_name} at {size} households"
            row = {
                **base,
                "qualifier": None,
                "aspect": aspect,
                "a_value": va,
                "b_value": vb,
                "a_text": ca["concrete"],
                "b_text": cb["concrete"],
            }
            if va is None or vb is None:
                who, other = (a, cb) if va is not None else (b, ca)
                row.update(
                    status="not_comparable",
                    summary=f"{aspect}: only {who} sets one; {other['jurisdiction']}: {other['concrete']}",
                )
            else:
                status, difference = _compare(aspect_name, va, vb)
                row.update(status=status, difference=difference)
                if status in ("a_stricter", "b_stricter"):
                    stricter, looser = (a, vb) if status == "a_stricter" else (b, va)
                    row.update(
                        stricter=stricter,
                        difference_pct=difference / looser * 100 if looser else None,
                        summary=f"{aspect}: {stricter} stricter by {with_unit(rounded(difference), key.unit)} "
                        f"({a} {ca['concrete']}, {b} {cb['concrete']})",
                    )
                else:
                    row["summary"] = f"{aspect}: same ({ca['concrete']})"
            rows.append(row)
    return rows
