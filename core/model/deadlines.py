"""Deadlines that are not one calendar date: recurring ones, and ones relative to an event.

A rule's, task's or obligation's ``due`` is a date (``due = 2025-12-31``), or

* :class:`Recurring` — ``due = { every = "year", by = "04-30" }`` (每年4月底之前) or
  ``due = { every = "month", by = "25" }`` (每月25日前): the same deadline again every
  year or month. Its first occurrence is the first on or after ``start`` (default:
  the date of the document the item cites); before it the item is ``not_due``, and
  from then on it is always due (the data describe the latest cycle).
* :class:`AfterEvent` — ``due = { after = "handover_date", days = 15 }`` (…之日起15日内):
  each community's deadline is its own event date plus ``days``. The event is a
  date column declared in the catalog (``[[catalog.events]]``). A community whose
  deadline is still ahead is ``not_due``; one whose event date is unknown is ``unknown``.

:func:`next_occurrence` and :func:`first_occurrence` give the calendar dates a
recurring deadline falls on; they are plain Python, shared by the timeline and
both evaluators (they decide *when*, not *whether met*).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Literal

from attrs import field, frozen

from ._validators import _check, _non_empty

#: The periods a recurring deadline may repeat over.
RECURRENCES = ("year", "month")

_YEARLY = re.compile(r"^(\d{2})-(\d{2})$")
_MONTHLY = re.compile(r"^(\d{1,2})$")


@frozen(kw_only=True)
class Recurring:
    """A deadline that comes back every year (``by = "MM-DD"``) or month (``by = "DD"``).

    A monthly day past a month's end falls on its last day (``by = "31"``: 月底).
    """

    every: Literal["year", "month"]
    by: str = field(validator=_non_empty)
    #: The first cycle's deadline is the first ``by`` on or after this date (default: the document's date).
    start: dt.date | None = None

    def __attrs_post_init__(self) -> None:
        _check(self.every in RECURRENCES, f"'every' must be one of {', '.join(RECURRENCES)}: {self.every!r}")
        if self.every == "year":
            match = _YEARLY.match(self.by)
            _check(match is not None, f"'by' of a yearly deadline is a month and day, 'MM-DD': {self.by!r}")
            assert match is not None  # for mypy: _check raised otherwise
            month, day = int(match[1]), int(match[2])
            _check(
                1 <= month <= 12 and 1 <= day <= calendar.monthrange(2023, month)[1],
                f"'by' is not a day of the year (29 February is not allowed: it is missing most years): {self.by!r}",
            )
        else:
            match = _MONTHLY.match(self.by)
            _check(
                match is not None and 1 <= int(self.by) <= 31,
                f"'by' of a monthly deadline is a day of the month, '1' to '31': {self.by!r}",
            )

    def on(self, year: int, month: int = 1) -> dt.date:
        """The deadline of the cycle of ``year`` (and ``month``, for a monthly one)."""
        if self.every == "year":
            mm, dd = (int(part) for part in self.by.split("-"))
            return dt.date(year, mm, dd)
        last = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(int(self.by), last))

    def words(self) -> str:
        """``every year by 04-30`` / ``every month by day 25``."""
        return f"every year by {self.by}" if self.every == "year" else f"every month by day {self.by}"


@frozen(kw_only=True)
class AfterEvent:
    """A deadline ``days`` after each community's own event date (a catalog date column)."""

    after: str = field(validator=_non_empty)
    days: int

    def __attrs_post_init__(self) -> None:
        _check(self.days >= 0, f"'days' must be >= 0: {self.days}")

    def words(self) -> str:
        """``15 days after handover_date``."""
        return f"{self.days} days after {self.after}"


#: What a ``due`` may be.
Due = dt.date | Recurring | AfterEvent


def occurrence_on_or_after(recurring: Recurring, day: dt.date) -> dt.date:
    """The first deadline of ``recurring`` on or after ``day``."""
    if recurring.every == "year":
        this = recurring.on(day.year)
        return this if this >= day else recurring.on(day.year + 1)
    this = recurring.on(day.year, day.month)
    if this >= day:
        return this
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return recurring.on(year, month)


def first_occurrence(recurring: Recurring, document_date: dt.date | None) -> dt.date | None:
    """The first deadline: on or after ``start``, else the document's date; None when neither is known."""
    since = recurring.start or document_date
    return None if since is None else occurrence_on_or_after(recurring, since)


def next_occurrence(recurring: Recurring, as_of: dt.date, document_date: dt.date | None = None) -> dt.date:
    """The next deadline on or after ``as_of`` (never before the first one)."""
    first = first_occurrence(recurring, document_date)
    return occurrence_on_or_after(recurring, max(as_of, first) if first is not None else as_of)


def latest_occurrence(recurring: Recurring, as_of: dt.date, document_date: dt.date | None = None) -> dt.date:
    """The deadline judged at ``as_of``: the latest one on or before it, else the first one ahead."""
    first = first_occurrence(recurring, document_date)
    ahead = occurrence_on_or_after(recurring, as_of)
    if ahead == as_of or (first is not None and ahead <= first):
        return ahead
    if recurring.every == "year":
        return recurring.on(ahead.year - 1)
    year, month = (ahead.year - 1, 12) if ahead.month == 1 else (ahead.year, ahead.month - 1)
    return recurring.on(year, month)


def fixed_due(due: Due | None, document_date: dt.date | None) -> dt.date | None:
    """The calendar date before which an item is ``not_due`` for every community.

    A date is itself; a recurring deadline's is its first occurrence; a deadline
    after an event has none (it is decided per community).
    """
    if isinstance(due, Recurring):
        return first_occurrence(due, document_date)
    if isinstance(due, dt.date):
        return due
    return None


def due_words(due: Due | None) -> str | None:
    """A deadline as text: ``2025-12-31``, ``every year by 04-30``, ``15 days after handover_date``."""
    if due is None:
        return None
    if isinstance(due, dt.date):
        return due.isoformat()
    return due.words()
