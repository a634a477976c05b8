"""Problems found in user input, reported all at once.

A :class:`Problem` names the file, the place in it (a row, a JSON path or a TOML
path), the field, and what was expected. Loaders collect every problem they
find and raise one :class:`ProblemsError`; the CLI prints them all and exits 2.
"""

from __future__ import annotations

from attrs import frozen


@frozen(kw_only=True)
class Problem:
    """One thing wrong with an input: where it is and what was expected."""

    file: str | None
    where: str | None
    message: str

    def __str__(self) -> str:
        parts = [part for part in (self.file, self.where) if part]
        return ": ".join([*parts, self.message])


class ProblemsError(Exception):
    """Raised with every problem found in an input, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} found:"
        return "\n".join([head, *(f"  - {problem}" for problem in self.problems)])


class ShequError(Exception):
    """A usage error with a one-sentence explanation (unknown jurisdiction, rule, …)."""
