"""Validators the model's records share; each raises SchemaError with a sentence."""

from __future__ import annotations

from ..errors import SchemaError


def _check(condition: bool, message: str) -> None:
    if not condition:
        raise SchemaError(message)


def _non_negative(_instance, attribute, value) -> None:
    if value is not None and value < 0:
        raise SchemaError(f"'{attribute.name}' must be >= 0: {value}")


def _positive(_instance, attribute, value) -> None:
    if value is not None and value <= 0:
        raise SchemaError(f"'{attribute.name}' must be > 0: {value}")


def _fraction(_instance, attribute, value) -> None:
    if value is not None and not 0 < value < 1:
        raise SchemaError(f"'{attribute.name}' must be between 0 and 1 (exclusive): {value}")


def _non_empty(_instance, attribute, value) -> None:
    if isinstance(value, str) and not value.strip():
        raise SchemaError(f"'{attribute.name}' must not be empty")


def _one_of(choices: tuple[str, ...]):
    def check(_instance, attribute, value) -> None:
        if value is not None and value not in choices:
            raise SchemaError(f"'{attribute.name}' must be one of {', '.join(choices)}: {value!r}")

    return check


def _bounds_ordered(instance) -> None:
    lo, hi = getattr(instance, "min", None), getattr(instance, "max", None)
    if lo is not None and hi is not None:
        _check(lo <= hi, f"'min' ({lo}) must not exceed 'max' ({hi})")
