"""Community records built in Python (notebooks, tests) → the canonical table.

:func:`communities_frame` takes :class:`shequ.model.Community` objects and
checks them exactly as a JSON file's records are checked (catalog kinds and
flags — by id, not Chinese name —, duplicate ids, impossible values), with
problems at ``communities[i]``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..catalog import Catalog
from ..convert import unstructure
from ..model import Community
from .columns import CommunityTable, vocabulary
from .load import default_catalog, from_records
from .nested import flatten_records, record_key
from .problems import Problems


def communities_frame(
    communities: Iterable[Community],
    *,
    indicators: Sequence[Mapping[str, float] | None] | None = None,
    catalog: Catalog | None = None,
    source: str = "<python>",
) -> CommunityTable:
    """The canonical table of :class:`Community` objects built in Python (notebooks, tests).

    ``indicators`` (one table or None per community) fills the ``indicators.*``
    columns; by default each community's own ``indicators``. The same checks as for files run
    (catalog kinds and flags — by id, not Chinese name —, duplicate ids,
    impossible values); problems are reported at ``communities[i]``.
    """
    communities = list(communities)
    extras = list(indicators) if indicators is not None else [getattr(c, "indicators", None) for c in communities]
    if len(extras) != len(communities):
        raise ValueError(f"{len(extras)} indicator tables for {len(communities)} communities")
    problems = Problems(source, unit="records")
    records: list[tuple[int, dict[str, Any]]] = []
    for index, (community, extra) in enumerate(zip(communities, extras, strict=True)):
        path = f"communities[{index}]"
        if not isinstance(community, Community):
            message = f"expected a Community, got {type(community).__name__}"
            problems.add(record_key(path, message), (1, index), path, message, path=path)
            continue
        record = {key: value for key, value in unstructure(community).items() if value is not None}
        record.pop("indicators", None)  # the given tables replace the communities' own
        if extra is not None:
            record["indicators"] = dict(extra)
        records.append((index, record))
    flat = flatten_records(records, "communities", problems, aliases=False)
    frame = from_records(flat, vocabulary(catalog or default_catalog()), problems)
    return CommunityTable(frame=frame, source=source)
