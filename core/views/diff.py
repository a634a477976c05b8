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
from ..model import Rule
from ..registry import LoadedStandard, Registry
from .common import F64, MetricKey, _as_of, _Keys
from .standards import _metric_filter, _rule_names, standards_table

DIFF_COLUMNS = [
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
]


DIFF_STATUSES = ("a_stricter", "b_stricter", "same", "not_comparable", "only_a", "only_b")


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
        stated = keys.stated(form, rule.metric)
        found.append((q, "_stated", None, stated))
        aspects = forms.form_of(form).aspects(form, key)
        if not aspects or keys.of_requirement(form, rule.metric).key != key.key:
            found.append((q, "requirement", None, stated))
            continue
        found += [(q, aspect, value, text) for aspect, value, text in aspects]
    return found


def _profile(
    loaded: LoadedStandard, keys: _Keys, kind: str | None, as_of: dt.date, metrics: set[str] | None
) -> dict[str, dict[str, Any]]:
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
        scope = forms.applies_text(attrs.evolve(rule.applies_to, kinds=()))
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
) -> pl.DataFrame:
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
        key: MetricKey = (pa.get(metric) or pb[metric])["key"]
        base = {
            "metric": metric,
            "label": key.label,
            "unit": key.unit,
            "a": a,
            "b": b,
            "a_requirement": "; ".join(ea["texts"]) if ea else "not regulated",
            "b_requirement": "; ".join(eb["texts"]) if eb else "not regulated",
            "a_rules": ea["rules"] if ea else [],
            "b_rules": eb["rules"] if eb else [],
        }
        if ea is None or eb is None:
            side = "only_a" if eb is None else "only_b"
            who = a if eb is None else b
            rows.append(
                {**base, "qualifier": None, "aspect": None, "status": side, "summary": f"only {who} regulates {metric}"}
            )
            continue
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
            rows += _diff_sizes(registry, base, key, metric, a, b, households, population, kind or "urban", as_of)
    order = {"a_stricter": 0, "b_stricter": 0, "same": 0, "not_comparable": 0, "only_a": 1, "only_b": 2}
    rows.sort(key=lambda r: (order[r["status"]], r["metric"]))
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
) -> list[dict]:
    table = standards_table(registry, [metric], households, population, kind, [a, b], as_of)
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
