"""Communities as records: facilities, organizations and measured values; missing stays None."""

from __future__ import annotations

from attrs import field, frozen

from ..vocabulary import COMMUNITY_KINDS
from ._validators import _non_empty, _non_negative, _one_of


@frozen(kw_only=True)
class Facility:
    """A facility of a community (设施): its kind from the catalog, area and floor."""

    kind: str
    area_m2: float | None = field(default=None, validator=_non_negative)
    #: 1 is the ground floor; negative numbers are basements.
    floor: int | None = None
    provided_by: str | None = None
    project_floor_area_m2: float | None = field(default=None, validator=_non_negative)


@frozen(kw_only=True)
class Organization:
    """An organization in a community (组织): its kind from the catalog and members."""

    kind: str
    members: int | None = field(default=None, validator=_non_negative)


@frozen(kw_only=True)
class Community:
    """One community of a researcher's dataset. Missing values stay ``None``."""

    id: str = field(validator=_non_empty)
    name: str | None = None
    district: str | None = None
    kind: str | None = field(default=None, validator=_one_of(COMMUNITY_KINDS))
    households: int | None = field(default=None, validator=_non_negative)
    population: int | None = field(default=None, validator=_non_negative)
    party_members: int | None = field(default=None, validator=_non_negative)
    service_space_m2: float | None = field(default=None, validator=_non_negative)
    staff_office_m2: float | None = field(default=None, validator=_non_negative)
    facilities: tuple[Facility, ...] | None = None
    organizations: tuple[Organization, ...] | None = None
    staff: dict[str, float] | None = None
    volunteers: dict[str, float] | None = None
    finance: dict[str, float] | None = None
    grids: int | None = field(default=None, validator=_non_negative)
    service_radius_km: float | None = field(default=None, validator=_non_negative)
    flags: tuple[str, ...] | None = None
    designations: tuple[str, ...] | None = None
    #: Other measured indicators, keyed by name (catalog metrics read them as ``indicators.<name>``):
    #: trainings per year, resident units with a co-building agreement, …
    indicators: dict[str, float] | None = None
