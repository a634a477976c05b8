"""``any_of``: alternatives; the requirement is met when any option is met."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model import AnyOf, Requirement
from .base import Compiling, Form, Say

if TYPE_CHECKING:
    from .compiling import Part


class AnyOfForm(Form[AnyOf]):
    def words(self, any_of: AnyOf, say: Say) -> str:
        return " or ".join(f"({say.words(option)})" for option in any_of.options)

    def compile(self, any_of: AnyOf, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import Part
        from .compiling import any_of as either

        options = [compiling.nested(option) for option in any_of.options]
        # the value shown is that of the first option met, else of the first option
        first_met = pl.coalesce([pl.when(option.ok).then(option.value) for option in options] + [options[0].value])
        return Part(
            value=first_met,
            ok=either(option.ok for option in options),  # Kleene: true wins over null
            text=pl.concat_str([option.text for option in options], separator=" or "),
            lo=options[0].lo,
            hi=options[0].hi,
            least=options[0].least,
        )

    def nested(self, any_of: AnyOf) -> tuple[Requirement, ...]:
        return any_of.options

    def options(self, any_of: AnyOf) -> tuple[Requirement, ...]:
        return any_of.options
