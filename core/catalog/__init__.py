"""The shared catalog: metrics, concepts, facility and organization kinds, flags, designations, departments.

Core ships the common entries in ``core.toml``, ``concepts.toml`` and
``departments.toml`` beside this module; plugins add theirs through the
``register_catalog`` and ``register_metrics`` hooks or a ``[catalog]`` table in
their standard. Metric families (``area.K``, ``count.K``, ``floor.K``,
``members.O``, ``count.O``, ``flag.F``, ``designation.D``) exist for every kind
without an entry each.

A concept groups metrics that measure the same thing (``premises``: the service
space, the committee's office area, its presence), so the comparison views line
jurisdictions up concept by concept. A metric belongs to at most one concept; a
metric in no concept is its own concept (:meth:`Catalog.concept_of`). A concept
of the same id and names from a second source adds its metrics to the first.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from importlib import resources

import attrs

from ..convert import structure
from ..errors import Problem, ProblemsError
from ..model import CatalogAdditions, ConceptDef, DepartmentDef, KindDef, MetricDef
from ..suggest import did_you_mean

#: Metric families: prefix → (which kinds it ranges over, unit, zh, en templates).
FAMILIES = {
    "area": ("facility_kinds", "m²", "{zh}面积", "{en} area"),
    "floor": ("facility_kinds", "层", "{zh}所在楼层", "{en} floor"),
    "count": ("facility_kinds+organization_kinds", "个", "{zh}数量", "Number of {en}"),
    "members": ("organization_kinds", "人", "{zh}成员数", "{en} members"),
    "flag": ("flags", "", "{zh}", "{en}"),
    "designation": ("designations", "", "{zh}", "{en}"),
}

SECTIONS = ("metrics", "facility_kinds", "organization_kinds", "flags", "designations", "departments")


def _core_additions() -> CatalogAdditions:
    data: dict = {}
    for name in ("core.toml", "concepts.toml", "departments.toml"):
        text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
        data.update(tomllib.loads(text))
    return structure(data, CatalogAdditions, "shequ/catalog")


Entry = MetricDef | KindDef | DepartmentDef

#: How :attr:`Catalog.added_by` names core's own entries.
CORE = "core"


def _note(added_by: dict[tuple[str, str], tuple[str, ...]], key: tuple[str, str], plugin: str) -> None:
    if plugin not in added_by.get(key, ()):
        added_by[key] = (*added_by.get(key, ()), plugin)


def _same_but_users(a: Entry, b: Entry) -> bool:
    """Whether two entries differ at most in which jurisdictions use them."""
    if not (a.jurisdictions and b.jurisdictions):
        return False
    return attrs.evolve(a, jurisdictions=()) == attrs.evolve(b, jurisdictions=())


@attrs.define
class Catalog:
    """The merged vocabulary every rule, task and dataset is checked against."""

    metrics: dict[str, MetricDef] = attrs.Factory(dict)
    facility_kinds: dict[str, KindDef] = attrs.Factory(dict)
    organization_kinds: dict[str, KindDef] = attrs.Factory(dict)
    flags: dict[str, KindDef] = attrs.Factory(dict)
    designations: dict[str, KindDef] = attrs.Factory(dict)
    departments: dict[str, DepartmentDef] = attrs.Factory(dict)
    concepts: dict[str, ConceptDef] = attrs.Factory(dict)
    #: Where each (concept, metric) membership came from, for messages.
    concept_origins: dict[tuple[str, str], str] = attrs.Factory(dict)
    #: Which plugins added each entry, by (section, id): ``core`` for core's own, else the plugin names in order.
    added_by: dict[tuple[str, str], tuple[str, ...]] = attrs.Factory(dict)

    @classmethod
    def core(cls) -> Catalog:
        """The catalog core ships, before any plugin adds to it."""
        catalog = cls()
        problems = catalog.add(_core_additions(), origin="shequ")
        problems += catalog.check_concepts()
        if problems:
            raise ProblemsError(problems)
        return catalog

    def add(
        self, additions: CatalogAdditions, origin: str, where: str = "catalog", plugin: str = CORE
    ) -> list[Problem]:
        """Merge ``additions`` in; return the conflicts (an id defined twice differently).

        ``origin`` names the file or plugin in messages; ``plugin`` is recorded
        as the entries' adder (:meth:`added_by_of`). Concepts merge by id: the
        same id with the same names adds its metrics to the concept. Which
        metrics exist is checked once every source is in (:meth:`check_concepts`).
        """
        problems = self._add_concepts(additions.concepts, origin, where)
        # copy on write, as for concepts: a catalog evolved from this one must not see these additions
        added_by = dict(self.added_by)
        for concept in additions.concepts:
            _note(added_by, ("concepts", concept.id), plugin)
        for section in SECTIONS:
            table = getattr(self, section)
            for index, entry in enumerate(getattr(additions, section)):
                existing = table.get(entry.id)
                if existing is not None and existing != entry and _same_but_users(existing, entry):
                    # two jurisdictions use one local entry: it is shared by both
                    users = tuple(sorted(set(existing.jurisdictions) | set(entry.jurisdictions)))
                    table[entry.id] = attrs.evolve(existing, jurisdictions=users)
                    _note(added_by, (section, entry.id), plugin)
                    continue
                if existing is not None and existing != entry:
                    problems.append(
                        Problem(
                            file=origin,
                            where=f"{where}.{section}[{index}]",
                            message=f"{section[:-1].replace('_', ' ')} '{entry.id}' is already defined differently",
                        )
                    )
                    continue
                table[entry.id] = entry
                _note(added_by, (section, entry.id), plugin)
        self.added_by = added_by
        return problems

    def added_by_of(self, section: str, entry_id: str) -> tuple[str, ...]:
        """The plugins that added an entry (``core`` for core's own); a family metric's are its kind's."""
        if (section, entry_id) in self.added_by:
            return self.added_by[(section, entry_id)]
        if section == "metrics":
            prefix, _dot, member = entry_id.partition(".")
            for kind_section in FAMILIES.get(prefix, ("",))[0].split("+"):
                if (kind_section, member) in self.added_by:
                    return self.added_by[(kind_section, member)]
        return ()

    # -- concepts ----------------------------------------------------------------

    def _add_concepts(self, concepts: Iterable[ConceptDef], origin: str, where: str) -> list[Problem]:
        problems = []
        # copy on write: a catalog evolved from this one (attrs.evolve) must not see these additions
        merged, origins = dict(self.concepts), dict(self.concept_origins)
        for index, concept in enumerate(concepts):
            place = f"{where}.concepts[{index}]"
            existing = merged.get(concept.id)
            if existing is not None and (existing.zh, existing.en) != (concept.zh, concept.en):
                problems.append(
                    Problem(file=origin, where=place, message=f"concept '{concept.id}' is already defined differently")
                )
                continue
            before = existing.metrics if existing else ()
            added = tuple(m for m in dict.fromkeys(concept.metrics) if m not in before)
            merged[concept.id] = attrs.evolve(existing or concept, metrics=before + added)
            origins.update({(concept.id, metric): origin for metric in added})
        self.concepts, self.concept_origins = merged, origins
        return problems

    def check_concepts(self) -> list[Problem]:
        """Concept errors once every source has added its entries.

        A concept may name only known metrics, a metric may be in one concept
        only, and a concept's id must not be the id of a metric outside it (a
        metric alone is its own concept, under its own id).
        """
        problems = []
        first: dict[str, str] = {}
        for concept in self.concepts.values():
            if concept.id not in concept.metrics and self.has_metric(concept.id):
                problems.append(
                    Problem(
                        file=self.concept_origins.get((concept.id, concept.metrics[0])) if concept.metrics else None,
                        where=f"concepts.{concept.id}",
                        message=f"concept id '{concept.id}' is the id of a metric it does not hold",
                    )
                )
            for metric in concept.metrics:
                origin = self.concept_origins.get((concept.id, metric))
                if not self.has_metric(metric):
                    problems.append(
                        Problem(
                            file=origin,
                            where=f"concepts.{concept.id}",
                            message=f"unknown metric '{metric}'{self.suggest(metric, self.metric_ids())}",
                        )
                    )
                elif metric in first:
                    problems.append(
                        Problem(
                            file=origin,
                            where=f"concepts.{concept.id}",
                            message=f"metric '{metric}' is already in concept '{first[metric]}': "
                            "a metric belongs to one concept at most",
                        )
                    )
                else:
                    first[metric] = concept.id
        return problems

    def concept_of(self, metric_id: str) -> str:
        """The id of the concept ``metric_id`` belongs to; the metric's own id when it is in none."""
        for concept in self.concepts.values():
            if metric_id in concept.metrics:
                return concept.id
        return metric_id

    def concept(self, concept_id: str) -> ConceptDef:
        """A concept by id: a catalog concept, or a metric standing alone as its own; KeyError if neither."""
        if concept_id in self.concepts:
            return self.concepts[concept_id]
        definition = self.metric(concept_id)
        return ConceptDef(id=concept_id, zh=definition.zh, en=definition.en, metrics=(concept_id,))

    def has_concept(self, concept_id: str) -> bool:
        return concept_id in self.concepts or self.has_metric(concept_id)

    # -- metrics -------------------------------------------------------------

    def metric(self, metric_id: str) -> MetricDef:
        """The definition of ``metric_id``, family members included; KeyError if unknown."""
        if metric_id in self.metrics:
            return self.metrics[metric_id]
        prefix, dot, member = metric_id.partition(".")
        if dot and prefix in FAMILIES:
            sections, unit, zh, en = FAMILIES[prefix]
            for section in sections.split("+"):
                kind = getattr(self, section).get(member)
                if kind is not None:
                    if prefix == "count" and section == "organization_kinds":
                        unit = "个"
                    return MetricDef(
                        id=metric_id,
                        unit=unit,
                        zh=zh.format(zh=kind.zh),
                        en=en.format(en=kind.en or member),
                        column=metric_id,
                        jurisdictions=kind.jurisdictions,
                    )
        raise KeyError(metric_id)

    def has_metric(self, metric_id: str) -> bool:
        try:
            self.metric(metric_id)
        except KeyError:
            return False
        return True

    def metric_ids(self) -> list[str]:
        """Every metric id, family members included, sorted."""
        ids = set(self.metrics)
        for prefix, (sections, *_rest) in FAMILIES.items():
            for section in sections.split("+"):
                ids.update(f"{prefix}.{kind}" for kind in getattr(self, section))
        return sorted(ids)

    def is_boolean(self, metric_id: str) -> bool:
        return metric_id.startswith(("flag.", "designation."))

    # -- departments -------------------------------------------------------------

    def department_for(self, name: str) -> str | None:
        """The department id a Chinese (or English) name or id stands for, if any."""
        name = name.strip()
        if name in self.departments:
            return name
        for department in self.departments.values():
            if name == department.zh or name in department.aliases or name.lower() == department.en.lower():
                return department.id
        return None

    # -- help ------------------------------------------------------------------

    @staticmethod
    def suggest(name: str, candidates: Iterable[str]) -> str:
        """A " (did you mean 'x'?)" hint, or an empty string: :func:`shequ.suggest.did_you_mean` over names.

        A mapping (standards by id, departments by id) is matched on its keys and the hint names the key.
        """
        return did_you_mean(name, list(candidates))
