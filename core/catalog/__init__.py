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

SECTIONS = ("metrics", "facility_kinds", "organization_kinds", "flags", "designations", "departments", "events")

#: Units written several ways, read as one when a derived metric's units are checked.
_UNIT_SPELLINGS = {"㎡": "m²", "m2": "m²", "平方米": "m²", "平米": "m²"}
#: The unit of a ratio of two quantities of one unit.
DIMENSIONLESS = ("比例", "")


def same_unit(unit: str) -> str:
    """A unit as derived metrics compare it: ``㎡``, ``m2`` and ``平方米`` are ``m²``."""
    unit = unit.strip()
    return _UNIT_SPELLINGS.get(unit, unit)


def _unit_fits(definition: MetricDef, unit: str) -> bool:
    """Whether a derived metric's stated unit agrees with the unit its formula gives."""
    stated = same_unit(definition.unit)
    if definition.formula_kind == "ratio":
        if unit == "比例":
            return stated in DIMENSIONLESS or stated in ("%", "‰")
        numerator = same_unit(unit.partition("/")[0].strip())
        return "/" in stated and same_unit(stated.partition("/")[0].strip()) == numerator.partition("/")[0]
    return stated == same_unit(unit)


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
    #: Event date columns a deadline may count from (``due = { after = ID, days = N }``).
    events: dict[str, KindDef] = attrs.Factory(dict)
    #: Where each metric was first defined (a file, or ``plugin 'x'``), for messages about its formula.
    metric_origins: dict[str, str] = attrs.Factory(dict)

    @classmethod
    def core(cls) -> Catalog:
        """The catalog core ships, before any plugin adds to it."""
        catalog = cls()
        problems = catalog.add(_core_additions(), origin="shequ")
        problems += catalog.check_concepts()
        problems += catalog.check_formulas()
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
                if section == "metrics" and entry.id not in self.metric_origins:
                    self.metric_origins = {**self.metric_origins, entry.id: origin}
        self.added_by = added_by
        return problems

    # -- derived metrics -----------------------------------------------------------

    def formula_unit(self, definition: MetricDef) -> tuple[str | None, str | None]:
        """(the unit a derived metric's formula gives, or None; why its operands' units do not combine, or None)."""
        kind = definition.formula_kind
        if kind is None:
            return None, None
        units = [self.metric(operand).unit for operand in definition.operands]
        if kind in ("sum", "difference"):
            if len({same_unit(u) for u in units}) > 1:
                sign = " + " if kind == "sum" else " − "
                shown = sign.join(f"{m} ({u or 'no unit'})" for m, u in zip(definition.operands, units, strict=True))
                return None, f"{kind} {shown}: operands of a {kind} must share one unit"
            return units[0], None
        if kind == "product":
            return units[0], None
        numerator, denominator = units
        if same_unit(numerator) == same_unit(denominator):
            return "比例", None
        return f"{numerator}/{denominator}" if denominator else numerator, None

    def check_formulas(self) -> list[Problem]:
        """Derived-metric errors once every source has added its entries.

        Every operand must be a known metric, formulas may not go round in a
        circle, and the units must combine: a sum or difference adds one unit
        (m² − m² is m²); a product keeps its operand's unit; a ratio of one unit
        is a share (``比例``) and otherwise reads numerator per denominator
        (m² ÷ 户 is ``m²/户``: the metric's unit must start with the
        numerator's, up to its first "/"). A derived metric with no unit of its
        own takes its formula's.
        """
        problems: list[Problem] = []
        derived = {key: d for key, d in self.metrics.items() if d.formula_kind is not None}

        def problem(definition: MetricDef, message: str) -> None:
            plugins = ", ".join(self.added_by.get(("metrics", definition.id), ())) or CORE
            problems.append(
                Problem(
                    file=self.metric_origins.get(definition.id),
                    where=f"catalog.metrics.{definition.id}",
                    message=f"derived metric '{definition.id}' (added by {plugins}): {message}",
                )
            )

        broken = set()
        for definition in derived.values():
            for operand in definition.operands:
                if not self.has_metric(operand):
                    hint = self.suggest(operand, self.metric_ids())
                    problem(definition, f"{definition.formula_kind} names unknown metric '{operand}'{hint}")
                    broken.add(definition.id)
        for definition in derived.values():
            path = self._cycle(definition.id, derived)
            if path:
                problem(definition, f"its formula refers back to itself: {' → '.join(path)}")
                broken.add(definition.id)
        for key in sorted(set(derived) - broken, key=lambda k: self._depth(k, derived)):
            definition = self.metrics[key]  # operands' units may have been filled in just before
            unit, error = self.formula_unit(definition)
            if error is not None:
                problem(definition, error)
            elif unit is not None and not definition.unit:
                self.metrics[key] = attrs.evolve(definition, unit=unit)
            elif unit is not None and not _unit_fits(definition, unit):
                problem(
                    definition,
                    f"unit '{definition.unit}' does not match its formula {definition.formula}, which gives '{unit}'",
                )
        return problems

    @staticmethod
    def _cycle(start: str, derived: dict[str, MetricDef]) -> list[str]:
        """The metrics from ``start`` back to itself through formulas, or [] when its formula does not loop."""
        stack, seen = [(start, [start])], set()
        while stack:
            key, path = stack.pop()
            for operand in derived[key].operands if key in derived else ():
                if operand == start:
                    return [*path, start]
                if operand not in seen:
                    seen.add(operand)
                    stack.append((operand, [*path, operand]))
        return []

    def _depth(self, key: str, derived: dict[str, MetricDef], seen: frozenset[str] = frozenset()) -> int:
        if key not in derived or key in seen:
            return 0
        return 1 + max(self._depth(m, derived, seen | {key}) for m in derived[key].operands)

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
