"""A jurisdiction's declared standard: provenance, rules, tasks, milestones, obligations."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import attrs
from attrs import field, frozen

from ..errors import SchemaError
from ..vocabulary import COMMUNITY_KINDS, STRENGTHS, TASK_ROLES
from ._validators import _check, _fraction, _non_empty, _non_negative, _one_of, _positive
from .deadlines import Due
from .entries import CatalogAdditions
from .requirements import Condition, Requirement, is_aggregate

#: The requirement forms whose numeric bounds a rule's ``tolerance`` may widen.
TOLERANT_FORMS = ("min", "max", "range", "scaled_min", "share")


JURISDICTION_LEVELS = ("national", "province", "city", "district", "county")


def _quote_fragments(_instance, attribute, value) -> None:
    fragments = (value,) if isinstance(value, str) else value
    _check(len(fragments) > 0, f"'{attribute.name}' must hold at least one fragment")
    _check(all(fragment.strip() for fragment in fragments), f"'{attribute.name}' must not be empty")


@frozen(kw_only=True)
class Source:
    """Where a provision comes from: document, clause, and the exact words."""

    clause: str = field(validator=_non_empty)
    #: The exact words: one unbroken passage, or verbatim fragments that stand in the document
    #: in this order (a long sentence quoted without the words between, shown joined by "…").
    quote: str | tuple[str, ...] = field(validator=_quote_fragments)
    #: Document id; defaults to the standard's first document.
    document: str | None = None

    @property
    def fragments(self) -> tuple[str, ...]:
        """The quote's verbatim pieces, in document order (one for an unbroken quote)."""
        return (self.quote,) if isinstance(self.quote, str) else self.quote

    @property
    def text(self) -> str:
        """The quote as it is shown: fragments joined by "…"."""
        return "…".join(self.fragments)


@frozen(kw_only=True)
class Document:
    """A policy document a standard is encoded from."""

    id: str = field(validator=_non_empty)
    number: str | None = None  # 文号, e.g. 长政办〔2018〕61号
    title: str = field(validator=_non_empty)
    issuer: str | None = None
    date: dt.date | None = None
    status: str | None = None
    #: File name of the shipped document text, relative to the standard's TOML.
    text: str | None = None
    #: Where the encoder read the document (a URL), and the day they read it there.
    source_url: str | None = None
    accessed: dt.date | None = None
    #: Readings chosen where the copy is damaged or ambiguous.
    notes: tuple[str, ...] = ()
    #: The day the document takes effect (施行); ``None``: its ``date``.
    effective: dt.date | None = None
    #: The document (an id of the same standard) that replaces this one, and the day it stops being in force.
    superseded_by: str | None = None
    superseded_on: dt.date | None = None
    #: SHA-256 (hex) of the shipped ``text`` file, checked by ``validate``.
    sha256: str | None = None

    def __attrs_post_init__(self) -> None:
        start = self.in_force_from
        _check(
            self.superseded_on is None or start is None or start < self.superseded_on,
            f"document '{self.id}': superseded_on must come after the day it takes effect",
        )
        _check(
            self.sha256 is None or (len(self.sha256) == 64 and all(c in "0123456789abcdef" for c in self.sha256)),
            f"document '{self.id}': sha256 must be 64 lower-case hex digits",
        )

    @property
    def in_force_from(self) -> dt.date | None:
        """The first day the document is in force: ``effective``, else ``date`` (None: always)."""
        return self.effective or self.date

    def in_force(self, as_of: dt.date) -> bool:
        """Whether the document is in force on ``as_of``: taken effect and not yet superseded."""
        start = self.in_force_from
        return (start is None or start <= as_of) and (self.superseded_on is None or as_of < self.superseded_on)


@frozen(kw_only=True)
class Jurisdiction:
    """The body whose standard a plugin encodes."""

    id: str = field(validator=_non_empty)
    name: str = field(validator=_non_empty)
    name_en: str | None = None
    level: str | None = field(default=None, validator=_one_of(JURISDICTION_LEVELS))
    #: The id of the jurisdiction (plugin) whose standard this one sits under, e.g. ``national``:
    #: ``evaluate --inherit`` and ``conflicts`` read the parent's rules. A legal fact, not a place name.
    parent: str | None = None
    #: The superior jurisdiction the document's own text names (a place name as written, e.g. 福建省), if any.
    superior: str | None = None
    #: What is known to be wrong with the copy of the source, recorded honestly.
    copy_notes: tuple[str, ...] = ()


@frozen(kw_only=True)
class AppliesTo:
    """Which communities a rule covers; the empty default covers all."""

    kinds: tuple[str, ...] = field(default=(), validator=attrs.validators.deep_iterable(_one_of(COMMUNITY_KINDS)))
    #: Only communities in these districts (街道/区/县 names as the data gives them).
    districts: tuple[str, ...] = ()
    #: Every flag listed must be set (e.g. ``village_to_residence`` for 村改居).
    flags: tuple[str, ...] = ()
    #: Every condition must hold (e.g. ``population >= 5000``).
    when: tuple[Condition, ...] = ()


#: The metric of a rule that only counts communities (an aggregate ``count`` with no condition): the TOML
#: may leave ``metric`` out, and the engine counts the covered communities without reading any column.
COMMUNITIES_METRIC = "communities"


@frozen(kw_only=True)
class Rule:
    """One checkable provision: a metric, whom it covers, what it requires, by when."""

    id: str = field(validator=_non_empty)
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    metric: str
    applies_to: AppliesTo = AppliesTo()
    requirement: Requirement
    #: Deadline; before it the rule is ``not_due``. Staged rules date each stage instead. A date, a
    #: recurring deadline (``{ every = "year", by = "04-30" }``) or one after each community's event
    #: (``{ after = "handover_date", days = 15 }``): see :mod:`shequ.model.deadlines`.
    due: Due | None = None
    strength: str = field(default="mandatory", validator=_one_of(STRENGTHS))
    #: Relative tolerance (0 < t < 1) of an approximate norm (左右/约): bounds widen to
    #: min × (1 − t) and max × (1 + t). The encoder's reading; ``notes`` says so.
    tolerance: float | None = field(default=None, validator=_fraction)
    #: Ids of rules of the same standard that state the same requirement; a group's failure counts once.
    restates: tuple[str, ...] = ()
    source: Source
    #: The reading chosen where the text is ambiguous, and why.
    notes: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.tolerance is not None:
            form = getattr(self.requirement, "form", None)
            _check(
                form in TOLERANT_FORMS,
                f"'tolerance' applies only to a requirement of form {', '.join(TOLERANT_FORMS)}, not {form!r}",
            )
        _check(self.id not in self.restates, f"rule '{self.id}' cannot restate itself")

    @property
    def aggregate(self) -> bool:
        return is_aggregate(self.requirement)


@frozen(kw_only=True)
class Task:
    """A responsibility assignment: who leads, is responsible, guides, cooperates, receives, approves."""

    id: str = field(validator=_non_empty)
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    lead: tuple[str, ...] = ()
    responsible: tuple[str, ...] = ()
    guiding: tuple[str, ...] = ()
    cooperating: tuple[str, ...] = ()
    #: 受理: the authority an application or report is filed with.
    receiving: tuple[str, ...] = ()
    #: 审批: the authority that approves it.
    approving: tuple[str, ...] = ()
    #: A date, a recurring deadline or one after an event (``{ after = "land_contract_signed", days = 30 }``:
    #: 之日起30日内), as for rules; a task is not judged on data, so an event deadline is recorded, not checked.
    due: Due | None = None
    rules: tuple[str, ...] = ()
    source: Source
    notes: str | None = None

    def __attrs_post_init__(self) -> None:
        _check(
            any(getattr(self, role) for role in TASK_ROLES),
            f"a task names at least one department ({', '.join(TASK_ROLES[:-1])} or {TASK_ROLES[-1]})",
        )


@frozen(kw_only=True)
class Milestone:
    """A dated step of a standard's timeline."""

    id: str = field(validator=_non_empty)
    date: dt.date
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    responsible: tuple[str, ...] = ()
    source: Source
    notes: str | None = None


def share_fraction(text: str) -> Fraction:
    """A share as written, exact: ``"1/3"`` → 1/3, ``"20%"`` → 1/5, ``"0.5"`` → 1/2."""
    text = text.strip()
    if text.endswith("%"):
        return Fraction(text[:-1].strip()) / 100
    return Fraction(text)


def _share_text(_instance, attribute, value) -> None:
    if value is None:
        return
    try:
        fraction = share_fraction(value)
    except (ValueError, ZeroDivisionError):
        raise SchemaError(
            f'\'{attribute.name}\' must be a fraction like "1/3", a percentage like "20%" or a decimal: {value!r}'
        ) from None
    _check(0 < fraction <= 1, f"'{attribute.name}' must be more than 0 and at most the whole (1): {value!r}")


#: ``unstated``: money the document commits with no period stated; never reported as yearly.
OBLIGATION_KINDS = ("yearly", "one_off", "unstated")


@frozen(kw_only=True)
class Obligation:
    """Money a standard commits someone to pay: ``amount_yuan`` per ``per`` units of ``basis``.

    With no ``basis`` the amount is per community. ``min_yuan`` / ``max_yuan``
    bound the result for one community where the document sets a range.
    """

    id: str = field(validator=_non_empty)
    title: str = field(validator=_non_empty)
    title_en: str | None = None
    kind: str = field(validator=_one_of(OBLIGATION_KINDS))
    #: Yuan per ``per`` units of ``basis``; None when the obligation states a ``share`` instead.
    amount_yuan: float | None = field(default=None, validator=_non_negative)
    basis: str | None = None
    per: float = field(default=1.0, validator=_positive)
    #: A share of the ``basis`` cost as the document states it, kept exact: ``"1/3"`` (三分之一),
    #: ``"20%"``, ``"0.5"``; instead of ``amount_yuan``.
    share: str | None = field(default=None, validator=_share_text)
    min_yuan: float | None = field(default=None, validator=_non_negative)
    max_yuan: float | None = field(default=None, validator=_non_negative)
    payer: tuple[str, ...] = ()
    applies_to: AppliesTo = AppliesTo()
    due: dt.date | None = None
    source: Source
    notes: str | None = None

    def __attrs_post_init__(self) -> None:
        _check(
            (self.amount_yuan is None) != (self.share is None),
            "an obligation states either 'amount_yuan' or 'share' (a share of its basis cost), exactly one",
        )
        if self.share is not None:
            _check(self.basis is not None, "a 'share' is a share of a cost: name the cost metric in 'basis'")
            _check(self.per == 1, "a 'share' is of the whole basis cost: leave 'per' out")

    @property
    def fraction(self) -> Fraction:
        """Yuan per unit of ``basis`` (per community without one), exact: ``share``, or ``amount_yuan`` ÷ ``per``."""
        if self.share is not None:
            return share_fraction(self.share)
        assert self.amount_yuan is not None  # one of the two, checked above
        return Fraction(self.amount_yuan) / Fraction(self.per)


@frozen(kw_only=True)
class Unencoded:
    """A passage with numbers that is deliberately not encoded, and why."""

    quote: str = field(validator=_non_empty)
    reason: str = field(validator=_non_empty)
    document: str | None = None


@frozen(kw_only=True)
class Gap:
    """Concepts the standard would regulate but that cannot be encoded: the shipped copy is incomplete."""

    concepts: tuple[str, ...] = field(validator=attrs.validators.min_len(1))
    reason: str = field(validator=_non_empty)
    document: str | None = None


@frozen(kw_only=True)
class Standard:
    """One jurisdiction's whole declared standard, as a plugin's TOML gives it."""

    jurisdiction: Jurisdiction
    documents: tuple[Document, ...]
    rules: tuple[Rule, ...] = ()
    tasks: tuple[Task, ...] = ()
    milestones: tuple[Milestone, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    unencoded: tuple[Unencoded, ...] = ()
    gaps: tuple[Gap, ...] = ()
    catalog: CatalogAdditions = CatalogAdditions()  # noqa: RUF009 -- frozen and empty, safe to share

    def __attrs_post_init__(self) -> None:
        _check(len(self.documents) > 0, "a standard cites at least one document")
        ids = {document.id for document in self.documents}
        for document in self.documents:
            _check(
                document.superseded_by is None or document.superseded_by in ids,
                f"document '{document.id}': superseded_by '{document.superseded_by}' is no document of this standard",
            )

    @property
    def id(self) -> str:
        return self.jurisdiction.id

    def document(self, document_id: str | None) -> Document:
        """The document a source cites (the first one when the source names none)."""
        if document_id is None:
            return self.documents[0]
        for document in self.documents:
            if document.id == document_id:
                return document
        raise KeyError(document_id)

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)
