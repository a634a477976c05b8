"""`shequ validate`: check a plugin's standard TOML without installing it.

Runs every check shequ knows, and returns every problem at once: the schema,
unknown metric / department / kind ids (with "did you mean"), quotes not found
in the shipped document text, requirement numbers not in their quote, numbers
of the document nobody accounted for, and overlapping rules on one metric.

A rule, task, milestone, obligation or ``unencoded`` entry that does not match
the schema is reported and set aside, and the rest of the file is still
checked, so one run lists the typo together with every other problem.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..catalog import Catalog
from ..convert import old_spellings, structure
from ..errors import Problem, ProblemsError
from ..model import CatalogAdditions, MetricDef, Standard
from ..registry import (
    LoadedStandard,
    check_references,
    display_path,
    load_standard_file,
    read_text,
    read_toml,
    set_aside,
    set_aside_duplicates,
)
from .audit import audit


def standard_files(path: Path) -> list[Path]:
    """The standard TOML files at ``path``: the file itself, or those in a plugin folder."""
    if path.is_file():
        return [path]
    if not path.exists():
        raise ProblemsError([Problem(file=str(path), where=None, message="no such file or folder")])
    candidates = sorted(p for p in path.rglob("*.toml") if p.name != "pyproject.toml")
    files = [p for p in candidates if _looks_like_standard(p)]
    if not files:
        unreadable: list[Problem] = []
        for candidate in candidates:  # a standard saved as GBK does not look like one: say why
            try:
                read_text(candidate)
            except ProblemsError as exc:
                unreadable += exc.problems
        if unreadable:
            raise ProblemsError(unreadable)
        raise ProblemsError(
            [
                Problem(
                    file=str(path),
                    where=None,
                    message="no standard TOML (a file with a [jurisdiction] table) found here",
                )
            ]
        )
    return files


def _looks_like_standard(path: Path) -> bool:
    try:
        return "[jurisdiction]" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False


def _catalog_without(jurisdiction_id: str | None, file: Path | None = None) -> Catalog:
    """The catalog the standard at ``file`` is checked against: everything installed but its own TOML's additions.

    Core's catalog, every installed plugin's ``register_catalog`` and
    ``register_metrics`` additions (the standard's own plugin's included: its
    Python metrics are part of what it may use) and the ``[catalog]`` of every
    other installed standard. Built from the hooks directly, so a plugin that
    does not load as a whole (the one being edited, say) still lends its
    metrics. With the standard's own TOML added, this is the catalog
    :func:`shequ.registry.get_registry` builds, so validation and the
    conformance kit see the same metrics.
    """
    from ..registry import _only_from_env, load_plugins, plugin_manager, plugin_origin

    catalog = Catalog.core()
    try:
        manager = plugin_manager()
        load_plugins(manager, _only_from_env())
    except Exception:  # a broken neighbour must not block validating this file
        return catalog
    for impl in manager.hook.register_catalog.get_hookimpls():
        for item in _called(impl):
            try:
                additions = (
                    item
                    if isinstance(item, CatalogAdditions)
                    else structure(read_toml(Path(item)), CatalogAdditions, display_path(Path(item)))
                )
            except (ProblemsError, TypeError, OSError):
                continue
            catalog.add(additions, origin=plugin_origin(impl.plugin_name), plugin=impl.plugin_name)
    for impl in manager.hook.register_metrics.get_hookimpls():
        for metric in _called(impl):
            if isinstance(metric, MetricDef):
                catalog.add(
                    CatalogAdditions(metrics=(metric,)), origin=plugin_origin(impl.plugin_name), plugin=impl.plugin_name
                )
    for impl in manager.hook.register_jurisdictions.get_hookimpls():
        for item in _called(impl):
            if isinstance(item, Standard):
                other = LoadedStandard(standard=item, plugin=impl.plugin_name)
            else:
                if file is not None and _same_file(Path(item), file):
                    continue
                try:
                    other = load_standard_file(Path(item), impl.plugin_name)
                except (ProblemsError, TypeError, OSError):
                    continue
            if other.id != jurisdiction_id:
                catalog.add(other.standard.catalog, origin=other.origin, plugin=other.plugin)
    return catalog


def _called(impl: Any) -> list[Any]:
    """What one plugin's hook returns; nothing when it raises (``shequ plugins`` reports that)."""
    try:
        return list(impl.function() or [])
    except Exception:
        return []


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def overlap_problems(loaded: LoadedStandard) -> list[Problem]:
    """Rules on the same metric for the same communities with no date or condition to tell them apart."""
    standard: Standard = loaded.standard
    origin = loaded.origin
    problems = []
    seen: dict[tuple, int] = {}
    for index, rule in enumerate(standard.rules):
        document = standard.document(rule.source.document)
        # versions of one law are told apart by when each is in force
        in_force = (document.in_force_from, document.superseded_on)
        key = (rule.metric, rule.applies_to, rule.due, in_force, _shape(rule.requirement))
        if key in seen and not _linked(rule, standard.rules[seen[key]]):
            other = standard.rules[seen[key]]
            problems.append(
                Problem(
                    file=origin,
                    where=f"rules[{index}]",
                    message=f"rule '{rule.id}' ({rule.source.clause}) overlaps "
                    f"rule '{other.id}' ({other.source.clause}): "
                    f"same metric '{rule.metric}', communities, due date and form; merge them or tell them apart",
                )
            )
        else:
            seen[key] = index
    return problems


def sha256_problems(loaded: LoadedStandard) -> list[Problem]:
    """Every document whose declared ``sha256`` differs from its shipped text's, or that declares one with no text."""
    problems = []
    for index, document in enumerate(loaded.standard.documents):
        if document.sha256 is None:
            continue
        actual = loaded.document_sha256(document.id)
        if actual is None:
            message = f"document '{document.id}' declares a sha256 but ships no text to check it against"
        elif actual != document.sha256:
            message = (
                f"the shipped text '{document.text}' of document '{document.id}' has SHA-256 {actual}, "
                f"not the declared {document.sha256}: the text changed, or the hash is wrong"
            )
        else:
            continue
        problems.append(Problem(file=loaded.origin, where=f"documents[{index}].sha256", message=message))
    return problems


def _linked(rule, other) -> bool:
    """Rules that say they restate one another are explained, not overlapping."""
    return other.id in rule.restates or rule.id in other.restates


def _shape(requirement) -> str:
    """A requirement with its numbers blanked: two rules of one shape say the same kind of thing."""
    import json

    from ..convert import unstructure

    def blank(value):
        if isinstance(value, dict):
            return {k: blank(v) for k, v in value.items()}
        if isinstance(value, list):
            return [blank(v) for v in value]
        return "#" if isinstance(value, (int, float)) and not isinstance(value, bool) else value

    return json.dumps(blank(unstructure(requirement)), sort_keys=True, ensure_ascii=False)


def _unchanged(problem: Problem) -> Problem:
    return problem


def validate_path(path: Path) -> list[Problem]:
    """Every problem of the standard(s) at ``path``; an empty list means valid."""
    problems: list[Problem] = []
    for file in standard_files(path):
        original: Callable[[Problem], Problem] = _unchanged
        try:
            loaded = load_standard_file(file, plugin=file.parent.name)
        except ProblemsError as exc:
            problems += exc.problems
            partial = set_aside(file, exc.problems)
            problems += set_aside_duplicates(file, exc.problems, partial is not None)
            if partial is None:
                continue
            loaded, original = partial
        catalog = _catalog_without(loaded.id, file)
        found = catalog.add(loaded.standard.catalog, origin=display_path(file), plugin=loaded.id)
        own = {f"catalog.metrics.{metric.id}" for metric in loaded.standard.catalog.metrics}
        found += [p for p in catalog.check_formulas() if p.where in own]
        found += check_references(loaded, catalog)
        found += overlap_problems(loaded)
        found += sha256_problems(loaded)
        found += audit(loaded)
        problems += [original(problem) for problem in found]
    return problems


def spelling_notes(path: Path) -> list[Problem]:
    """Older spellings the standard(s) at ``path`` use (still read the same), each with the spelling to write now."""
    notes = []
    for file in standard_files(path):
        try:
            data = read_toml(file)
        except ProblemsError:
            continue  # validate_path reports it
        notes += [Problem(file=display_path(file), where=where, message=note) for where, note in old_spellings(data)]
    return notes


def main(argv: list[str] | None = None) -> int:
    """`python -m shequ.checks.validate PATH…`: print every problem; exit 2 when there are any."""
    import sys

    problems: list[Problem] = []
    for arg in argv if argv is not None else sys.argv[1:]:
        try:
            problems += validate_path(Path(arg))
            for note in spelling_notes(Path(arg)):
                print(f"note: {note}", file=sys.stderr)
        except ProblemsError as exc:
            problems += exc.problems
    if problems:
        print(ProblemsError(problems).report(), file=sys.stderr)
        return 2
    print("valid")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
