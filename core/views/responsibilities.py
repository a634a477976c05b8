"""Tasks by normalised department and role (牵头/责任/指导/配合), per jurisdiction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from ..catalog import Catalog
from ..errors import ShequError
from ..model import TASK_ROLES
from ..registry import Registry
from .common import _as_of, document_label, issued, source_document, strength_filter

ROLES = TASK_ROLES  # the model's: the CLI offers them without loading this view


ROLE_ZH = {
    "lead": "牵头",
    "responsible": "责任",
    "guiding": "指导",
    "cooperating": "配合",
    "receiving": "受理",
    "approving": "审批",
}


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
    raise ShequError(
        f"unknown department '{name}'{Catalog.suggest(name, names)}; ids: {', '.join(sorted(catalog.departments))}"
    )


RESPONSIBILITY_COLUMNS = [
    "jurisdiction",
    "department",
    "department_zh",
    "role",
    "role_zh",
    "task",
    "title",
    "due",
    "rules",
    "document",
    "clause",
]


def responsibilities(
    registry: Registry,
    department: str | None = None,
    jurisdictions: Sequence[str] = (),
    roles: Sequence[str] = ROLES,
    as_of: dt.date | None = None,
    strengths: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Tasks by normalised department and role: one row per (jurisdiction, task, role, department).

    ``department`` accepts an id or any Chinese name or alias (民政局 →
    ``civil_affairs``). Rows are in jurisdiction order, then the standard's
    task order. Only the tasks of documents issued on ``as_of`` (default
    today): nothing is in force before its document's date. A task carries no
    strength of its own: with ``strengths``, only tasks linked to a rule of
    one of them.
    """
    as_of = _as_of(as_of)
    kept = strength_filter(strengths)
    catalog = registry.catalog
    wanted = resolve_department(catalog, department) if department else None
    for role in roles:
        if role not in ROLES:
            raise ShequError(f"unknown role '{role}'{Catalog.suggest(role, ROLES)}; roles: {', '.join(ROLES)}")
    rows = []
    for loaded in registry.select(jurisdictions):
        kept_rules = {rule.id for rule in loaded.standard.rules if kept is None or rule.strength in kept}
        for task in loaded.standard.tasks:
            document = source_document(loaded, task.source.document)
            if not issued(document, as_of) or (kept is not None and not kept_rules & set(task.rules)):
                continue
            for role in ROLES:
                if role not in roles:
                    continue
                for department_id in getattr(task, role):
                    if wanted is not None and department_id != wanted:
                        continue
                    definition = catalog.departments.get(department_id)
                    rows.append(
                        {
                            "jurisdiction": loaded.id,
                            "department": department_id,
                            "department_zh": definition.zh if definition else None,
                            "role": role,
                            "role_zh": ROLE_ZH[role],
                            "task": task.id,
                            "title": task.title,
                            "due": task.due if isinstance(task.due, dt.date) else None,  # see `timeline`
                            "rules": list(task.rules),
                            "document": document_label(document),
                            "clause": task.source.clause,
                        }
                    )
    schema: dict[str, Any] = dict.fromkeys(RESPONSIBILITY_COLUMNS, pl.String)
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
                row[role] = [
                    f"{t} {title}"
                    for t, title in zip(tasks.get_column("task"), tasks.get_column("title"), strict=False)
                ] or "—"
            row["tasks"] = mine.get_column("task").n_unique()
            out.append(row)
        return out
    out = []
    for department in sorted(frame.get_column("department").unique().to_list()):
        mine = frame.filter(pl.col("department") == department)
        row = {"department": department, "zh": mine.get_column("department_zh")[0]}
        for jurisdiction in jurisdictions:
            theirs = mine.filter(pl.col("jurisdiction") == jurisdiction)
            counts = [f"{role} {n}" for role in ROLES if (n := theirs.filter(pl.col("role") == role).height)]
            row[jurisdiction] = " · ".join(counts) if counts else "—"
        out.append(row)
    return out
