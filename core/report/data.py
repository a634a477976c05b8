"""The frames the charts draw, each from one comparison view or from the verdicts.

Every function returns a Polars DataFrame of plain columns (dates as ISO
text) in the ids of the library (jurisdiction, state, verdict, role …); the
labels of a language are added by :mod:`.charts`. Nothing is filled in: a
requirement the documents do not state is a row with a state, never a 0.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import polars as pl

from ..forms.words import bounds_text
from ..model import VERDICTS, Milestone, Rule, Task
from ..views import cost, responsibilities, standards_rules, standards_table, timeline
from ..views.common import _as_of
from .labels import ROLE_LABELS

if TYPE_CHECKING:
    from ..engine import Results
    from ..registry import Registry

#: The metrics whose requirement ``scaling`` draws against households: premises, community workers, funds.
SCALING_METRICS = ("service_space_m2", "social_workers", "work_funds_yuan")
#: Households 0–5,000 in steps of 100.
SCALING_HOUSEHOLDS = tuple(range(0, 5001, 100))
#: The reference community of the strictness heat map.
REFERENCE_HOUSEHOLDS = 1500
#: Roles from strongest to weakest: a cell with several shows the strongest.
ROLE_ORDER = tuple(ROLE_LABELS)


def jurisdiction_names(registry: Registry, jurisdictions: Sequence[str], lang: str) -> dict[str, str]:
    """How each jurisdiction is labelled: its Chinese name (``zh``) or English name (``en``, else its id).

    Names two jurisdictions share are followed by the id, so that no two columns, lines or rows merge.
    """
    names = {}
    for loaded in registry.select(jurisdictions):
        info = loaded.standard.jurisdiction
        names[loaded.id] = info.name if lang == "zh" else (info.name_en or loaded.id)
    counts = Counter(names.values())
    return {key: (f"{name} ({key})" if counts[name] > 1 else name) for key, name in names.items()}


def state_category(cell: dict[str, Any]) -> str:
    """What a standards cell shows: ``regulated`` (a comparable number) or why it has none.

    ``regulated_other``: regulated, but without a number on the row's metric (it
    depends on data, holds over a set of communities, or is regulated under
    another metric); ``not_applicable``: regulated, not for this community;
    otherwise the cell's state (``not_regulated``, ``not_encoded``, ``not_in_force``).
    """
    if cell["state"] != "regulated":
        return str(cell["state"])
    if cell["status"] == "not_applicable":
        return "not_applicable"
    if cell["required_min"] is not None or cell["required_max"] is not None:
        return "regulated"
    return "regulated_other"


def scaling_frame(
    registry: Registry,
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    kind: str = "urban",
    strengths: Sequence[str] | None = None,
    metrics: Sequence[str] = SCALING_METRICS,
    households: Sequence[int] = SCALING_HOUSEHOLDS,
) -> pl.DataFrame:
    """The lowest amount each jurisdiction requires of ``metrics`` for communities of each size.

    One row per (metric, jurisdiction, households). ``required`` is the highest
    lower bound among the jurisdiction's rules in force that apply to such a
    community and state a comparable number on the metric itself, or on its
    per-household ratio (multiplied by households: 10 元/户·年 for 1,000
    households is 10,000 元/年). Null where no such rule exists; ``category``
    then says why (:func:`state_category` of the standards cell at that size).
    """
    as_of = _as_of(as_of)
    catalog = registry.catalog
    standards = registry.select(jurisdictions)
    rows: list[dict[str, Any]] = []
    for metric in metrics:
        definition = catalog.metric(metric)
        per_household = {
            m.id for m in catalog.metrics.values() if m.ratio is not None and tuple(m.ratio) == (metric, "households")
        }
        rules = standards_rules(
            registry, [metric], list(households), None, kind, [s.id for s in standards], as_of, None, strengths
        )
        found: dict[tuple[str, int], list[tuple[float, str]]] = {}
        for row in rules.iter_rows(named=True):
            if not (row["in_force"] and row["status"] == "applies" and row["comparable"]):
                continue
            if row["required_min"] is None:
                continue
            if row["metric"] == metric:
                value = float(row["required_min"])
            elif row["metric"] in per_household:
                value = float(row["required_min"]) * row["households"]
            else:
                continue
            found.setdefault((row["jurisdiction"], row["households"]), []).append(
                (value, f"{row['rule']} ({row['clause'] or ''}): {row['concrete']}")
            )
        cells = standards_table(
            registry, [metric], list(households), None, kind, [s.id for s in standards], as_of, None, False, strengths
        )
        categories = {(c["jurisdiction"], c["households"]): state_category(c) for c in cells.iter_rows(named=True)}
        for loaded in standards:
            for size in households:
                values = found.get((loaded.id, size), [])
                best = max(values, default=None)
                rows.append(
                    {
                        "metric": metric,
                        "metric_zh": definition.zh,
                        "metric_en": definition.en or metric,
                        "unit": definition.unit,
                        "jurisdiction": loaded.id,
                        "households": size,
                        "required": best[0] if best else None,
                        "rules": "; ".join(text for _, text in sorted(values, reverse=True)),
                        "category": "regulated" if best else categories.get((loaded.id, size), "not_regulated"),
                    }
                )
    return pl.DataFrame(
        rows,
        schema={
            "metric": pl.String,
            "metric_zh": pl.String,
            "metric_en": pl.String,
            "unit": pl.String,
            "jurisdiction": pl.String,
            "households": pl.Int64,
            "required": pl.Float64,
            "rules": pl.String,
            "category": pl.String,
        },
    )


def strictness_frame(
    registry: Registry,
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    kind: str = "urban",
    households: int = REFERENCE_HOUSEHOLDS,
    persons_per_household: float | None = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Every concept × jurisdiction for a reference community: its state and, where comparable, its strictness.

    ``strictness`` (0–1] is the jurisdiction's bound as a share of the strictest
    on the concept's row: its minimum over the highest minimum, or the lowest
    maximum over its maximum when the row sets only maxima. Null for every cell
    without a comparable number; ``category`` says what it is instead
    (:func:`state_category`), so "not regulated" is never drawn as 0.
    """
    table = standards_table(
        registry,
        None,
        [households],
        None,
        kind,
        jurisdictions,
        as_of,
        persons_per_household,
        False,
        strengths,
    )
    rows: list[dict[str, Any]] = []
    for (concept,), cells in table.group_by(["concept"], maintain_order=True):
        highest = cells["required_min"].max()
        lowest = cells["required_max"].min()
        for cell in cells.iter_rows(named=True):
            category = state_category(cell)
            strictness = None
            if category == "regulated":
                low, high = cell["required_min"], cell["required_max"]
                if low is not None and isinstance(highest, (int, float)) and highest > 0:
                    strictness = low / highest
                elif high is not None and isinstance(lowest, (int, float)) and high > 0:
                    strictness = lowest / high
                elif low is not None or high is not None:
                    strictness = 1.0  # the only bound of its kind on the row, or all bounds are 0
            number = (
                bounds_text(cell["required_min"], cell["required_max"], cell["unit"]) if category == "regulated" else ""
            )
            rows.append(
                {
                    "concept": concept,
                    "concept_zh": cell["concept_label"],
                    "concept_en": _english(registry, concept, cell["metric"], cell["concept_label"]),
                    "jurisdiction": cell["jurisdiction"],
                    "category": category,
                    "strictness": strictness,
                    "number": number,
                    "concrete": cell["concrete"],
                    "rules": ", ".join(cell["rules"] or []),
                    "households": households,
                }
            )
    return pl.DataFrame(
        rows,
        schema={
            "concept": pl.String,
            "concept_zh": pl.String,
            "concept_en": pl.String,
            "jurisdiction": pl.String,
            "category": pl.String,
            "strictness": pl.Float64,
            "number": pl.String,
            "concrete": pl.String,
            "rules": pl.String,
            "households": pl.Int64,
        },
    )


def _english(registry: Registry, concept: str, metric: str, fallback: str) -> str:
    """A concept's English name: the catalog concept's, else its metric's (a metric standing alone), else Chinese."""
    catalog = registry.catalog
    if concept in catalog.concepts and catalog.concepts[concept].en:
        return catalog.concepts[concept].en
    try:
        return catalog.metric(metric).en or fallback
    except KeyError:
        return fallback


def compliance_frame(results: Results) -> pl.DataFrame:
    """Rule verdicts per jurisdiction over all communities: one row per (jurisdiction, verdict) with ``count``."""
    totals = results.totals()
    return (
        totals.select("jurisdiction", *VERDICTS)
        .unpivot(index="jurisdiction", variable_name="verdict", value_name="count")
        .with_columns(pl.col("count").cast(pl.Int64))
    )


def _title_en(registry: Registry, jurisdiction: str, kind: str, item: str, title: str) -> str:
    """The English title the plugin gives a rule, task or milestone; the Chinese one when it gives none."""
    standard = registry.get(jurisdiction).standard
    items: dict[str, tuple[Rule, ...] | tuple[Task, ...] | tuple[Milestone, ...]] = {
        "rule": standard.rules,
        "task": standard.tasks,
        "milestone": standard.milestones,
    }
    for candidate in items.get(kind, ()):
        if candidate.id == item:
            return candidate.title_en or title
    return title


def failing_rules_frame(results: Results, registry: Registry, top: int = 15) -> pl.DataFrame:
    """The ``top`` rules that fail in most communities: rule, title (and ``title_en``), clause, quote, document
    and ``communities``."""
    details = results.details()
    failing = details.filter(pl.col("verdict") == "fail")
    frame = (
        failing.group_by("jurisdiction", "rule", "title", "document", "clause", "quote", "strength")
        .agg(pl.col("id").n_unique().alias("communities"))
        .sort(["communities", "jurisdiction", "rule"], descending=[True, False, False])
        .head(top)
        .with_columns(pl.col("communities").cast(pl.Int64))
    )
    english = [
        _title_en(registry, r["jurisdiction"], "rule", r["rule"], r["title"]) for r in frame.iter_rows(named=True)
    ]
    return frame.with_columns(pl.Series("title_en", english, dtype=pl.String))


def timeline_frame(
    registry: Registry,
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    communities: Any = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Documents, milestones and deadlines per jurisdiction with their status as of a date (dates as ISO text);
    ``title_en``: the plugin's English title of a rule, task or milestone, else the Chinese one."""
    frame = timeline(registry, jurisdictions, as_of, communities, strengths)
    english = [
        _title_en(registry, r["jurisdiction"], r["kind"], r["id"], r["title"]) for r in frame.iter_rows(named=True)
    ]
    return frame.select(
        pl.col("date").cast(pl.String),
        "jurisdiction",
        "kind",
        "id",
        "title",
        pl.Series("title_en", english, dtype=pl.String),
        "status",
        "days",
        "clause",
    )


def responsibility_frame(
    registry: Registry,
    jurisdictions: Sequence[str] = (),
    as_of: dt.date | None = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Departments × jurisdictions: the roles a department has there, the strongest first, and its tasks.

    One row per (department, jurisdiction) with at least one task: ``role``
    (the first of ``roles`` in the model's order: lead, responsible, guiding, cooperating, receiving, approving),
    ``roles`` (all of them), ``tasks`` (how many) and ``titles``.
    """
    frame = responsibilities(registry, None, jurisdictions, as_of=as_of, strengths=strengths)
    departments = registry.catalog.departments
    rows = []
    for (department, jurisdiction), cell in frame.group_by(["department", "jurisdiction"], maintain_order=True):
        roles = [role for role in ROLE_ORDER if role in set(cell["role"].to_list())]
        known = departments.get(str(department))
        rows.append(
            {
                "department": department,
                "department_zh": cell["department_zh"][0],
                "department_en": (known.en if known and known.en else str(department).replace("_", " ")),
                "jurisdiction": jurisdiction,
                "role": roles[0] if roles else None,
                "roles": roles,
                "tasks": cell["task"].n_unique(),
                "titles": "; ".join(sorted(set(cell["title"].to_list()))),
            }
        )
    return pl.DataFrame(
        rows,
        schema={
            "department": pl.String,
            "department_zh": pl.String,
            "department_en": pl.String,
            "jurisdiction": pl.String,
            "role": pl.String,
            "roles": pl.List(pl.String),
            "tasks": pl.Int64,
            "titles": pl.String,
        },
    )


def cost_frame(
    registry: Registry, communities: Any, jurisdictions: Sequence[str] = (), as_of: dt.date | None = None
) -> pl.DataFrame:
    """Money per jurisdiction and period over all communities: ``yuan`` (null when any item is unknown),
    ``yuan_known`` (what is known), ``unknown_items`` and ``obligations`` (the jurisdiction's, every period)."""
    summary = cost(registry, communities, jurisdictions, as_of).summary
    parts = [
        summary.select(
            "jurisdiction",
            pl.lit(period).alias("period"),
            pl.col(f"{period}_yuan").alias("yuan"),
            pl.col(f"{period}_yuan_known").alias("yuan_known"),
            pl.col(f"{period}_unknown_items").cast(pl.Int64).alias("unknown_items"),
            pl.col("obligations").cast(pl.Int64),
        )
        for period in ("yearly", "one_off", "unstated")
    ]
    return pl.concat(parts)


def rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    """A frame as JSON-ready dicts: dates as ISO text, NaN as null."""
    out = []
    for row in frame.to_dicts():
        plain = {}
        for key, value in row.items():
            if isinstance(value, dt.date):
                value = value.isoformat()
            elif isinstance(value, float) and value != value:
                value = None
            plain[key] = value
        out.append(plain)
    return out


def shared_only(frame: pl.DataFrame, at_least: int = 2) -> pl.DataFrame:
    """The rows of a strictness frame whose concept ``at_least`` jurisdictions say something about.

    "Something" is any category but ``not_regulated``: a rule (comparable or
    not, applicable or not), a gap in the shipped copy, or a document not yet in force.
    """
    said = frame.filter(pl.col("category") != "not_regulated").group_by("concept").len()
    keep = said.filter(pl.col("len") >= at_least)["concept"]
    return frame.filter(pl.col("concept").is_in(keep.implode()))
