"""Loading plugins and their standards, and checking them before anything runs.

:func:`get_registry` loads every plugin of the ``shequ`` entry-point group once
(lazily, on first use), collects their catalog additions and standards, and
validates them all: schema, unknown metric/department/kind ids, missing
sources, duplicate ids. Every problem of every plugin is reported at once in a
:class:`ProblemsError`, each naming the plugin and the place.

Set ``SHEQU_PLUGINS=changchun,donghai`` to load only some plugins.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Callable, Iterable
from functools import cache
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any, cast

import attrs
import pluggy
from pluggy import HookImpl

from . import forms, hookspecs
from .catalog import Catalog
from .convert import structure
from .errors import PluginError, Problem, ProblemsError, ShequError
from .model import (
    TASK_ROLES,
    AfterEvent,
    CatalogAdditions,
    Condition,
    Standard,
)
from .suggest import did_you_mean

ENTRY_POINT_GROUP = hookspecs.PROJECT
ONLY_ENV = "SHEQU_PLUGINS"

#: The sections of a standard whose items a schema problem can set aside (see :func:`set_aside`).
_ITEM_SECTIONS = ("rules", "tasks", "milestones", "obligations", "unencoded", "gaps")
_ITEM = re.compile(r"^(rules|tasks|milestones|obligations|unencoded|gaps)\[(\d+)\]")


@attrs.frozen(kw_only=True)
class LoadedStandard:
    """A standard with where it came from: the plugin and the TOML file."""

    standard: Standard
    plugin: str
    path: Path | None = None

    @property
    def id(self) -> str:
        return self.standard.id

    @property
    def origin(self) -> str:
        """Where this standard came from, as messages name it: its TOML file, or the plugin that declared it."""
        return display_path(self.path) if self.path else plugin_origin(self.plugin)

    def document_text(self, document_id: str | None = None) -> str | None:
        """The shipped text of a document of this standard, if the plugin ships it."""
        document = self.standard.document(document_id)
        if document.text is None or self.path is None:
            return None
        return (self.path.parent / document.text).read_text(encoding="utf-8")

    def document_sha256(self, document_id: str | None = None) -> str | None:
        """The SHA-256 (hex) of a document's shipped text file as it is on disk; None where none is shipped."""
        document = self.standard.document(document_id)
        if document.text is None or self.path is None:
            return None
        return hashlib.sha256((self.path.parent / document.text).read_bytes()).hexdigest()


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One loaded plugin, for `shequ plugins`."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    location: str | None
    hooks: tuple[str, ...]


@attrs.define
class Registry:
    """Every loaded plugin, the merged catalog, and the validated standards by id."""

    plugins: list[PluginInfo]
    catalog: Catalog
    standards: dict[str, LoadedStandard]

    def get(self, jurisdiction_id: str) -> LoadedStandard:
        try:
            return self.standards[jurisdiction_id]
        except KeyError:
            known = ", ".join(sorted(self.standards)) or "none"
            hint = did_you_mean(jurisdiction_id, list(self.standards))
            raise ShequError(f"unknown jurisdiction '{jurisdiction_id}'{hint}; installed: {known}") from None

    def select(self, ids: Iterable[str] = ()) -> list[LoadedStandard]:
        """The standards named (all of them, in id order, when none is named)."""
        ids = list(ids)
        if not ids:
            return [self.standards[key] for key in sorted(self.standards)]
        return [self.get(jurisdiction_id) for jurisdiction_id in ids]


def plugin_manager() -> pluggy.PluginManager:
    """A plugin manager that knows shequ's hook specs and nothing else yet."""
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


def _entry_points(only: set[str] | None) -> list[metadata.EntryPoint]:
    points = sorted(metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda ep: ep.name)
    if only is not None:
        unknown = only - {ep.name for ep in points}
        if unknown:
            raise PluginError(f"{ONLY_ENV} names plugins that are not installed: {', '.join(sorted(unknown))}")
        points = [ep for ep in points if ep.name in only]
    return points


def load_plugins(manager: pluggy.PluginManager, only: set[str] | None = None) -> list[PluginInfo]:
    """Register every ``shequ`` entry point with ``manager``; check hook names."""
    infos = []
    seen: dict[str, str] = {}
    for entry_point in _entry_points(only):
        if entry_point.name in seen:
            raise PluginError(
                f"two installed packages register the plugin '{entry_point.name}': "
                f"{seen[entry_point.name]} and {entry_point.value}",
                plugin=entry_point.name,
            )
        seen[entry_point.name] = entry_point.value
        try:
            module = entry_point.load()
        except Exception as exc:  # a broken plugin must not hide the others' problems
            raise PluginError(
                f"plugin '{entry_point.name}' ({entry_point.value}) failed to import: {exc}", plugin=entry_point.name
            ) from exc
        manager.register(module, name=entry_point.name)
        distribution = entry_point.dist
        infos.append(
            _info(
                entry_point.name,
                module,
                distribution.name if distribution else None,
                distribution.version if distribution else None,
            )
        )
    _check_hooks(manager)
    return infos


def _check_hooks(manager: pluggy.PluginManager) -> None:
    """Refuse a plugin that implements a hook shequ has no spec for (a misspelt hook name)."""
    try:
        manager.check_pending()
    except pluggy.PluginValidationError as exc:
        name = manager.get_name(exc.plugin) or str(exc.plugin)
        raise PluginError(f"plugin '{exc.plugin}' implements a hook shequ does not know: {exc}", plugin=name) from exc


def _info(name: str, module: ModuleType | Any, distribution: str | None, version: str | None) -> PluginInfo:
    location = getattr(module, "__file__", None)
    hooks = tuple(sorted(n for n in hookspecs.hook_names() if hasattr(module, n)))
    return PluginInfo(
        name=name,
        module=getattr(module, "__name__", repr(module)),
        distribution=distribution,
        version=version,
        location=str(Path(location).parent) if location else None,
        hooks=hooks,
    )


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file, turning a syntax error into a problem naming the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemsError([Problem(file=str(path), where=None, message=f"not valid TOML: {exc}")]) from None
    except OSError as exc:
        raise ProblemsError([Problem(file=str(path), where=None, message=f"cannot read: {exc.strerror}")]) from None


def load_standard_file(path: Path, plugin: str = "?") -> LoadedStandard:
    """Structure one standard TOML file (no cross-reference checks yet)."""
    data = read_toml(path)
    standard = structure(data, Standard, display_path(path))
    return LoadedStandard(standard=standard, plugin=plugin, path=path)


def display_path(path: Path) -> str:
    """A short, machine-independent name for a plugin file in messages."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return f"{path.parent.name}/{path.name}"


def plugin_origin(plugin: str) -> str:
    """How messages name a plugin when there is no file to point at."""
    return f"plugin '{plugin}'"


def _returned(impl: HookImpl) -> list[Any]:
    """The list one plugin's hook implementation returned (nothing for None); the items are checked by the caller."""
    return list(cast("Iterable[Any] | None", impl.function()) or [])


def _gather(manager: pluggy.PluginManager, infos: list[PluginInfo]) -> Registry:
    problems: list[Problem] = []
    catalog = Catalog.core()

    for impl in manager.hook.register_catalog.get_hookimpls():
        for item in _returned(impl):
            if isinstance(item, CatalogAdditions):
                problems += catalog.add(item, origin=plugin_origin(impl.plugin_name), plugin=impl.plugin_name)
            else:
                path = Path(item)
                try:
                    additions = structure(read_toml(path), CatalogAdditions, display_path(path))
                except ProblemsError as exc:
                    problems += exc.problems
                    continue
                problems += catalog.add(additions, origin=display_path(path), plugin=impl.plugin_name)
    for impl in manager.hook.register_metrics.get_hookimpls():
        for metric in _returned(impl):
            if metric.compute is None or not callable(metric.compute):
                problems.append(
                    Problem(
                        file=plugin_origin(impl.plugin_name),
                        where=f"register_metrics: {metric.id}",
                        message="a Python metric needs a callable 'compute'",
                    )
                )
            problems += catalog.add(
                CatalogAdditions(metrics=(metric,)), origin=plugin_origin(impl.plugin_name), plugin=impl.plugin_name
            )

    standards: dict[str, LoadedStandard] = {}
    broken: list[tuple[Path, list[Problem], str]] = []  # files with schema problems: the rest is checked below
    for impl in manager.hook.register_jurisdictions.get_hookimpls():
        for item in _returned(impl):
            try:
                if isinstance(item, Standard):
                    loaded = LoadedStandard(standard=item, plugin=impl.plugin_name)
                else:
                    loaded = load_standard_file(Path(item), impl.plugin_name)
            except ProblemsError as exc:
                problems += [attrs.evolve(p, plugin=impl.plugin_name) for p in exc.problems]
                broken.append((Path(item), exc.problems, impl.plugin_name))
                continue
            if loaded.id in standards:
                other = standards[loaded.id]
                problems.append(
                    Problem(
                        file=plugin_origin(impl.plugin_name),
                        where="jurisdiction.id",
                        message=f"jurisdiction id '{loaded.id}' is already declared by plugin '{other.plugin}'",
                    )
                )
                continue
            problems += catalog.add(loaded.standard.catalog, origin=loaded.origin, plugin=loaded.plugin)
            standards[loaded.id] = loaded

    problems += catalog.check_concepts()
    problems += catalog.check_formulas()
    for loaded in standards.values():
        problems += check_references(loaded, catalog)
    for path, schema_problems, plugin in broken:
        problems += _rest_of_file(path, schema_problems, plugin, catalog)
    if problems:
        raise ProblemsError(problems)
    return Registry(plugins=infos, catalog=catalog, standards=standards)


def _rest_of_file(path: Path, schema_problems: list[Problem], plugin: str, catalog: Catalog) -> list[Problem]:
    """The reference problems of the items of a file that did match the schema, so all are listed at once."""
    partial = set_aside(path, schema_problems)
    if partial is None:
        return []
    loaded, original = partial
    catalog = attrs.evolve(
        catalog,
        **{
            section: dict(getattr(catalog, section))
            for section in (
                "metrics",
                "facility_kinds",
                "organization_kinds",
                "flags",
                "designations",
                "departments",
                "events",
            )
        },
    )
    catalog.add(loaded.standard.catalog, origin=display_path(path))
    return [original(p) for p in check_references(attrs.evolve(loaded, plugin=plugin), catalog)]


def _quote_of(item: Any) -> tuple[str, Any] | None:
    """(TOML path suffix, the table holding it) of an item's quote, if the quote is readable at all."""
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("source"), dict) and isinstance(item["source"].get("quote"), (str, list)):
        return ".source.quote", item["source"]
    if isinstance(item.get("quote"), str):
        return ".quote", item
    return None


def set_aside(file: Path, schema_problems: list[Problem]) -> tuple[LoadedStandard, Callable[[Problem], Problem]] | None:
    """The standard without the items the schema problems are in, to check the rest of the file.

    Returns the partial standard and a function that maps the TOML paths of its
    problems back to the file's own; None when a problem lies outside the items
    (in ``[jurisdiction]``, ``[[documents]]``, ``[catalog]``) or the rest still fails.
    The quotes of the items set aside still count as accounting for the numbers
    in them (and are themselves checked), so no number is reported twice.
    """
    broken: dict[str, set[int]] = {}
    for problem in schema_problems:
        match = _ITEM.match(problem.where or "")
        if match is None:
            return None
        broken.setdefault(match[1], set()).add(int(match[2]))
    try:
        data = dict(read_toml(file))
    except ProblemsError:
        return None
    kept: dict[str, list[int]] = {}
    set_aside_quotes: list[tuple[str, dict[str, Any]]] = []
    set_aside_rules: set[str] = set()
    for section in _ITEM_SECTIONS:
        items = data.get(section, [])
        if not isinstance(items, list):
            return None
        kept[section] = [i for i in range(len(items)) if i not in broken.get(section, ())]
        for index in sorted(broken.get(section, ())):
            if index >= len(items):
                return None
            item = items[index]
            if section == "rules" and isinstance(item, dict) and isinstance(item.get("id"), str):
                set_aside_rules.add(item["id"])
            found = _quote_of(item)
            if found is not None and isinstance(found[1].get("document", ""), str):
                suffix, holder = found
                quote = holder["quote"]
                # a quote of fragments is set aside fragment by fragment, each a verbatim passage
                pieces = [(suffix, quote)] if isinstance(quote, str) else list(enumerate(quote))
                for piece_suffix, piece in pieces:
                    if not isinstance(piece, str):
                        continue
                    entry = {"quote": piece, "reason": "set aside: does not match the schema"}
                    if holder.get("document"):
                        entry["document"] = holder["document"]
                    where = suffix if isinstance(quote, str) else f"{suffix}[{piece_suffix}]"
                    set_aside_quotes.append((f"{section}[{index}]{where}", entry))
        data[section] = [items[i] for i in kept[section]]
    for task in data.get("tasks", []):
        if isinstance(task, dict) and isinstance(task.get("rules"), list):
            task["rules"] = [rule for rule in task["rules"] if rule not in set_aside_rules]
    for rule in data.get("rules", []):
        if isinstance(rule, dict) and isinstance(rule.get("restates"), list):
            rule["restates"] = [other for other in rule["restates"] if other not in set_aside_rules]
    first_synthetic = len(data["unencoded"])
    data["unencoded"] = data["unencoded"] + [entry for _, entry in set_aside_quotes]
    try:
        standard = structure(data, Standard, display_path(file))
    except ProblemsError:
        return None

    def original(problem: Problem) -> Problem:
        match = _ITEM.match(problem.where or "")
        if match is None:
            return problem
        section, index = match[1], int(match[2])
        rest = (problem.where or "")[match.end() :]
        if section == "unencoded" and index >= first_synthetic:
            where = set_aside_quotes[index - first_synthetic][0]
        else:
            where = f"{section}[{kept[section][index]}]{rest}"
        return attrs.evolve(problem, where=where)

    return LoadedStandard(standard=standard, plugin=file.parent.name, path=file), original


def check_references(loaded: LoadedStandard, catalog: Catalog) -> list[Problem]:
    """Every id a standard refers to must exist: metrics, kinds, flags, departments, documents, rules."""
    standard = loaded.standard
    origin = loaded.origin
    problems: list[Problem] = []

    def problem(where: str, message: str) -> None:
        problems.append(Problem(file=origin, where=where, message=message, plugin=loaded.plugin))

    def metric(where: str, metric_id: str | None) -> None:
        if metric_id is not None and not catalog.has_metric(metric_id):
            problem(where, f"unknown metric '{metric_id}'{Catalog.suggest(metric_id, catalog.metric_ids())}")

    def condition(where: str, cond: Condition) -> None:
        metric(f"{where}.metric", cond.metric)

    def department(where: str, department_id: str) -> None:
        if department_id not in catalog.departments:
            alias = catalog.department_for(department_id)
            hint = (
                f" (the catalog id for it is '{alias}')"
                if alias
                else Catalog.suggest(department_id, catalog.departments)
            )
            problem(where, f"unknown department '{department_id}'{hint}")

    def source(where: str, document_id: str | None) -> None:
        if document_id is not None and document_id not in {d.id for d in standard.documents}:
            problem(f"{where}.source.document", f"unknown document '{document_id}'")

    def unique(section: str, items: Iterable[Any]) -> None:
        seen: set[str] = set()
        for index, item in enumerate(items):
            if item.id in seen:
                problem(f"{section}[{index}].id", f"duplicate id '{item.id}'")
            seen.add(item.id)

    unique("documents", standard.documents)
    unique("rules", standard.rules)
    unique("tasks", standard.tasks)
    unique("milestones", standard.milestones)
    unique("obligations", standard.obligations)

    rule_ids = {rule.id for rule in standard.rules}
    for index, rule in enumerate(standard.rules):
        where = f"rules[{index}]"
        metric(f"{where}.metric", rule.metric)
        source(where, rule.source.document)
        for flag in rule.applies_to.flags:
            if flag not in catalog.flags:
                problem(f"{where}.applies_to.flags", f"unknown flag '{flag}'{Catalog.suggest(flag, catalog.flags)}")
        for i, cond in enumerate(rule.applies_to.when):
            condition(f"{where}.applies_to.when[{i}]", cond)
        for requirement in forms.walk(rule.requirement):
            for field, metric_id in forms.references(requirement):
                metric(f"{where}.requirement.{field}", metric_id)
        if isinstance(rule.due, AfterEvent):
            if rule.due.after not in catalog.events:
                hint = Catalog.suggest(rule.due.after, catalog.events)
                problem(
                    f"{where}.due.after",
                    f"unknown event '{rule.due.after}'{hint}: declare its date column in [[catalog.events]]",
                )
            if rule.aggregate:
                problem(f"{where}.due", "an aggregate rule cannot count its deadline from each community's event")
        for i, rule_id in enumerate(rule.restates):
            if rule_id not in rule_ids:
                problem(f"{where}.restates[{i}]", f"unknown rule '{rule_id}'{Catalog.suggest(rule_id, rule_ids)}")
    for index, task in enumerate(standard.tasks):
        where = f"tasks[{index}]"
        source(where, task.source.document)
        if isinstance(task.due, AfterEvent) and task.due.after not in catalog.events:
            hint = Catalog.suggest(task.due.after, catalog.events)
            problem(
                f"{where}.due.after",
                f"unknown event '{task.due.after}'{hint}: declare its date column in [[catalog.events]]",
            )
        for role in TASK_ROLES:
            for i, department_id in enumerate(getattr(task, role)):
                department(f"{where}.{role}[{i}]", department_id)
        for rule_id in task.rules:
            if rule_id not in rule_ids:
                problem(f"{where}.rules", f"unknown rule '{rule_id}'{Catalog.suggest(rule_id, rule_ids)}")
    for index, milestone in enumerate(standard.milestones):
        source(f"milestones[{index}]", milestone.source.document)
        for i, department_id in enumerate(milestone.responsible):
            department(f"milestones[{index}].responsible[{i}]", department_id)
    for index, gap in enumerate(standard.gaps):
        if gap.document is not None and gap.document not in {d.id for d in standard.documents}:
            problem(f"gaps[{index}].document", f"unknown document '{gap.document}'")
        for i, name in enumerate(gap.concepts):  # a concept id, or a metric (alone, its own concept)
            if not catalog.has_concept(name):
                names = [*catalog.concepts, *catalog.metric_ids()]
                problem(f"gaps[{index}].concepts[{i}]", f"unknown concept '{name}'{Catalog.suggest(name, names)}")
    for index, obligation in enumerate(standard.obligations):
        where = f"obligations[{index}]"
        source(where, obligation.source.document)
        metric(f"{where}.basis", obligation.basis)
        for i, department_id in enumerate(obligation.payer):
            department(f"{where}.payer[{i}]", department_id)
    return problems


def _only_from_env() -> set[str] | None:
    value = os.environ.get(ONLY_ENV, "").strip()
    return {name.strip() for name in value.split(",") if name.strip()} or None


@cache
def _cached_registry(only: frozenset[str] | None) -> Registry:
    manager = plugin_manager()
    return _gather(manager, load_plugins(manager, set(only) if only is not None else None))


def get_registry() -> Registry:
    """The registry of installed plugins, loaded once per process (honours SHEQU_PLUGINS)."""
    only = _only_from_env()
    return _cached_registry(frozenset(only) if only is not None else None)


def build_registry(plugins: Iterable[tuple[str, object]] = (), include_installed: bool = True) -> Registry:
    """A registry with extra plugin objects registered by hand (tests, notebooks).

    :param plugins: (name, module or object with hook implementations) pairs.
    :param include_installed: also load the installed entry points (honours SHEQU_PLUGINS).
    """
    manager = plugin_manager()
    infos = load_plugins(manager, _only_from_env()) if include_installed else []
    for name, plugin in plugins:
        manager.register(plugin, name=name)
        infos.append(_info(name, plugin, None, None))
    _check_hooks(manager)
    return _gather(manager, infos)
