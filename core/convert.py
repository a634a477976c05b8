"""The one cattrs converter that turns TOML and JSON into model objects, and back.

It forbids unknown keys (a typo in a plugin is an error, not a silently ignored
key), refuses to coerce types (``"5"`` is not a number, ``5`` is not a text),
and picks a requirement's class by its ``form`` key. :func:`structure` reports
every problem of a document at once, each as ``file: path: what was expected``.
"""

from __future__ import annotations

import datetime as dt
import typing
from fractions import Fraction
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import (
    AttributeValidationNote,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.v import transform_error

from . import model
from .errors import Problem, ProblemsError, SchemaError
from .suggest import closest

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _type_name(cls: Any) -> str:
    return {
        str: "a text",
        float: "a number",
        int: "a whole number",
        bool: "true or false",
        dt.date: "a date (YYYY-MM-DD)",
    }.get(cls, getattr(cls, "__name__", str(cls)))


def _structure_str(value: Any, _cls: type) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected a text, got {value!r}")
    return value


def _structure_float(value: Any, _cls: type) -> float:
    if isinstance(value, str):
        percentage = percent_literal(value)
        if percentage is not None:
            return percentage
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    return float(value)


def percent_literal(text: str) -> float | None:
    """``"20%"`` → 0.2 (computed exactly, then as a float: ``"20%"`` is the same number as ``0.2``); None if not one."""
    body = text.strip()
    if not body.endswith("%"):
        return None
    try:
        return float(Fraction(body[:-1].strip()) / 100)
    except (ValueError, ZeroDivisionError):
        return None


def _structure_int(value: Any, _cls: type) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, float) and value.is_integer():
            return int(value)
        raise TypeError(f"expected a whole number, got {value!r}")
    return value


def _structure_bool(value: Any, _cls: type) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"expected true or false, got {value!r}")
    return value


def _structure_date(value: Any, _cls: type) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise TypeError(f"expected a date (YYYY-MM-DD), got {value!r}")


converter.register_structure_hook(str, _structure_str)
converter.register_structure_hook(float, _structure_float)
converter.register_structure_hook(int, _structure_int)
converter.register_structure_hook(bool, _structure_bool)
converter.register_structure_hook(dt.date, _structure_date)
converter.register_unstructure_hook(dt.date, lambda value: value.isoformat())


#: Spellings older files use, still read: (form, old key) → the key every form now uses for the concept.
#: ``min`` and ``max`` took ``value``; every other form says its bounds with ``min``/``max``.
SPELLINGS: dict[tuple[str, str], str] = {("min", "value"): "min", ("max", "value"): "max"}


def _structure_requirement(value: Any, _cls: Any) -> model.Requirement:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table with a 'form' key, got {value!r}")
    form = value.get("form")
    # the model keeps one attribute, ``value``, for the bound of ``min``/``max``: read either spelling
    for (spelt, old), new in SPELLINGS.items():
        if form == spelt and new in value:
            if old in value:
                raise SchemaError(f"give the bound once: '{new}' (the older spelling '{old}' says the same)")
            value = {(old if key == new else key): item for key, item in value.items()}
        elif form == spelt and old not in value:
            raise SchemaError(f"form '{spelt}' needs its bound: '{new} = …'")
    cls = model.REQUIREMENT_FORMS.get(form)  # type: ignore[arg-type]
    if cls is None:
        forms = ", ".join(model.REQUIREMENT_FORMS)
        raise SchemaError(f"'form' must be one of {forms}: {form!r}")
    return converter.structure(value, cls)


def _structure_quote(value: Any, _cls: Any) -> str | tuple[str, ...]:
    """A quote: one text, or a list of verbatim fragments (each a text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list) and value and all(isinstance(item, str) for item in value):
        return tuple(value)
    raise TypeError(f"expected a text or a list of texts (verbatim fragments, in order), got {value!r}")


converter.register_structure_hook(str | tuple[str, ...], _structure_quote)
converter.register_structure_hook(model.Requirement, _structure_requirement)
converter.register_structure_hook(
    # cattrs looks hooks up by the typing object the annotations resolve to: Optional[Union[...]]
    typing.Optional[model.Requirement],  # noqa: UP045
    lambda v, _: None if v is None else _structure_requirement(v, None),
)


def _structure_due(value: Any, _cls: Any) -> model.Due | None:
    """A deadline: a date, ``{ every, by[, start] }`` (recurring) or ``{ after, days }`` (after an event)."""
    if value is None:
        return None
    if isinstance(value, dict):
        if "every" in value:
            return converter.structure(value, model.Recurring)
        if "after" in value:
            return converter.structure(value, model.AfterEvent)
        raise SchemaError(
            'a deadline table is { every = "year", by = "04-30" } or { after = "<event>", days = 15 }, '
            f"got keys {', '.join(repr(k) for k in value) or 'none'}"
        )
    return _structure_date(value, dt.date)


_DUE_TYPES = {dt.date, model.Recurring, model.AfterEvent}
converter.register_structure_hook_func(
    lambda cls: set(typing.get_args(cls)) - {type(None)} == _DUE_TYPES, _structure_due
)
converter.register_unstructure_hook_func(
    lambda cls: set(typing.get_args(cls)) - {type(None)} == _DUE_TYPES,
    lambda value: None if value is None else converter.unstructure(value, type(value)),
)
# attrs resolves the string annotations of recursive forms lazily.
for _cls in (*model.REQUIREMENT_FORMS.values(), model.Stage):
    attrs.resolve_types(_cls)


#: What a standard's ``[defaults]`` table may set: each rule's ``applies_to`` and ``strength`` (a rule's
#: own key replaces the default whole), and the ``document`` of every source that names none.
DEFAULT_KEYS = ("applies_to", "strength", "document")

#: The items whose sources ``[defaults] document`` fills in, and the key their document id is under.
_DOCUMENT_HOLDERS = {"rules": "source", "tasks": "source", "milestones": "source", "obligations": "source"}

_structure_rule_fields = converter.get_structure_hook(model.Rule)


def _counts_communities(requirement: Any) -> bool:
    """Whether a rule's plain requirement only counts communities: an aggregate ``count`` with no condition."""
    if not isinstance(requirement, dict):
        return False
    if requirement.get("form") == "staged" and isinstance(requirement.get("stages"), list):
        stages = requirement["stages"]
        return bool(stages) and all(isinstance(s, dict) and _counts_communities(s.get("requirement")) for s in stages)
    return (
        requirement.get("form") == "aggregate"
        and requirement.get("statistic") == "count"
        and (requirement.get("condition") is None)
    )


def _structure_rule(data: Any, cls: type) -> model.Rule:
    # a rule that counts communities reads no metric: the TOML may leave it out
    if isinstance(data, dict) and "metric" not in data and _counts_communities(data.get("requirement")):
        data = {**data, "metric": model.COMMUNITIES_METRIC}
    return _structure_rule_fields(data, cls)


# before the standard's hook is made: a generated hook takes its fields' hooks as they are then
converter.register_structure_hook(model.Rule, _structure_rule)
_structure_standard_fields = converter.get_structure_hook(model.Standard)


def _with_defaults(data: Any) -> Any:
    """The standard's items with ``[defaults]`` filled in where an item does not say it itself."""
    if not isinstance(data, dict) or "defaults" not in data:
        return data
    data = dict(data)
    defaults = data.pop("defaults")
    if not isinstance(defaults, dict):
        raise _at("defaults", TypeError(f"expected a table, got {defaults!r}"))
    unknown = sorted(set(defaults) - set(DEFAULT_KEYS))
    if unknown:
        hint = {key: closest(key, list(DEFAULT_KEYS)) for key in unknown}
        said = ", ".join(f"'{key}'" + (f" (did you mean '{hint[key]}'?)" if hint[key] else "") for key in unknown)
        raise _at("defaults", SchemaError(f"unknown key(s) {said}; [defaults] sets {', '.join(DEFAULT_KEYS)}"))
    rules = data.get("rules")
    if isinstance(rules, list):
        data["rules"] = [
            {**{key: defaults[key] for key in ("applies_to", "strength") if key in defaults}, **rule}
            if isinstance(rule, dict)
            else rule
            for rule in rules
        ]
    if "document" in defaults:
        for section, holder in _DOCUMENT_HOLDERS.items():
            items = data.get(section)
            if not isinstance(items, list):
                continue
            data[section] = [
                {**item, holder: {"document": defaults["document"], **item[holder]}}
                if isinstance(item, dict) and isinstance(item.get(holder), dict)
                else item
                for item in items
            ]
    return data


def _at(key: str, exc: Exception) -> ClassValidationError:
    """A problem of one key of the standard, as cattrs reports one (so its path reads ``defaults``)."""
    exc.__notes__ = [AttributeValidationNote(f"Structuring class Standard @ attribute {key}", key, dict)]
    return ClassValidationError("While structuring Standard", [exc], model.Standard)


converter.register_structure_hook(
    model.Standard, lambda data, cls: _structure_standard_fields(_with_defaults(data), cls)
)


# Fields added after plugins were first written are left out of plain data while they hold
# their default, so a standard that does not use them unstructures (and snapshots) as before.
# Parts before wholes: a generated hook takes the hooks of its fields as they are when it is made.
_OMITTED_AT_DEFAULT: dict[type, tuple[str, ...]] = {
    model.Recurring: ("start",),
    model.MetricDef: ("sum", "difference", "product"),
    model.Rule: ("tolerance", "restates"),
    model.CatalogAdditions: ("concepts", "events"),
    model.Obligation: ("share",),
    model.Task: ("receiving", "approving"),
    model.Standard: ("gaps",),
}
for _cls, _names in _OMITTED_AT_DEFAULT.items():
    _overrides: dict[str, Any] = {name: override(omit_if_default=True) for name in _names}
    converter.register_unstructure_hook(_cls, make_dict_unstructure_fn(_cls, converter, **_overrides))


_PRESENCE_FAMILIES = ("count.", "flag.", "designation.")


def old_spellings(data: Any) -> list[tuple[str, str]]:
    """(TOML path, note) of every older spelling a standard's plain data uses, with the one to write now.

    Still read the same: ``value`` for the bound of ``min``/``max`` (now ``min = …``/``max = …`` like every
    other form), and presence said as at least one (``{ form = "min", value = 1 }`` on a count, flag or
    designation; ``min = 1`` in a condition on one), now ``form = "present"`` and ``present = true``.
    """
    notes: list[tuple[str, str]] = []

    def condition(where: str, cond: Any) -> None:
        if not isinstance(cond, dict) or not str(cond.get("metric", "")).startswith(_PRESENCE_FAMILIES):
            return
        if cond.get("min") == 1 and cond.get("max") is None and cond.get("present") is None:
            notes.append((where, "'min = 1' on a count or flag says presence: write 'present = true'"))

    def requirement(where: str, req: Any, metric: str) -> None:
        if not isinstance(req, dict):
            return
        form, own = req.get("form"), req.get("metric", metric)
        for (spelt, old), new in SPELLINGS.items():
            if form == spelt and old in req:
                bound = req[old]
                if form == "min" and bound == 1 and str(own).startswith(_PRESENCE_FAMILIES):
                    notes.append(
                        (where, f"'{{ form = \"min\", {old} = 1 }}' on {own} says presence: write 'form = \"present\"'")
                    )
                else:
                    notes.append(
                        (where, f"'{old} = {bound}' is the older spelling of the bound: write '{new} = {bound}'")
                    )
        for key in ("options",):
            for index, inner in enumerate(req.get(key) or []):
                requirement(f"{where}.{key}[{index}]", inner, own)
        for key in ("then", "otherwise", "condition"):
            if key in req:
                requirement(f"{where}.{key}", req[key], own)
        for index, stage in enumerate(req.get("stages") or []):
            if isinstance(stage, dict):
                requirement(f"{where}.stages[{index}].requirement", stage.get("requirement"), own)
        if "when" in req:
            condition(f"{where}.when", req["when"])

    if not isinstance(data, dict):
        return notes
    for index, rule in enumerate(data.get("rules") or []):
        if not isinstance(rule, dict):
            continue
        where, found = f"rules[{index}]", len(notes)
        requirement(f"{where}.requirement", rule.get("requirement"), str(rule.get("metric", "")))
        applies = rule.get("applies_to")
        if isinstance(applies, dict):
            for i, cond in enumerate(applies.get("when") or []):
                condition(f"{where}.applies_to.when[{i}]", cond)
        notes[found:] = [(place, f"rule '{rule.get('id')}': {note}") for place, note in notes[found:]]
    return notes


def _did_you_mean(exc: ForbiddenExtraKeysError) -> str:
    """ " (did you mean 'strength'?)" for a misspelt key, from the keys the table accepts.

    One misspelt key names its correction; several name each correction with the key it is for.
    """
    known = [field.name for field in attrs.fields(exc.cl)] if attrs.has(exc.cl) else []
    hints = []
    for key in sorted(exc.extra_fields):
        match = closest(key, known)
        if match is not None:
            hints.append(f"'{match}'" if len(exc.extra_fields) == 1 else f"'{match}' for '{key}'")
    return f" (did you mean {', '.join(hints)}?)" if hints else ""


def _format_exception(exc: BaseException, cls: Any) -> str:
    if isinstance(exc, KeyError):
        return "required field missing" + (f", expected {_type_name(cls)}" if cls else "")
    if isinstance(exc, ForbiddenExtraKeysError):
        return f"unknown key(s) {', '.join(repr(k) for k in sorted(exc.extra_fields))}{_did_you_mean(exc)}"
    if isinstance(exc, SchemaError):
        return str(exc)
    if isinstance(exc, TypeError) and str(exc).startswith("expected"):
        return str(exc)
    if isinstance(exc, (TypeError, ValueError)) and cls is not None:
        return f"expected {_type_name(cls)}"
    if isinstance(exc, AttributeError) and "items" in str(exc):
        return "expected a table"
    return str(exc) or exc.__class__.__name__


def problems_from(exc: BaseException, file: str) -> list[Problem]:
    """Turn a cattrs structuring error into one :class:`Problem` per broken place."""
    problems = []
    for line in transform_error(exc, path="$", format_exception=_format_exception):
        message, _, path = line.rpartition(" @ ")
        path = path.removeprefix("$").removeprefix(".")
        problems.append(Problem(file=file, where=path or None, message=message))
    return problems


def structure(data: Any, cls: type[T], file: str) -> T:
    """Structure ``data`` into ``cls``, raising :class:`ProblemsError` with every problem."""
    try:
        return converter.structure(data, cls)
    except (ClassValidationError, IterableValidationError) as exc:
        raise ProblemsError(problems_from(exc, file)) from None
    except (TypeError, ValueError, KeyError) as exc:
        raise ProblemsError([Problem(file=file, where=None, message=_format_exception(exc, None))]) from None


def unstructure(obj: Any) -> Any:
    """Plain data (dicts, lists, ISO dates) for JSON, YAML snapshots and TOML."""
    return converter.unstructure(obj)
