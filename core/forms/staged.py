"""``staged``: values that tighten over time; the latest stage whose date has come is in force.

:func:`in_force` is the one place that decides which stage binds on a date;
the engine, the aggregates and every comparison view ask it. (The reference
evaluator decides it again on its own, as an independent oracle must.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

import attrs

from ..model import Requirement, Stage, Staged
from .base import Compiling, Form, Say, Step

if TYPE_CHECKING:
    from .compiling import Part


def in_force(staged: Staged, as_of: dt.date) -> tuple[Stage, bool]:
    """The stage in force on ``as_of`` and True; before the first stage's date, the first stage and False."""
    due = [stage for stage in staged.stages if stage.due <= as_of]
    return (due[-1], True) if due else (staged.stages[0], False)


class StagedForm(Form[Staged]):
    def words(self, staged: Staged, say: Say) -> str:
        return "; ".join(f"{say.words(stage.requirement)} by {stage.due.isoformat()}" for stage in staged.stages)

    def compile(self, staged: Staged, compiling: Compiling) -> Part:
        import polars as pl

        stage, due = in_force(staged, compiling.as_of)
        part = compiling.nested(stage.requirement)
        if not due:  # judged as the first stage would be, but not due yet
            return attrs.evolve(part, not_due=True, due=stage.due)
        return attrs.evolve(
            part, due=stage.due, text=pl.concat_str([part.text, pl.lit(f" (from {stage.due.isoformat()})")])
        )

    def nested(self, staged: Staged) -> tuple[Requirement, ...]:
        return tuple(stage.requirement for stage in staged.stages)

    def stages(self, staged: Staged) -> tuple[Stage, ...]:
        return staged.stages

    def stage_in_force(self, staged: Staged, as_of: dt.date) -> tuple[Stage, bool] | None:
        return in_force(staged, as_of)

    def leaf(self, staged: Staged) -> Requirement:
        return staged.stages[-1].requirement  # the final stage says what is measured

    def per_metric(
        self, staged: Staged, metric: str, split: Callable[[Requirement, str], tuple[tuple[str, Requirement], ...]]
    ) -> tuple[tuple[str, Requirement], ...] | None:
        # a stage bounding several metrics (all_of) staged per metric: each metric from the first stage naming it
        steps = [dict(split(stage.requirement, metric)) for stage in staged.stages]
        metrics = list(steps[-1]) + [m for step in steps for m in step if m not in steps[-1]]
        if len(metrics) < 2:
            return None
        split_stages: list[tuple[str, Requirement]] = []
        for each in metrics:
            named = [index for index, step in enumerate(steps) if each in step]
            if named != list(range(named[0], len(steps))):
                return None  # a metric a later stage no longer bounds: not a requirement of its own
            stages: list[Stage] = []
            for index in named:
                if not stages or stages[-1].requirement != steps[index][each]:
                    stages.append(Stage(due=staged.stages[index].due, requirement=steps[index][each]))
            split_stages.append((each, Staged(stages=tuple(stages))))
        return tuple(split_stages)

    def peel(self, staged: Staged, as_of: dt.date, value_of: Callable[[str], float | None]) -> Step | None:
        stage, due = in_force(staged, as_of)
        date = stage.due.isoformat()
        return Step(then=stage.requirement, due=stage.due, note=f"from {date}" if due else f"not before {date}")
