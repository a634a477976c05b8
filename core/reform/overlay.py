"""What-if changes ("reforms") to installed standards, validated like a plugin.

A researcher asks "what if Donghai's floor were 400 m²?" with::

    shequ --set donghai.service_space_per_100_households.requirement.floor=400 compare DATA

or with an overlay TOML file (``--overlay FILE.toml``; the format is documented
in ``docs/views.md``). :func:`apply_reforms` returns a **new** registry: the
standards it changes are unstructured to plain data, modified, and structured
again with :func:`shequ.convert.structure`, so every change is checked exactly
as a plugin's TOML is (types, forms, invariants), and then
:func:`shequ.registry.check_references` checks the ids it names. The registry
given (normally :func:`shequ.registry.get_registry`) is never modified.

Every problem of every ``--set`` and overlay is reported at once, each naming
the argument or file it comes from and the place in the standard.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

from ..convert import structure, unstructure
from ..errors import Problem, ProblemsError
from ..model import Standard
from ..registry import Registry, check_references, display_path, read_toml
from ..suggest import did_you_mean

#: Sections of a standard whose items (by id) a reform may change, add or remove.
SECTIONS = ("rules", "tasks", "milestones", "obligations")
_OVERLAY_KEYS = (*SECTIONS, *(f"add_{s}" for s in SECTIONS), *(f"remove_{s}" for s in SECTIONS))
_WHERE = re.compile(r"^(rules|tasks|milestones|obligations)\[(\d+)\](.*)$")


class _Bad(Exception):
    """One problem of one reform, before it is given its label."""

    def __init__(self, message: str, where: str | None = None):
        super().__init__(message)
        self.message = message
        self.where = where


@attrs.frozen
class _Change:
    """Where one reform touched a standard's plain data (for naming it in errors)."""

    label: str
    jurisdiction: str
    path: str  # in the converter's notation: rules[1].requirement.floor


def parse_value(text: str) -> Any:
    """A ``--set`` value read as a TOML value: 400, 0.3, 2019-12-31, "text", [1, 2], {form = "min", value = 2}.

    A bare word that is not TOML (``target``) is taken as text, so
    ``--set changchun.community_size.strength=target`` needs no shell quoting;
    the converter still checks its type where it lands.
    """
    text = text.strip()
    if not text:
        raise _Bad("no value after '='")
    try:
        return tomllib.loads(f"value = {text}")["value"]
    except RecursionError:
        raise _Bad("the value is nested too deeply to read (at most 100 levels)") from None
    except tomllib.TOMLDecodeError:
        if re.fullmatch(r"[\w\-.:/\u0080-\uffff]+", text):
            return text
        raise _Bad(f"cannot read {text!r} as a TOML value (quote text: '\"...\"')") from None


def _path_text(path: Sequence[str | int]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _split_field(field: str) -> list[str | int]:
    """``requirement.options[1].value`` or ``requirement.options.1.value`` → parts."""
    parts: list[str | int] = []
    for piece in re.sub(r"\[(\d+)\]", r".\1", field).split("."):
        if piece == "":
            raise _Bad(f"empty name in field path '{field}'")
        parts.append(int(piece) if piece.isdigit() else piece)
    return parts


class _Plain:
    """The plain data of the standards being changed, unstructured on first touch."""

    def __init__(self, registry: Registry):
        self.registry = registry
        self.data: dict[str, dict[str, Any]] = {}
        self.changes: list[_Change] = []

    def standard(self, jurisdiction: str) -> dict[str, Any]:
        broken = self.registry.broken_for(jurisdiction) if jurisdiction not in self.registry.standards else None
        if broken is not None:
            reasons = "; ".join(str(problem) for problem in broken.problems[:3])
            raise _Bad(f"plugin '{broken.name}' could not be loaded, so it cannot be changed: {reasons}")
        if jurisdiction not in self.registry.standards:
            known = ", ".join(sorted(self.registry.standards)) or "none"
            raise _Bad(
                f"unknown jurisdiction '{jurisdiction}'"
                f"{did_you_mean(jurisdiction, list(self.registry.standards))}; installed: {known}"
            )
        if jurisdiction not in self.data:
            self.data[jurisdiction] = unstructure(self.registry.standards[jurisdiction].standard)
        return self.data[jurisdiction]

    def item_index(self, jurisdiction: str, section: str, item_id: str) -> int:
        items = self.standard(jurisdiction)[section]
        for index, item in enumerate(items):
            if item.get("id") == item_id:
                return index
        ids = [item.get("id") for item in items]
        singular = section[:-1]
        raise _Bad(
            f"{jurisdiction} has no {singular} '{item_id}'{did_you_mean(item_id, ids)}",
            where=f"{jurisdiction}.{section}",
        )

    def record(self, label: str, jurisdiction: str, path: Sequence[str | int]) -> None:
        self.changes.append(_Change(label, jurisdiction, _path_text(path)))


def _set_in(container: Any, parts: Sequence[str | int], value: Any, where: str) -> None:
    """Set ``value`` at ``parts`` inside plain data; every step must exist."""
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        here = ".".join([where, *(str(p) for p in parts[:depth])])
        if isinstance(container, dict):
            if isinstance(part, int) or part not in container:
                name = str(part)
                fields = sorted(k for k in container if k != "id")
                raise _Bad(
                    f"unknown field '{name}'{did_you_mean(name, fields)}; fields here: {', '.join(fields)}",
                    where=here,
                )
            if last:
                container[part] = value
            else:
                container = container[part]
        elif isinstance(container, list):
            if not isinstance(part, int) or not 0 <= part < len(container):
                raise _Bad(f"expected an index 0..{len(container) - 1} into a list, got '{part}'", where=here)
            if last:
                container[part] = value
            else:
                container = container[part]
        else:
            raise _Bad(f"'{parts[depth - 1]}' is a value ({container!r}), not a table", where=here)


def _apply_assignment(plain: _Plain, assignment: str) -> None:
    target, eq, value_text = assignment.partition("=")
    if not eq:
        raise _Bad("expected ID.RULE.FIELD=VALUE (e.g. donghai.service_space_per_100_households.requirement.floor=400)")
    value = parse_value(value_text)
    names = target.strip().split(".")
    if len(names) < 2 or not all(names[:2]):
        raise _Bad("expected ID.RULE.FIELD=VALUE or ID.tasks|milestones|obligations.ITEM.FIELD=VALUE")
    jurisdiction = names[0]
    plain.standard(jurisdiction)
    if names[1] in SECTIONS:
        if len(names) < 3 or not names[2]:
            raise _Bad(f"expected {jurisdiction}.{names[1]}.ITEM.FIELD=VALUE")
        section, item_id, rest = names[1], names[2], names[3:]
    else:
        section, item_id, rest = "rules", names[1], names[2:]
    index = plain.item_index(jurisdiction, section, item_id)
    item = plain.standard(jurisdiction)[section][index]
    where = f"{jurisdiction}.{section}.{item_id}"
    if not rest:
        if not isinstance(value, dict):
            raise _Bad("replacing a whole item needs a table value ({...})", where=where)
        plain.standard(jurisdiction)[section][index] = value
        plain.record(_label(assignment), jurisdiction, (section, index))
        return
    parts = _split_field(".".join(rest))
    _set_in(item, parts, value, where)
    plain.record(_label(assignment), jurisdiction, (section, index, *parts))


def _merge(
    plain: _Plain,
    label: str,
    jurisdiction: str,
    target: dict[str, Any],
    patch: dict[str, Any],
    path: list[str | int],
    where: str,
) -> None:
    """Deep-merge ``patch`` into ``target``; a table whose ``form`` changes replaces the requirement whole."""
    for key, value in patch.items():
        here = f"{where}.{key}"
        if key not in target:
            fields = sorted(k for k in target if k != "id")
            raise _Bad(
                f"unknown field '{key}'{did_you_mean(key, fields)}; fields here: {', '.join(fields)}", where=where
            )
        current = target[key]
        if (
            isinstance(value, dict)
            and isinstance(current, dict)
            and value.get("form", current.get("form")) == current.get("form")
        ):
            _merge(plain, label, jurisdiction, current, value, [*path, key], here)
        else:
            target[key] = value
            plain.record(label, jurisdiction, [*path, key])


def _apply_overlay_table(plain: _Plain, label: str, jurisdiction: str, table: Any) -> list[Problem]:
    problems: list[Problem] = []

    def bad(exc: _Bad) -> None:
        problems.append(Problem(file=label, where=exc.where, message=exc.message))

    if not isinstance(table, dict):
        return [Problem(file=label, where=jurisdiction, message="expected a table of changes")]
    try:
        standard = plain.standard(jurisdiction)
    except _Bad as exc:
        return [Problem(file=label, where=jurisdiction, message=exc.message)]
    for key in table:
        if key not in _OVERLAY_KEYS:
            problems.append(
                Problem(
                    file=label,
                    where=f"{jurisdiction}.{key}",
                    message=(
                        f"unknown key '{key}'{did_you_mean(key, _OVERLAY_KEYS)}; allowed: {', '.join(_OVERLAY_KEYS)}"
                    ),
                )
            )
    for section in SECTIONS:  # removals first, then changes, then additions
        removals = table.get(f"remove_{section}", [])
        if not isinstance(removals, list) or not all(isinstance(r, str) for r in removals):
            problems.append(
                Problem(file=label, where=f"{jurisdiction}.remove_{section}", message="expected a list of ids")
            )
            continue
        for item_id in removals:
            try:
                index = plain.item_index(jurisdiction, section, item_id)
            except _Bad as exc:
                bad(exc)
                continue
            del standard[section][index]
            plain.record(label, jurisdiction, (section,))
            if section == "rules":  # a removed rule is unlinked from the tasks that deliver it
                for task in standard["tasks"]:
                    task["rules"] = [r for r in task.get("rules") or [] if r != item_id]
                for other in standard["rules"]:  # and from the rules that restate it
                    if item_id in (other.get("restates") or []):
                        other["restates"] = [r for r in other["restates"] if r != item_id]
    for section in SECTIONS:
        patches = table.get(section, {})
        if not isinstance(patches, dict):
            problems.append(
                Problem(file=label, where=f"{jurisdiction}.{section}", message="expected tables keyed by item id")
            )
            continue
        for item_id, patch in patches.items():
            where = f"{jurisdiction}.{section}.{item_id}"
            if not isinstance(patch, dict):
                problems.append(Problem(file=label, where=where, message="expected a table of fields"))
                continue
            try:
                index = plain.item_index(jurisdiction, section, item_id)
                _merge(plain, label, jurisdiction, standard[section][index], patch, [section, index], where)
            except _Bad as exc:
                bad(exc)
    for section in SECTIONS:
        additions = table.get(f"add_{section}", [])
        if not isinstance(additions, list) or not all(isinstance(a, dict) for a in additions):
            problems.append(
                Problem(
                    file=label,
                    where=f"{jurisdiction}.add_{section}",
                    message=f"expected an array of tables ([[{jurisdiction}.add_{section}]])",
                )
            )
            continue
        for item in additions:
            standard[section].append(item)
            plain.record(label, jurisdiction, (section, len(standard[section]) - 1))
    return problems


def _readable_where(plain_standard: dict[str, Any], jurisdiction: str, where: str | None) -> str:
    """``rules[1].requirement.floor`` → ``donghai.rules.service_space_per_100_households.requirement.floor``."""
    if not where:
        return jurisdiction
    match = _WHERE.match(where)
    if match:
        section, index, rest = match.group(1), int(match.group(2)), match.group(3)
        items = plain_standard.get(section) or []
        if index < len(items) and isinstance(items[index], dict) and items[index].get("id"):
            return f"{jurisdiction}.{section}.{items[index]['id']}{rest}"
    return f"{jurisdiction}.{where}"


def _within(a: str, b: str) -> bool:
    """Whether path ``a`` lies within ``b`` (or is ``b``), on path boundaries."""
    return a == b or (a.startswith(b) and a[len(b)] in ".[")


def _labels_for(changes: list[_Change], jurisdiction: str, where: str | None) -> str:
    mine = [c for c in changes if c.jurisdiction == jurisdiction]
    if where:
        close = [c for c in mine if _within(where, c.path) or _within(c.path, where)]
        if close:
            mine = close
    labels = list(dict.fromkeys(c.label for c in mine))
    return "; ".join(labels)


def _label(assignment: str) -> str:
    return f"--set {assignment}"


def apply_reforms(registry: Registry, assignments: Sequence[str] = (), overlays: Sequence[Path | str] = ()) -> Registry:
    """A new registry with the reforms applied; ``registry`` is left untouched.

    :param assignments: ``ID.RULE.FIELD=VALUE`` (or ``ID.tasks.TASK.FIELD=VALUE``,
        ``ID.milestones.M.FIELD=VALUE``, ``ID.obligations.OBL.FIELD=VALUE``);
        FIELD is a dotted path inside the item (list items by index:
        ``requirement.options.0.min``); VALUE is a TOML value.
    :param overlays: TOML files of changes (see ``docs/views.md``).
    :raises ProblemsError: with every problem, each naming its ``--set`` or file.
    """
    plain = _Plain(registry)
    problems: list[Problem] = []
    for assignment in assignments:
        try:
            _apply_assignment(plain, assignment)
        except _Bad as exc:
            problems.append(Problem(file=_label(assignment), where=exc.where, message=exc.message))
    for overlay in overlays:
        path = Path(overlay)
        label = display_path(path)
        try:
            data = read_toml(path)
        except ProblemsError as exc:
            problems += exc.problems
            continue
        for jurisdiction, table in data.items():
            problems += _apply_overlay_table(plain, label, jurisdiction, table)
    # the changes that could be applied are validated too, so every problem is reported at once
    standards = dict(registry.standards)
    for jurisdiction, data in plain.data.items():
        labels = _labels_for(plain.changes, jurisdiction, None)
        try:
            standard = structure(data, Standard, labels)
        except ProblemsError as exc:
            problems += [
                Problem(
                    file=_labels_for(plain.changes, jurisdiction, p.where),
                    where=_readable_where(data, jurisdiction, p.where),
                    message=p.message,
                )
                for p in exc.problems
            ]
            continue
        if standard.id != jurisdiction:
            problems.append(
                Problem(
                    file=labels,
                    where=f"{jurisdiction}.jurisdiction.id",
                    message="a reform cannot change a jurisdiction's id",
                )
            )
            continue
        loaded = attrs.evolve(registry.standards[jurisdiction], standard=standard)
        for problem in check_references(loaded, registry.catalog):
            # a reform's problem is the reform's, not the plugin's: name the --set or overlay instead
            problems.append(
                attrs.evolve(
                    problem,
                    file=_labels_for(plain.changes, jurisdiction, problem.where),
                    where=_readable_where(data, jurisdiction, problem.where),
                    plugin=None,
                )
            )
        standards[jurisdiction] = loaded
    if problems:
        raise ProblemsError(problems)
    return attrs.evolve(registry, plugins=list(registry.plugins), standards=standards)


def changed_jurisdictions(baseline: Registry, reformed: Registry) -> list[str]:
    """Ids of the jurisdictions whose standard differs between two registries, sorted."""
    ids = sorted(set(baseline.standards) | set(reformed.standards))
    return [
        j
        for j in ids
        if (baseline.standards.get(j) and baseline.standards[j].standard)
        != (reformed.standards.get(j) and reformed.standards[j].standard)
    ]
