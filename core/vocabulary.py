"""The closed vocabularies shequ's records and commands share, as plain tuples with no dependency.

They live here, below the model, so that the command-line interface can offer
them as option choices (``--verdict``, ``--kind``, ``--role``, ``--strength``,
``--format``) without importing attrs, the model or Polars: ``shequ --help``
imports every command module. :mod:`shequ.model` and :mod:`shequ.output`
re-export them under the same names, so ``shequ.model.VERDICTS`` is this tuple.
"""

from __future__ import annotations

#: The kinds of community a standard distinguishes (城市社区, 镇, 农村, 村).
COMMUNITY_KINDS = ("urban", "town", "rural", "village")

#: How binding a provision is, from the text's own words: mandatory (应/必须/不得/要), target
#: (力争/达到…目标), guidance (原则上/一般/为宜/左右), permissive (可/可以/鼓励).
#: Guidance and permissive rules are recorded as ``departs`` when not met, never as ``fail``.
STRENGTHS = ("mandatory", "target", "guidance", "permissive")

#: The strengths whose unmet requirement is a violation (``fail``); the others ``depart``.
BINDING_STRENGTHS = ("mandatory", "target")

#: The roles a task gives departments (the department fields of :class:`~shequ.model.Task`), in the order
#: documents list them; ``receiving`` (受理) and ``approving`` (审批) name authorities that only receive or
#: approve applications.
TASK_ROLES = ("lead", "responsible", "guiding", "cooperating", "receiving", "approving")

#: What a rule can say about one community; the engine's verdict codes index this tuple (0 = pass).
#: ``departs``: a guidance or permissive provision not met (recorded, never a violation);
#: ``not_in_force``: the rule's document is not in force at the evaluation date (not yet in effect, or superseded).
VERDICTS = ("pass", "fail", "not_applicable", "not_due", "unknown", "departs", "not_in_force")

#: What every listing command can print (`--format`); not to be confused with the data formats shequ reads.
OUTPUT_FORMATS = ("table", "json", "csv", "markdown", "latex", "xlsx")

#: The format ``-o FILE`` implies when ``--format`` is not given, by the file's suffix.
SUFFIX_FORMATS = {".csv": "csv", ".json": "json", ".md": "markdown", ".tex": "latex", ".xlsx": "xlsx", ".txt": "table"}

#: Formats that are not text: written only to a file (``-o``).
BINARY_FORMATS = ("xlsx",)
