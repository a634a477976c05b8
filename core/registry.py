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
        """The shipped text of a document of this standard, if the plugin ships it.

        :raises ProblemsError: the text file named is missing, unreadable or not UTF-8.
        """
        document = self.standard.document(document_id)
        if document.text is None or self.path is None:
            return None
        return read_text(self.path.parent / document.text)

    def document_sha256(self, document_id: str | None = None) -> str | None:
        """The SHA-256 (hex) of a document's shipped text file as it is on disk; None where none is shipped or read."""
        document = self.standard.document(document_id)
        if document.text is None or self.path is None:
            return None
        try:
            return hashlib.sha256((self.path.parent / document.text).read_bytes()).hexdigest()
        except OSError:
            return None


@attrs.frozen(kw_only=True)
class PluginInfo:
    """One loaded plugin, for `shequ plugins`."""

    name: str
    module: str
    distribution: str | None
    version: str | None
    location: str | None
    hooks: tuple[str, ...]


@attrs.frozen(kw_only=True)
class BrokenPlugin:
    """A plugin set aside: it failed to import or register, a hook raised, or what it declares has problems.

    ``jurisdictions`` are the ids of the standards it declares, where they could be read.
    """

    name: str
    problems: tuple[Problem, ...]
    jurisdictions: tuple[str, ...] = ()


class BrokenPluginError(ProblemsError, PluginError):
    """One or more plugins could not be loaded: every problem of each, naming the plugin.

    Raised in strict mode (``get_registry(strict=True)``, ``shequ --strict``,
    ``SHEQU_STRICT=1``, :func:`build_registry`) and when a command names a
    set-aside plugin. It is a :class:`ProblemsError` (``.problems``) and a
    :class:`PluginError` (``.plugin``: the first broken plugin; ``.plugins``: all).
    """

    def __init__(self, broken: Iterable[BrokenPlugin]):
        self.broken = list(broken)
        self.plugins = [plugin.name for plugin in self.broken]
        super().__init__([problem for plugin in self.broken for problem in plugin.problems])
        self.plugin = self.plugins[0] if self.plugins else None

    def report(self) -> str:
        plugins = getattr(self, "plugins", [])
        names = ", ".join(f"'{name}'" for name in plugins)
        return f"plugin{'s' if len(plugins) != 1 else ''} {names} could not be loaded; {super().report()}"


@attrs.define
class Registry:
    """Every loaded plugin, the merged catalog, and the validated standards by id.

    ``broken`` holds the plugins set aside (by plugin name, with their problems):
    the registry of installed plugins loads without them, so one broken plugin
    does not stop the others (see :func:`get_registry`).
    """

    plugins: list[PluginInfo]
    catalog: Catalog
    standards: dict[str, LoadedStandard]
    broken: dict[str, BrokenPlugin] = attrs.field(factory=dict)

    def broken_for(self, jurisdiction_id: str) -> BrokenPlugin | None:
        """The set-aside plugin named ``jurisdiction_id`` or declaring it, if any."""
        if jurisdiction_id in self.broken:
            return self.broken[jurisdiction_id]
        return next((b for b in self.broken.values() if jurisdiction_id in b.jurisdictions), None)

    def get(self, jurisdiction_id: str) -> LoadedStandard:
        """The standard of one jurisdiction.

        :raises BrokenPluginError: its plugin was set aside (with the reasons).
        :raises ShequError: no installed plugin declares it.
        """
        try:
            return self.standards[jurisdiction_id]
        except KeyError:
            broken = self.broken_for(jurisdiction_id)
            if broken is not None:
                raise BrokenPluginError([broken]) from None
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


def load_plugins(
    manager: pluggy.PluginManager, only: set[str] | None = None, broken: dict[str, BrokenPlugin] | None = None
) -> list[PluginInfo]:
    """Register every ``shequ`` entry point with ``manager``; check hook names.

    :param broken: where to record a plugin that fails to import or implements a hook shequ
        has no spec for (it is then left out); without it, the first such plugin raises
        :class:`BrokenPluginError`.
    """
    infos = []
    seen: dict[str, str] = {}
    failed: dict[str, BrokenPlugin] = {} if broken is None else broken
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
        except Exception as exc:  # a broken plugin must not hide, nor stop, the others
            failed[entry_point.name] = _broken(
                entry_point.name, f"failed to import ({entry_point.value}): {_exception(exc)}"
            )
            continue
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
    _check_hooks(manager, failed)
    if broken is None and failed:
        raise BrokenPluginError(failed.values())
    return [info for info in infos if info.name not in failed]


def _exception(exc: BaseException) -> str:
    """An exception as one line for a message: its type and text."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _broken(name: str, message: str, where: str | None = None) -> BrokenPlugin:
    return BrokenPlugin(
        name=name, problems=(Problem(file=plugin_origin(name), where=where, message=message, plugin=name),)
    )


def _check_hooks(manager: pluggy.PluginManager, broken: dict[str, BrokenPlugin]) -> None:
    """Set aside (unregister) each plugin that implements a hook shequ has no spec for (a misspelt hook name)."""
    while True:
        try:
            manager.check_pending()
            return
        except pluggy.PluginValidationError as exc:
            name = manager.get_name(exc.plugin) or str(exc.plugin)
            manager.unregister(exc.plugin)
            broken[name] = _broken(name, f"implements a hook shequ does not know: {exc}")


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
    """Parse a TOML file, turning a syntax error, bytes that are not UTF-8 or a missing file into a problem."""
    try:
        text = read_text(path)
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProblemsError([Problem(file=str(path), where=None, message=f"not valid TOML: {exc}")]) from None
    except RecursionError:
        raise ProblemsError(
            [
                Problem(
                    file=str(path),
                    where=None,
                    message="not valid TOML: tables or arrays nested too deeply to read "
                    "(shequ accepts at most 100 levels)",
                )
            ]
        ) from None


def read_text(path: Path) -> str:
    """A file's text as UTF-8; a file that is missing, unreadable or not UTF-8 is a problem naming it.

    A byte that is not UTF-8 is named with its line and byte offset (and a hint when the
    file reads as GB18030/GBK, the usual encoding of Chinese files saved on Windows).
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ProblemsError([Problem(file=str(path), where=None, message=f"cannot read: {exc.strerror}")]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = ""
        try:
            data.decode("gb18030")
            hint = " (it reads as GB18030/GBK)"
        except UnicodeDecodeError:
            pass
        raise ProblemsError(
            [
                Problem(
                    file=str(path),
                    where=f"line {line}, byte {column}",
                    message=f"not UTF-8 text: byte 0x{data[exc.start]:02x} at offset {exc.start} cannot be decoded"
                    f"{hint}; save the file as UTF-8",
                )
            ]
        ) from None


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


@attrs.define
class _Declared:
    """What one plugin's hooks returned, read once: catalog additions, metrics, standards, and its problems."""

    catalogs: list[tuple[CatalogAdditions, str]] = attrs.field(factory=list)  # (additions, origin)
    metrics: list[Any] = attrs.field(factory=list)
    standards: list[LoadedStandard] = attrs.field(factory=list)
    broken_files: list[tuple[Path, list[Problem]]] = attrs.field(factory=list)  # files with schema problems
    problems: list[Problem] = attrs.field(factory=list)


def _declared(manager: pluggy.PluginManager) -> dict[str, _Declared]:
    """Call every hook of every plugin once; a hook that raises or returns the wrong kind of thing is a problem."""
    declared: dict[str, _Declared] = {}

    def of(name: str) -> _Declared:
        return declared.setdefault(name, _Declared())

    def hook_items(hook: str) -> Iterable[tuple[str, Any]]:
        for impl in getattr(manager.hook, hook).get_hookimpls():
            name = impl.plugin_name
            try:
                items = _returned(impl)
            except Exception as exc:  # a plugin's bug: set the plugin aside, not the tool
                of(name).problems.append(
                    Problem(file=plugin_origin(name), where=hook, message=f"raised {_exception(exc)}", plugin=name)
                )
                continue
            for item in items:
                yield name, item

    def wrong(name: str, hook: str, item: Any, expected: str) -> None:
        of(name).problems.append(
            Problem(
                file=plugin_origin(name),
                where=hook,
                message=f"returned {type(item).__name__} {item!r:.80}; expected {expected}",
                plugin=name,
            )
        )

    for name, item in hook_items("register_catalog"):
        if isinstance(item, CatalogAdditions):
            of(name).catalogs.append((item, plugin_origin(name)))
        elif isinstance(item, (str, os.PathLike)):
            path = Path(item)
            try:
                additions = structure(read_toml(path), CatalogAdditions, display_path(path))
            except ProblemsError as exc:
                of(name).problems += [attrs.evolve(p, plugin=name) for p in exc.problems]
                continue
            of(name).catalogs.append((additions, display_path(path)))
        else:
            wrong(name, "register_catalog", item, "CatalogAdditions or the path of a catalog TOML file")
    for name, item in hook_items("register_metrics"):
        if not callable(getattr(item, "compute", None)) or not hasattr(item, "id"):
            of(name).problems.append(
                Problem(
                    file=plugin_origin(name),
                    where=f"register_metrics: {getattr(item, 'id', repr(item))}",
                    message="a Python metric needs a callable 'compute'",
                    plugin=name,
                )
            )
            continue
        of(name).metrics.append(item)
    for name, item in hook_items("register_jurisdictions"):
        if isinstance(item, Standard):
            of(name).standards.append(LoadedStandard(standard=item, plugin=name))
            continue
        if not isinstance(item, (str, os.PathLike)):
            wrong(name, "register_jurisdictions", item, "a Standard or the path of a standard TOML file")
            continue
        try:
            loaded = load_standard_file(Path(item), name)
        except ProblemsError as exc:
            of(name).problems += [attrs.evolve(p, plugin=name) for p in exc.problems]
            of(name).broken_files.append((Path(item), exc.problems))
            continue
        of(name).standards.append(loaded)
        of(name).problems += check_quotes(loaded)
    return declared


def _jurisdiction_ids(declared: _Declared) -> tuple[str, ...]:
    ids = [loaded.id for loaded in declared.standards]
    for path, _problems in declared.broken_files:
        try:
            ids.append(str(read_toml(path)["jurisdiction"]["id"]))
        except (ProblemsError, KeyError, TypeError):
            continue
    return tuple(dict.fromkeys(ids))


def _build(declared: dict[str, _Declared], skip: set[str]) -> tuple[Catalog, dict[str, LoadedStandard], list[Problem]]:
    """The catalog and standards of the plugins not skipped, with every problem (each naming its plugin)."""
    problems: list[Problem] = []
    catalog = Catalog.core()
    plugin_of: dict[str, str] = {}  # origin in messages -> plugin, for problems found once all is in

    def owned(found: list[Problem], plugin: str) -> list[Problem]:
        return [p if p.plugin else attrs.evolve(p, plugin=plugin) for p in found]

    live = {name: d for name, d in declared.items() if name not in skip}
    for name, d in live.items():
        problems += d.problems
        for additions, origin in d.catalogs:
            plugin_of[origin] = name
            problems += owned(catalog.add(additions, origin=origin, plugin=name), name)
    for name, d in live.items():
        for metric in d.metrics:
            origin = plugin_origin(name)
            plugin_of[origin] = name
            problems += owned(catalog.add(CatalogAdditions(metrics=(metric,)), origin=origin, plugin=name), name)

    standards: dict[str, LoadedStandard] = {}
    for name, d in live.items():
        for loaded in d.standards:
            if loaded.id in standards:
                other = standards[loaded.id]
                problems.append(
                    Problem(
                        file=plugin_origin(name),
                        where="jurisdiction.id",
                        message=f"jurisdiction id '{loaded.id}' is already declared by plugin '{other.plugin}'",
                        plugin=name,
                    )
                )
                continue
            plugin_of[loaded.origin] = name
            problems += owned(catalog.add(loaded.standard.catalog, origin=loaded.origin, plugin=loaded.plugin), name)
            standards[loaded.id] = loaded

    problems += [
        attrs.evolve(p, plugin=plugin_of[p.file]) if p.plugin is None and p.file in plugin_of else p
        for p in catalog.check_concepts()
    ]
    problems += catalog.check_formulas()
    for loaded in standards.values():
        problems += check_references(loaded, catalog)
    for name, d in live.items():
        for path, schema_problems in d.broken_files:
            problems += owned(_rest_of_file(path, schema_problems, name, catalog), name)
    return catalog, standards, problems


def _gather(
    manager: pluggy.PluginManager,
    infos: list[PluginInfo],
    broken: dict[str, BrokenPlugin] | None = None,
    strict: bool = True,
) -> Registry:
    """The registry of the plugins registered with ``manager``.

    Strict: every problem of every plugin raises at once. Otherwise a plugin with
    problems is set aside (recorded in ``Registry.broken``) and the rest is built
    again without it, until what is left loads cleanly; a problem that names no
    plugin still raises.
    """
    broken = dict(broken or {})
    declared = _declared(manager)
    while True:
        catalog, standards, problems = _build(declared, set(broken))
        if not problems:
            break
        found = {name: b for name, b in _by_plugin(problems, declared).items() if name not in broken}
        if not found or any(p.plugin is None for p in problems):  # no plugin's fault: nothing to set aside
            raise ProblemsError([p for b in broken.values() for p in b.problems] + problems)
        broken.update(found)
        if strict:  # every problem of the first pass: what later passes find follows from setting these aside
            break
    if strict and broken:
        raise BrokenPluginError(broken.values())
    return Registry(
        plugins=[info for info in infos if info.name not in broken], catalog=catalog, standards=standards, broken=broken
    )


def _by_plugin(problems: list[Problem], declared: dict[str, _Declared]) -> dict[str, BrokenPlugin]:
    grouped: dict[str, list[Problem]] = {}
    for problem in problems:
        grouped.setdefault(problem.plugin or "?", []).append(problem)
    return {
        name: BrokenPlugin(
            name=name,
            problems=tuple(found),
            jurisdictions=_jurisdiction_ids(declared[name]) if name in declared else (),
        )
        for name, found in grouped.items()
    }


_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """The text without white space, for whitespace-insensitive matching of quotes."""
    return _SPACE.sub("", text)


def quoted_items(standard: Standard) -> Iterable[tuple[str, str | None, str | tuple[str, ...]]]:
    """(TOML path, document id, quote) of every quote a standard holds; a quote may be verbatim fragments."""
    for section in ("rules", "tasks", "milestones", "obligations"):
        for index, item in enumerate(getattr(standard, section)):
            yield f"{section}[{index}].source.quote", item.source.document, item.source.quote
    for index, item in enumerate(standard.unencoded):
        yield f"unencoded[{index}].quote", item.document, item.quote


def document_texts(loaded: LoadedStandard) -> tuple[dict[str, str | None], list[Problem]]:
    """Each document's shipped text (None where none is shipped), and a problem for each text file that is
    missing, unreadable or not UTF-8 (its text is then None too)."""
    texts: dict[str, str | None] = {}
    problems: list[Problem] = []
    for index, document in enumerate(loaded.standard.documents):
        try:
            texts[document.id] = loaded.document_text(document.id)
        except ProblemsError as exc:
            texts[document.id] = None
            problems += [
                Problem(
                    file=loaded.origin,
                    where=f"documents[{index}].text",
                    message=f"the text of document '{document.id}' cannot be used: {p}",
                    plugin=loaded.plugin,
                )
                for p in exc.problems
            ]
    return texts, problems


def check_quotes(loaded: LoadedStandard, texts: dict[str, str | None] | None = None) -> list[Problem]:
    """Every quote not found (white space aside) in the shipped text of the document it cites.

    Loading runs this for every standard a plugin ships as TOML (one pass over each text), so an
    installed plugin whose quotes are not in its documents is a broken plugin; documents that ship
    no text are not checked here (``shequ validate`` reports them).
    """
    problems: list[Problem] = []
    if texts is None:
        texts, problems = document_texts(loaded)
    normalised = {key: normalise(text) for key, text in texts.items() if text is not None}
    first = loaded.standard.documents[0].id if loaded.standard.documents else None
    for where, document_id, quote in quoted_items(loaded.standard):
        document_id = document_id or first
        text = normalised.get(document_id or "")
        if text is None:
            continue
        if not isinstance(quote, str):  # verbatim fragments, each in the text, in order
            problems += [
                Problem(file=loaded.origin, where=f"{where}[{index}]", message=message, plugin=loaded.plugin)
                for index, message in fragment_problems(text, quote, document_id or "")
            ]
        elif normalise(quote) not in text:
            problems.append(
                Problem(
                    file=loaded.origin,
                    where=where,
                    message=f"quote not found in the text of document '{document_id}': «{quote}»",
                    plugin=loaded.plugin,
                )
            )
    return problems


def text_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every place (in the normalised text) where a quote stands."""
    needle = normalise(quote)
    found = []
    start = text.find(needle) if needle else -1
    while start != -1:
        found.append((start, start + len(needle)))
        start = text.find(needle, start + 1)
    return found


def fragment_problems(text: str, fragments: tuple[str, ...], document_id: str) -> list[tuple[int, str]]:
    """(index, message) of each fragment of a quote not in the (normalised) text, or not after the one before it."""
    problems = []
    for index, fragment in enumerate(fragments):
        if normalise(fragment) not in text:
            problems.append((index, f"quote fragment not found in the text of document '{document_id}': «{fragment}»"))
    if not problems and not fragment_spans(text, fragments):
        problems.append(
            (
                0,
                f"the quote's fragments stand in the text of document '{document_id}' but not in the order "
                f"given: «{'…'.join(fragments)}»; list them as the document reads",
            )
        )
    return problems


def fragment_spans(text: str, fragments: tuple[str, ...]) -> list[tuple[int, int]]:
    """The places of the fragments, each after the one before, for every place the first one stands.

    A fragment may follow its predecessor anywhere later in the text (the words between are left
    out); each place of the first fragment starts one chain, kept only when every fragment follows.
    Of the complete chains, the shortest stands for the quote: a short first fragment ("到2020年")
    that the text also has elsewhere does not make the quote stand in two places.
    """
    needles = [normalise(fragment) for fragment in fragments]
    chains: list[list[tuple[int, int]]] = []
    for start, end in text_spans(text, needles[0]):
        chain = [(start, end)]
        for needle in needles[1:]:
            at = text.find(needle, chain[-1][1])
            if at == -1:
                break
            chain.append((at, at + len(needle)))
        else:
            chains.append(chain)
    if not chains:
        return []
    shortest = min(chain[-1][1] - chain[0][0] for chain in chains)
    return [span for chain in chains if chain[-1][1] - chain[0][0] == shortest for span in chain]


def _rest_of_file(path: Path, schema_problems: list[Problem], plugin: str, catalog: Catalog) -> list[Problem]:
    """The reference problems of the items of a file that did match the schema, so all are listed at once."""
    partial = set_aside(path, schema_problems)
    duplicates = [
        attrs.evolve(p, plugin=plugin) for p in set_aside_duplicates(path, schema_problems, partial is not None)
    ]
    if partial is None:
        return duplicates
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
    return duplicates + [original(p) for p in check_references(attrs.evolve(loaded, plugin=plugin), catalog)]


def set_aside_duplicates(file: Path, schema_problems: list[Problem], partial: bool = True) -> list[Problem]:
    """Duplicate ids that setting items aside would hide, read from the file's raw data.

    With ``partial`` (the rest of the file is checked, see :func:`set_aside`), only duplicates that
    involve an item set aside: the rest are found by :func:`check_references`. Without, every
    duplicate id of the file's rules, tasks, milestones and obligations.
    """
    broken: dict[str, set[int]] = {}
    for problem in schema_problems:
        match = _ITEM.match(problem.where or "")
        if match is not None:
            broken.setdefault(match[1], set()).add(int(match[2]))
    try:
        data = read_toml(file)
    except ProblemsError:
        return []
    problems = []
    for section in ("rules", "tasks", "milestones", "obligations"):
        items = data.get(section)
        if not isinstance(items, list):
            continue
        kept_before: dict[str, bool] = {}  # id -> whether an earlier item with it was kept
        for index, item in enumerate(items):
            item_id = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item_id, str):
                continue
            aside = index in broken.get(section, ())
            if item_id in kept_before and (not partial or aside or not kept_before[item_id]):
                problems.append(
                    Problem(
                        file=display_path(file), where=f"{section}[{index}].id", message=f"duplicate id '{item_id}'"
                    )
                )
            kept_before[item_id] = kept_before.get(item_id, False) or not aside
    return problems


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


STRICT_ENV = "SHEQU_STRICT"


def strict_from_env() -> bool:
    """Whether ``SHEQU_STRICT`` asks for strict loading (1, true, yes, on, t or y: as ``shequ --strict`` reads it)."""
    return os.environ.get(STRICT_ENV, "").strip().lower() in {"1", "true", "yes", "on", "t", "y"}


@cache
def _cached_registry(only: frozenset[str] | None) -> Registry:
    manager = plugin_manager()
    broken: dict[str, BrokenPlugin] = {}
    infos = load_plugins(manager, set(only) if only is not None else None, broken)
    return _gather(manager, infos, broken, strict=False)


def get_registry(strict: bool | None = None) -> Registry:
    """The registry of installed plugins, loaded once per process (honours SHEQU_PLUGINS).

    A plugin that fails to import, whose hook raises, or whose standards have problems
    (schema, references, quotes not in its document) is set aside: the registry holds
    every other plugin, and ``Registry.broken`` holds the plugins set aside with their
    problems (``shequ`` prints them once on stderr).

    :param strict: raise :class:`BrokenPluginError` when any plugin is set aside;
        default: ``SHEQU_STRICT`` (1/true/yes/on/t/y).
    """
    only = _only_from_env()
    registry = _cached_registry(frozenset(only) if only is not None else None)
    if (strict_from_env() if strict is None else strict) and registry.broken:
        raise BrokenPluginError(registry.broken.values())
    return registry


def build_registry(
    plugins: Iterable[tuple[str, object]] = (), include_installed: bool = True, strict: bool = True
) -> Registry:
    """A registry with extra plugin objects registered by hand (tests, notebooks).

    :param plugins: (name, module or object with hook implementations) pairs.
    :param include_installed: also load the installed entry points (honours SHEQU_PLUGINS).
    :param strict: raise :class:`BrokenPluginError` with every problem when any plugin has one
        (the default: you are registering these plugins yourself); False sets such plugins
        aside in ``Registry.broken``, as :func:`get_registry` does.
    """
    manager = plugin_manager()
    broken: dict[str, BrokenPlugin] = {}
    infos = load_plugins(manager, _only_from_env(), broken) if include_installed else []
    for name, plugin in plugins:
        manager.register(plugin, name=name)
        infos.append(_info(name, plugin, None, None))
    _check_hooks(manager, broken)
    return _gather(manager, [info for info in infos if info.name not in broken], broken, strict=strict)
