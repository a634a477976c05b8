"""The domain model: attrs records for standards, requirement forms, catalog entries and communities.

Every record is frozen, slotted and keyword-only; invariants are validators
that raise :class:`~shequ.errors.SchemaError` with a sentence. Missing data is
``None``, never ``0``.
"""

from __future__ import annotations

from .community import COMMUNITY_KINDS, Community, Facility, Organization
from .entries import CatalogAdditions, DepartmentDef, KindDef, MetricDef
from .requirements import (
    AGGREGATE_SCOPES,
    AGGREGATE_STATISTICS,
    REQUIREMENT_FORMS,
    Aggregate,
    AnyOf,
    Condition,
    Conditional,
    Maximum,
    Minimum,
    Placement,
    Present,
    Range,
    Requirement,
    ScaledMinimum,
    Share,
    Stage,
    Staged,
    is_aggregate,
)
from .standard import (
    JURISDICTION_LEVELS,
    OBLIGATION_KINDS,
    STRENGTHS,
    TASK_ROLES,
    VERDICTS,
    AppliesTo,
    Document,
    Jurisdiction,
    Milestone,
    Obligation,
    Rule,
    Source,
    Standard,
    Task,
    Unencoded,
)

__all__ = [
    "AGGREGATE_SCOPES",
    "AGGREGATE_STATISTICS",
    "COMMUNITY_KINDS",
    "JURISDICTION_LEVELS",
    "OBLIGATION_KINDS",
    "REQUIREMENT_FORMS",
    "STRENGTHS",
    "TASK_ROLES",
    "VERDICTS",
    "Aggregate",
    "AnyOf",
    "AppliesTo",
    "CatalogAdditions",
    "Community",
    "Condition",
    "Conditional",
    "DepartmentDef",
    "Document",
    "Facility",
    "Jurisdiction",
    "KindDef",
    "Maximum",
    "MetricDef",
    "Milestone",
    "Minimum",
    "Obligation",
    "Organization",
    "Placement",
    "Present",
    "Range",
    "Requirement",
    "Rule",
    "ScaledMinimum",
    "Share",
    "Source",
    "Stage",
    "Staged",
    "Standard",
    "Task",
    "Unencoded",
    "is_aggregate",
]
