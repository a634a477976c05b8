"""Comparison views over installed standards, one module per view.

Every view is a function of a :class:`~shequ.registry.Registry` (so a reformed
registry from :func:`shequ.reform.apply_reforms` works the same way) returning
Polars DataFrames; the CLI only renders them.

- :mod:`.standards` — every jurisdiction's requirement per metric, and the
  concrete requirement for a community of a given size, strictest marked;
- :mod:`.diff` — what one jurisdiction requires that another does not, and
  which is stricter by how much where both regulate a metric;
- :mod:`.responsibilities` — tasks by normalised department and role;
- :mod:`.timeline` — milestones and deadlines in date order with a status as of a date;
- :mod:`.cost` — the money each standard commits for a set of communities;
- :mod:`.whatif` — baseline against reformed verdicts, and sweeps of one field over a range of values;
- :mod:`.versions` — what is in force when, how a requirement changed over a
  document's versions (``history``) and where a local standard departs from its
  parent's (``conflicts``), see docs/levels.md.

Jurisdictions are lined up concept by concept (the catalog's concepts: metrics
that measure the same thing); a jurisdiction that regulates a concept by another
metric than a row's is shown "regulated under" that metric. Every view says, per
jurisdiction and concept, one of four states (:data:`.common.STATES`):
regulated, not regulated (the document is silent), not encoded (the shipped
copy is incomplete) or not in force (the document is not yet issued on the
as-of date, default today). ``strengths`` filters the rules of every view.

Numbers are compared within a normalised metric key (:mod:`.common`): shares
are shown in %, areas in m²; a ``share`` requirement of one metric of another
is keyed by the catalog's ratio metric where one exists (Donghai's "staff
offices ≤ 20 % of service space" and a rule on ``staff_office_share`` are one
key). Missing data is never read as zero: a concrete requirement that needs
data not given "depends", a cost whose basis is missing is unknown.
"""

from __future__ import annotations

from ..forms.words import bounds_text
from .common import STATES, MetricKey, as_of_note, not_yet_issued, records
from .cost import PERIODS, CostReport, cost
from .diff import DIFF_STATUSES, diff
from .responsibilities import ROLE_ZH, ROLES, resolve_department, responsibilities, responsibilities_matrix
from .standards import (
    CELL_STATUSES,
    RULE_STATUSES,
    Scenario,
    scenarios,
    standards_matrix,
    standards_notes,
    standards_rules,
    standards_table,
)
from .timeline import TIMELINE_STATUSES, timeline
from .versions import CONFLICT_CLASSES, conflicts, history, in_force_standard
from .whatif import SWEEP_COLUMNS, WhatIfReport, first_value_failing, parse_sweep, rule_changes, sweep, whatif

__all__ = [
    "CELL_STATUSES",
    "CONFLICT_CLASSES",
    "DIFF_STATUSES",
    "PERIODS",
    "ROLES",
    "ROLE_ZH",
    "RULE_STATUSES",
    "STATES",
    "SWEEP_COLUMNS",
    "TIMELINE_STATUSES",
    "CostReport",
    "MetricKey",
    "Scenario",
    "WhatIfReport",
    "as_of_note",
    "bounds_text",
    "conflicts",
    "cost",
    "diff",
    "first_value_failing",
    "history",
    "in_force_standard",
    "not_yet_issued",
    "parse_sweep",
    "records",
    "resolve_department",
    "responsibilities",
    "responsibilities_matrix",
    "rule_changes",
    "scenarios",
    "standards_matrix",
    "standards_notes",
    "standards_rules",
    "standards_table",
    "sweep",
    "timeline",
    "whatif",
]
