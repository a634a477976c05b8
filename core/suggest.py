"""Did-you-mean hints: the one place that finds the name a user probably meant."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate closest to ``name`` when one is close enough to be a likely typo, else None."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str] | Mapping[str, str]) -> str:
    """A `` (did you mean 'x'?)`` hint for ``name``, or an empty string.

    With a mapping, ``name`` is matched against its keys (spellings such as
    Chinese names and aliases) and the hint names the value (the id).
    """
    match = closest(name, candidates)
    if match is None:
        return ""
    shown = candidates[match] if isinstance(candidates, Mapping) else match
    return f" (did you mean '{shown}'?)"
