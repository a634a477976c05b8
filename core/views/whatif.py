"""What-if: baseline against reformed verdicts, and which rules a reform changed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import polars as pl

from .. import engine
from ..engine import VERDICTS
from ..engine.results import community_frame
from ..forms import applies_text
from ..registry import Registry
from .common import F64, _as_of, _Keys, strength_filter, with_strengths

#: The columns of :func:`rule_changes`: how each changed rule reads before and after a reform.
RULE_CHANGE_COLUMNS = (
    "jurisdiction",
    "rule",
    "change",
    "requirement_baseline",
    "requirement_reformed",
    "due_baseline",
    "due_reformed",
    "strength_baseline",
    "strength_reformed",
    "applies_baseline",
    "applies_reformed",
)


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

    def _repr_html_(self) -> str:
        """How a notebook shows the report: the rules changed, the communities and verdicts that change."""
        from ..output import html_frames

        sections = [
            ("Rules changed", self.rules),
            ("Communities: baseline vs reformed", self.summary.filter(pl.col("changed") > 0)),
            ("Verdicts that change", self.changes),
        ]
        if not self.aggregate_changes.is_empty():
            sections.append(("Rules over sets of communities that change", self.aggregate_changes))
        title = f"What-if as of {self.as_of.isoformat()}: {', '.join(self.jurisdictions)}"
        return html_frames(title, sections)


def rule_changes(
    baseline: Registry,
    reformed: Registry,
    jurisdictions: Sequence[str] = (),
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Rules whose stated requirement, due date, strength or scope differ between two registries.

    ``strengths``: only rules of these strengths on either side.
    """
    kept = strength_filter(strengths)
    keys_a, keys_b = _Keys(baseline.catalog), _Keys(reformed.catalog)
    rows = []
    ids = list(jurisdictions) or sorted(set(baseline.standards) | set(reformed.standards))
    for jurisdiction in ids:
        before = (
            {r.id: r for r in baseline.standards[jurisdiction].standard.rules}
            if jurisdiction in baseline.standards
            else {}
        )
        after = (
            {r.id: r for r in reformed.standards[jurisdiction].standard.rules}
            if jurisdiction in reformed.standards
            else {}
        )
        for rule_id in [*before, *(r for r in after if r not in before)]:
            a, b = before.get(rule_id), after.get(rule_id)
            if a == b:
                continue
            if kept is not None and not ({r.strength for r in (a, b) if r is not None} & kept):
                continue
            rows.append(
                {
                    "jurisdiction": jurisdiction,
                    "rule": rule_id,
                    "change": "added" if a is None else ("removed" if b is None else "changed"),
                    "requirement_baseline": keys_a.stated(a.requirement, a.metric, a.tolerance) if a else None,
                    "requirement_reformed": keys_b.stated(b.requirement, b.metric, b.tolerance) if b else None,
                    # a recurring or event deadline has no one date: the rule still shows as changed
                    "due_baseline": a.due if a and isinstance(a.due, dt.date) else None,
                    "due_reformed": b.due if b and isinstance(b.due, dt.date) else None,
                    "strength_baseline": a.strength if a else None,
                    "strength_reformed": b.strength if b else None,
                    "applies_baseline": applies_text(a.applies_to) if a else None,
                    "applies_reformed": applies_text(b.applies_to) if b else None,
                }
            )
    schema: dict[str, Any] = dict.fromkeys(
        RULE_CHANGE_COLUMNS,
        pl.String,
    )
    schema.update({"due_baseline": pl.Date, "due_reformed": pl.Date})
    return pl.DataFrame(rows, schema=schema)


def whatif(
    baseline: Registry,
    reformed: Registry,
    communities: Any,
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    strengths: Sequence[str] | None = None,
) -> WhatIfReport:
    """Judge ``communities`` under both registries and report what the reforms change.

    :param jurisdictions: default: the jurisdictions whose standard the reforms change
        (all installed ones when nothing changed).
    :param strengths: judge only the rules of these strengths (default every strength).
    """
    from ..reform import changed_jurisdictions

    as_of = _as_of(as_of)
    kept = strength_filter(strengths)
    ids = list(jurisdictions) or changed_jurisdictions(baseline, reformed) or sorted(reformed.standards)
    for jurisdiction in ids:
        (reformed if jurisdiction in reformed.standards else baseline).get(jurisdiction)
    frame = community_frame(communities)
    before = (
        engine.evaluate(
            frame,
            [with_strengths(baseline.get(j), kept) for j in ids if j in baseline.standards],
            as_of,
            registry=baseline,
        )
        if any(j in baseline.standards for j in ids)
        else None
    )
    after = engine.evaluate(
        frame, [with_strengths(reformed.get(j), kept) for j in ids if j in reformed.standards], as_of, registry=reformed
    )
    summary = _whatif_summary(before, after, frame)
    changes = _whatif_changes(before, after, frame)
    aggregate_changes = _whatif_aggregates(before, after)
    return WhatIfReport(
        as_of=as_of,
        jurisdictions=ids,
        rules=rule_changes(baseline, reformed, ids, strengths),
        summary=summary,
        changes=changes,
        aggregate_changes=aggregate_changes,
    )


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
        pl.col("changed").fill_null(0).cast(pl.Int64)
    )
    ordered = [*identity, "jurisdiction"]
    for c in ("pass", "fail", "unknown", "compliance"):
        ordered += [f"{c}_baseline", f"{c}_reformed"]
    ordered += ["not_applicable_baseline", "not_applicable_reformed", "not_due_baseline", "not_due_reformed", "changed"]
    return joined.select(ordered)


def _code_columns(results) -> dict[str, tuple[str, str]]:
    return {r.key: (r.jurisdiction, r.rule.id) for r in results.rules} if results is not None else {}


def _long_codes(results, keys: dict[str, tuple[str, str]], suffix: str) -> pl.DataFrame:
    schema = {"id": pl.String, "jurisdiction": pl.String, "rule": pl.String, f"code_{suffix}": pl.Int8}
    if results is None or not keys:
        return pl.DataFrame(schema=schema)
    frames = [
        results.codes.select(
            pl.col("id"), pl.lit(j).alias("jurisdiction"), pl.lit(r).alias("rule"), pl.col(k).alias(f"code_{suffix}")
        )
        for k, (j, r) in keys.items()
    ]
    return pl.concat(frames)


def _changed_long(before, after) -> pl.DataFrame:
    a = _long_codes(before, _code_columns(before), "baseline")
    b = _long_codes(after, _code_columns(after), "reformed")
    joined = b.join(a, on=["id", "jurisdiction", "rule"], how="full", coalesce=True, maintain_order="left")
    return joined.filter(pl.col("code_baseline").ne_missing(pl.col("code_reformed")))


def _changed_counts(before, after) -> pl.DataFrame:
    return _changed_long(before, after).group_by(["id", "jurisdiction"]).agg(pl.len().cast(pl.Int64).alias("changed"))


def _verdict_name(column: str, alias: str) -> pl.Expr:
    return (
        pl.col(column)
        .replace_strict(list(range(len(VERDICTS))), list(VERDICTS), default=None, return_dtype=pl.String)
        .fill_null("absent")
        .alias(alias)
    )


def _whatif_changes(before, after, frame: pl.DataFrame) -> pl.DataFrame:
    changed = _changed_long(before, after)
    columns = [
        "id",
        "jurisdiction",
        "rule",
        "verdict_baseline",
        "verdict_reformed",
        "value",
        "required_baseline",
        "required_reformed",
        "shortfall_baseline",
        "shortfall_reformed",
        "unit",
        "clause",
    ]
    if changed.is_empty():
        schema: dict[str, Any] = dict.fromkeys(columns, pl.String)
        schema.update({"value": F64, "shortfall_baseline": F64, "shortfall_reformed": F64})
        return pl.DataFrame(schema=schema)
    ids = changed.get_column("id").unique().to_list()
    rules = changed.get_column("rule").unique().to_list()
    detail_cols = ["id", "jurisdiction", "rule", "value", "required", "shortfall", "unit", "clause"]
    after_details = after.details(ids=ids, rules=rules).select(detail_cols)
    before_details = (
        before.details(ids=ids, rules=rules).select(detail_cols) if before is not None else after_details.clear()
    )
    out = changed.join(
        after_details.rename({"required": "required_reformed", "shortfall": "shortfall_reformed"}),
        on=["id", "jurisdiction", "rule"],
        how="left",
    )
    out = out.join(
        before_details.rename(
            {
                "required": "required_baseline",
                "shortfall": "shortfall_baseline",
                "value": "value_baseline",
                "unit": "unit_baseline",
                "clause": "clause_baseline",
            }
        ),
        on=["id", "jurisdiction", "rule"],
        how="left",
    )
    out = out.with_columns(
        pl.coalesce("value", "value_baseline").alias("value"),
        pl.coalesce("unit", "unit_baseline").alias("unit"),
        pl.coalesce("clause", "clause_baseline").alias("clause"),
        _verdict_name("code_baseline", "verdict_baseline"),
        _verdict_name("code_reformed", "verdict_reformed"),
    )
    order = frame.select(pl.col("id"), pl.int_range(pl.len()).alias("_row"))
    seen = list(dict.fromkeys([*_code_columns(after).values(), *_code_columns(before).values()]))
    rule_order = pl.DataFrame(
        {"jurisdiction": [j for j, _ in seen], "rule": [r for _, r in seen], "_rule": list(range(len(seen)))},
        schema={"jurisdiction": pl.String, "rule": pl.String, "_rule": pl.Int64},
    )
    out = out.join(order, on="id", how="left").join(rule_order, on=["jurisdiction", "rule"], how="left")
    return out.sort(["_row", "jurisdiction", "_rule"]).select(columns)


def _whatif_aggregates(before, after) -> pl.DataFrame:
    columns = [
        "jurisdiction",
        "rule",
        "district",
        "verdict_baseline",
        "verdict_reformed",
        "value_baseline",
        "value_reformed",
    ]
    b = after.aggregate_details()
    a = before.aggregate_details() if before is not None else pl.DataFrame()
    if a.is_empty() and b.is_empty():
        return pl.DataFrame(schema={name: (F64 if name.startswith("value") else pl.String) for name in columns})
    key = ["jurisdiction", "rule", "district"]

    def pick(frame: pl.DataFrame, suffix: str) -> pl.DataFrame:
        if frame.is_empty():
            return pl.DataFrame(
                schema={
                    "jurisdiction": pl.String,
                    "rule": pl.String,
                    "district": pl.String,
                    f"verdict_{suffix}": pl.String,
                    f"value_{suffix}": F64,
                }
            )
        return frame.select(
            *key, pl.col("verdict").alias(f"verdict_{suffix}"), pl.col("value").alias(f"value_{suffix}")
        )

    joined = pick(b, "reformed").join(pick(a, "baseline"), on=key, how="full", coalesce=True, maintain_order="left")
    joined = joined.with_columns(
        pl.col("verdict_baseline").fill_null("absent"), pl.col("verdict_reformed").fill_null("absent")
    )
    return joined.filter(pl.col("verdict_baseline") != pl.col("verdict_reformed")).select(columns)


# --------------------------------------------------------------------------
# Sweeps: one what-if per value of one field

#: The columns of :func:`sweep`, in order (the report's sweep chart reads them by name).
SWEEP_COLUMNS = (
    "jurisdiction",
    "value",
    "counted",
    "communities",
    "communities_failing",
    "communities_unknown",
    "share_failing",
    "cost_yearly_yuan",
    "cost_one_off_yuan",
    "cost_unstated_yuan",
)
#: The most values one sweep may take (``START:STOP:STEP`` giving more is refused).
MAX_SWEEP_STEPS = 1000
_SECTIONS = ("tasks", "milestones", "obligations")


def sweep_values(text: str, *, limit: int = MAX_SWEEP_STEPS) -> list[float]:
    """The values of ``START:STOP:STEP``: START, START+STEP, … up to STOP inclusive.

    STEP may be negative (then STOP ≤ START). Values are rounded to the decimals
    the three numbers are written with, so 0.1 steps give 0.3, not 0.30000000000000004.

    :raises ShequError: for a malformed spec, NaN or infinity, a zero step, a
        step that leads away from STOP, or more than ``limit`` values.
    """
    import decimal

    from ..errors import ShequError

    parts = text.split(":")
    if len(parts) != 3:
        raise ShequError(f"sweep '{text}': expected START:STOP:STEP, e.g. 200:600:50")
    numbers: list[decimal.Decimal] = []
    for name, part in zip(("START", "STOP", "STEP"), parts, strict=True):
        try:
            number = decimal.Decimal(part.strip())
        except decimal.InvalidOperation:
            raise ShequError(f"sweep '{text}': {name} is not a number: {part.strip()!r}") from None
        if not number.is_finite():
            raise ShequError(f"sweep '{text}': {name} must be a finite number, not {part.strip()!r}")
        numbers.append(number)
    start, stop, step = numbers
    if step == 0:
        raise ShequError(f"sweep '{text}': STEP must not be 0")
    if (stop - start) * step < 0:
        raise ShequError(f"sweep '{text}': a step of {step} never goes from {start} to {stop}")
    count = int((stop - start) / step) + 1  # exact decimal arithmetic: STOP itself is included when reached
    if count > limit:
        raise ShequError(f"sweep '{text}': {count} values, more than the {limit} a sweep may take (use a larger STEP)")
    return [float(start + step * i) for i in range(count)]


def parse_sweep(spec: str) -> tuple[str, list[float]]:
    """``PATH=START:STOP:STEP`` (``PATH`` as in ``--set``) → the path and its values.

    :raises ShequError: when the ``=`` or the path is missing, or the values are not valid (see :func:`sweep_values`).
    """
    from ..errors import ShequError

    path, equals, values = spec.partition("=")
    path = path.strip()
    if not equals or not path:
        raise ShequError(
            f"sweep '{spec}': expected PATH=START:STOP:STEP, e.g. "
            "donghai.service_space_per_100_households.requirement.floor=200:600:50"
        )
    if len(path.split(".")) < 3:
        raise ShequError(
            f"sweep '{spec}': PATH names a field as --set does: ID.RULE.FIELD (or ID.obligations.ID.FIELD)"
        )
    return path, sweep_values(values)


def _value_text(value: float) -> str:
    """A value as ``--set`` takes it: an integral number without a decimal point (an int field takes it)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def sweep(
    registry: Registry,
    communities: Any,
    path: str,
    values: Sequence[float],
    *,
    as_of: dt.date | None = None,
    strength: Sequence[str] | None = None,
) -> pl.DataFrame:
    """One what-if per value: ``path`` set to each value (as ``--set PATH=VALUE``), the communities judged.

    Per value (columns :data:`SWEEP_COLUMNS`):

    - ``counted``: which rules a community fails — the rule ``path`` names
      (``ID.RULE.FIELD``), or ``(any rule)`` when it names a task, milestone or
      obligation;
    - ``communities``: communities those rules apply to on ``as_of`` (verdict
      pass, fail, departs, unknown or not yet due), the denominator;
    - ``communities_failing``: those that fail one of them (a binding rule not
      met: guidance that is not met departs, never fails); ``communities_unknown``:
      those not failing whose verdict is unknown for one (the data lack a value);
    - ``share_failing`` = failing ÷ communities (null when none applies);
    - ``cost_yearly_yuan``, ``cost_one_off_yuan``, ``cost_unstated_yuan``: the
      money the jurisdiction's standard commits for these communities per period
      (:func:`shequ.views.cost`; unstated = the text gives no period; null when a
      basis is unknown, never 0).

    ``registry`` is the baseline (perhaps itself reformed) and is not changed;
    every value is validated exactly as ``--set`` is (:func:`shequ.reform.apply_reforms`).

    :param strength: judge only the rules of these strengths (default every strength).
    :raises ProblemsError: when ``path`` or a value is not valid for the standard.
    """
    from ..engine.verdicts import DEPARTS, FAIL, NOT_DUE, PASS, UNKNOWN
    from ..reform import apply_reforms
    from .cost import cost

    as_of = _as_of(as_of)
    kept = strength_filter(strength)
    parts = path.split(".")
    jurisdiction = parts[0]
    rule_id = parts[1] if len(parts) > 2 and parts[1] not in _SECTIONS else None
    frame = community_frame(communities)
    rows = []
    for value in values:
        reformed = apply_reforms(registry, [f"{path}={_value_text(value)}"])
        loaded = with_strengths(reformed.get(jurisdiction), kept)
        results = engine.evaluate(frame, [loaded], as_of, registry=reformed)
        keys = [r.key for r in results.rules if rule_id is None or r.rule.id == rule_id]
        codes = [pl.col(key) for key in keys]
        applicable = [code.is_in([PASS, FAIL, DEPARTS, UNKNOWN, NOT_DUE]) for code in codes]
        failing = pl.any_horizontal([code == FAIL for code in codes]) if codes else pl.lit(False)
        unknown = pl.any_horizontal([code == UNKNOWN for code in codes]) if codes else pl.lit(False)
        counts = results.codes.select(
            pl.any_horizontal(applicable).sum().alias("communities") if codes else pl.lit(0).alias("communities"),
            failing.sum().alias("failing"),
            (unknown & failing.not_()).sum().alias("unknown"),
        ).row(0, named=True)
        summary = cost(reformed, frame, [jurisdiction], as_of).summary
        money = summary.row(0, named=True) if summary.height else {}
        rows.append(
            {
                "jurisdiction": jurisdiction,
                "value": float(value),
                "counted": rule_id or "(any rule)",
                "communities": counts["communities"],
                "communities_failing": counts["failing"],
                "communities_unknown": counts["unknown"],
                "share_failing": counts["failing"] / counts["communities"] if counts["communities"] else None,
                "cost_yearly_yuan": money.get("yearly_yuan"),
                "cost_one_off_yuan": money.get("one_off_yuan"),
                "cost_unstated_yuan": money.get("unstated_yuan"),
            }
        )
    schema = {
        "jurisdiction": pl.String,
        "value": F64,
        "counted": pl.String,
        "communities": pl.Int64,
        "communities_failing": pl.Int64,
        "communities_unknown": pl.Int64,
        "share_failing": F64,
        "cost_yearly_yuan": F64,
        "cost_one_off_yuan": F64,
        "cost_unstated_yuan": F64,
    }
    return pl.DataFrame(rows, schema=schema)


def first_value_failing(frame: pl.DataFrame, share: float = 0.5) -> float | None:
    """The first value of a sweep at which at least ``share`` of the communities fail (None: never).

    "At which rate do half the communities fail?" is ``first_value_failing(sweep(…), 0.5)``.
    """
    hit = frame.filter(pl.col("share_failing") >= share)
    return None if hit.is_empty() else float(hit.get_column("value")[0])
