"""``all_of``: parts that must all be met; met when every part is met, not met when any part is not."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ..model import AllOf, Requirement
from .base import Compiling, Form, Say, own_metric

if TYPE_CHECKING:
    from .compiling import Part


class AllOfForm(Form[AllOf]):
    def words(self, all_of: AllOf, say: Say) -> str:
        return " and ".join(f"({say.words(part)})" for part in all_of.options)

    def compile(self, all_of: AllOf, compiling: Compiling) -> Part:
        import polars as pl

        from .compiling import Part
        from .compiling import all_of as every

        parts = [compiling.nested(part) for part in all_of.options]
        # the value shown is that of the first part not met, else of the first part
        first_unmet = pl.coalesce([pl.when(~part.ok).then(part.value) for part in parts] + [parts[0].value])
        return Part(
            value=first_unmet,
            ok=every(part.ok for part in parts),  # Kleene: false wins over null
            text=pl.concat_str([part.text for part in parts], separator=" and "),
            lo=parts[0].lo,
            hi=parts[0].hi,
            least=parts[0].least,
        )

    def nested(self, all_of: AllOf) -> tuple[Requirement, ...]:
        return all_of.options

    def per_metric(
        self, all_of: AllOf, metric: str, split: Callable[[Requirement, str], tuple[tuple[str, Requirement], ...]]
    ) -> tuple[tuple[str, Requirement], ...] | None:
        # each part on its own metric is a requirement on that metric; parts on one metric stay together
        on: dict[str, list[Requirement]] = {}
        for part in all_of.options:
            for part_metric, requirement in split(part, own_metric(part) or metric):
                on.setdefault(part_metric, []).append(requirement)
        if len(on) < 2:
            return None
        return tuple(
            (part_metric, parts[0] if len(parts) == 1 else AllOf(options=tuple(parts)))
            for part_metric, parts in on.items()
        )
