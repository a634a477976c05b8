"""The one cattrs converter that turns TOML and JSON into model objects, and back.

It forbids unknown keys (a typo in a plugin is an error, not a silently ignored
key), refuses to coerce types (``"5"`` is not a number, ``5`` is not a text),
and picks a requirement's class by its ``form`` key. :func:`structure` reports
every problem of a document at once, each as ``file: path: what was expected``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import typing
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError
from cattrs.gen import make_dict_unstructure_fn, override
from cattrs.v import transform_error

from . import model
from .errors import Problem, ProblemsError, SchemaError
from .suggest import closest

T = TypeVar("T")

converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)


def _type_name(cls: Any) -> str:
    if cls == model.Requirement or cls == typing.Optional[model.Requirement]:  # noqa: UP045
        return "a requirement table with a 'form' key (e.g. {form = \"min\", value = 1})"
    if attrs.has(cls):
        return f"a table ({cls.__name__})"
    if typing.get_origin(cls) in (tuple, list):
        return "an array"
    if typing.get_origin(cls) is dict:
        return "a table"
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
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"expected a number, got {value!r}")
    if not math.isfinite(value):  # TOML's nan and inf: no threshold of a standard is either
        raise TypeError(f"expected a finite number, got {value!r}")
    return float(value)


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


def _structure_requirement(value: Any, _cls: Any) -> model.Requirement:
    if not isinstance(value, dict):
        raise TypeError(f"expected a table with a 'form' key, got {value!r}")
    form = value.get("form")
    cls = model.REQUIREMENT_FORMS.get(form)  # type: ignore[arg-type]
    if cls is None:
        forms = ", ".join(model.REQUIREMENT_FORMS)
        raise SchemaError(f"'form' must be one of {forms}: {form!r}")
    return converter.structure(value, cls)


converter.register_structure_hook(model.Requirement, _structure_requirement)
converter.register_structure_hook(
    # cattrs looks hooks up by the typing object the annotations resolve to: Optional[Union[...]]
    typing.Optional[model.Requirement],  # noqa: UP045
    lambda v, _: None if v is None else _structure_requirement(v, None),
)
# attrs resolves the string annotations of recursive forms lazily.
for _cls in (*model.REQUIREMENT_FORMS.values(), model.Stage):
    attrs.resolve_types(_cls)


# Fields added after plugins were first written are left out of plain data while they hold
# their default, so a standard that does not use them unstructures (and snapshots) as before.
# Parts before wholes: a generated hook takes the hooks of its fields as they are when it is made.
_OMITTED_AT_DEFAULT: dict[type, tuple[str, ...]] = {
    model.Rule: ("tolerance", "restates"),
    model.CatalogAdditions: ("concepts",),
    model.Standard: ("gaps",),
}
for _cls, _names in _OMITTED_AT_DEFAULT.items():
    _overrides: dict[str, Any] = {name: override(omit_if_default=True) for name in _names}
    converter.register_unstructure_hook(_cls, make_dict_unstructure_fn(_cls, converter, **_overrides))


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
    if hints:
        return f" (did you mean {', '.join(hints)}?)"
    return f"; keys here: {', '.join(known)}" if known else ""


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


_SUGGESTED = re.compile(r"'([^']+)'(?: for '[^']+')?")


def _misspelt(problems: list[Problem]) -> set[str]:
    """The places of required fields a misspelt key stands for: ``rules[0].requirement.value`` for 'valeu'."""
    places = set()
    for problem in problems:
        head, found, hints = problem.message.partition(" (did you mean ")
        if found and head.startswith("unknown key"):
            for name in _SUGGESTED.findall(hints):
                places.add(f"{problem.where}.{name}" if problem.where else name)
    return places


def problems_from(exc: BaseException, file: str) -> list[Problem]:
    """Turn a cattrs structuring error into one :class:`Problem` per broken place.

    A required field that is missing because its key is misspelt is reported once, as the
    unknown key with its correction, not also as missing.
    """
    problems = []
    for line in transform_error(exc, path="$", format_exception=_format_exception):
        message, _, path = line.rpartition(" @ ")
        path = path.removeprefix("$").removeprefix(".")
        problems.append(Problem(file=file, where=path or None, message=message))
    misspelt = _misspelt(problems)
    return [p for p in problems if not (p.message.startswith("required field missing") and (p.where or "") in misspelt)]


#: How deeply tables and arrays may nest in a document (a requirement's ``any_of`` inside ``any_of``
#: counts two levels each: the table and its ``options`` array). Real standards use fewer than 15.
MAX_DEPTH = 100


def too_deep(data: Any, limit: int = MAX_DEPTH) -> str | None:
    """The path of the first place where tables and arrays nest deeper than ``limit``; None when none does.

    Iterative, so a document nested thousands of levels deep is measured without recursion.
    """
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, dict):
            items: Any = ((f"{path}.{key}" if path else str(key), item) for key, item in value.items())
        elif isinstance(value, (list, tuple)):
            items = ((f"{path}[{index}]", item) for index, item in enumerate(value))
        else:
            continue
        if depth >= limit:
            return path
        stack.extend((item, where, depth + 1) for where, item in items)
    return None


def _shorten(path: str, keep: int = 80) -> str:
    return path if len(path) <= 2 * keep else f"{path[:keep]}…{path[-keep:]}"


def structure(data: Any, cls: type[T], file: str) -> T:
    """Structure ``data`` into ``cls``, raising :class:`ProblemsError` with every problem.

    Tables and arrays nested deeper than :data:`MAX_DEPTH` levels are one problem, not a RecursionError.
    """
    deep = too_deep(data)
    if deep is not None:
        raise ProblemsError(
            [
                Problem(
                    file=file,
                    where=_shorten(deep),
                    message=f"tables and arrays nested more than {MAX_DEPTH} levels deep (the limit): "
                    "flatten the requirement (e.g. one any_of with several options instead of any_of inside any_of)",
                )
            ]
        )
    try:
        return converter.structure(data, cls)
    except RecursionError:
        raise ProblemsError([Problem(file=file, where=None, message="nested too deeply to read")]) from None
    except (ClassValidationError, IterableValidationError) as exc:
        raise ProblemsError(problems_from(exc, file)) from None
    except (TypeError, ValueError, KeyError) as exc:
        raise ProblemsError([Problem(file=file, where=None, message=_format_exception(exc, None))]) from None


def unstructure(obj: Any) -> Any:
    """Plain data (dicts, lists, ISO dates) for JSON, YAML snapshots and TOML."""
    return converter.unstructure(obj)
