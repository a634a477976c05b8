"""How to cite shequ and the documents its plugins encode: BibTeX and GB/T 7714-2015.

:data:`TITLE`, :data:`AUTHORS`, :data:`LICENSE` and :data:`ABSTRACT` hold the
same data as the repository's ``CITATION.cff`` (a test keeps the two in
agreement; the version is the installed package's). Each
document of a standard is cited as the issuer's document (文献类型 ``Z``, or
``EB/OL`` where its plugin records the URL it was read at), with its number
(文号) and date, in Chinese as written.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Document
from .provenance import shequ_version
from .registry import LoadedStandard

#: The citation of the tool, as CITATION.cff states it.
TITLE = "shequ"
AUTHORS = ("The shequ developers",)
LICENSE = "MIT"
ABSTRACT = (
    "Chinese local standards for urban community construction (社区建设) as declarative, citable, "
    "comparable code: each jurisdiction's policy documents encoded as rules with clause and exact quote, "
    "evaluated against community data and compared across jurisdictions."
)

#: The citation styles of ``shequ cite``.
STYLES = ("bibtex", "gbt7714")


def _braced(text: str) -> str:
    """BibTeX-safe text: the characters TeX reads as commands escaped."""
    return re.sub(r"([&%$#_{}])", r"\\\1", text)


def _entry(kind: str, key: str, fields: Sequence[tuple[str, str | None]]) -> str:
    lines = [f"@{kind}{{{key},"]
    lines += [f"  {name} = {{{value}}}," for name, value in fields if value is not None]
    return "\n".join(lines) + "\n}"


def tool_bibtex() -> str:
    """The BibTeX entry (biblatex ``@software``) for shequ itself."""
    authors = " and ".join("{" + _braced(name) + "}" for name in AUTHORS)
    return _entry(
        "software",
        "shequ",
        [("author", authors), ("title", TITLE), ("version", shequ_version()), ("license", LICENSE)],
    )


def tool_gbt7714() -> str:
    """The GB/T 7714-2015 reference for shequ itself (文献类型 CP, computer program)."""
    version = shequ_version()
    return f"{', '.join(AUTHORS)}. {TITLE}[CP]." + (f" Version {version}." if version else "")


def _author(loaded: LoadedStandard, document: Document) -> str:
    """The document's issuer, else the jurisdiction's name: a corporate author."""
    return document.issuer or loaded.standard.jurisdiction.name


def document_bibtex(loaded: LoadedStandard, document: Document) -> str:
    """The BibTeX entry (``@misc``, ``language = {zh}``) for one document of a standard."""
    return _entry(
        "misc",
        f"{loaded.id}_{document.id}",
        [
            ("author", "{" + _braced(_author(loaded, document)) + "}"),
            ("title", _braced(document.title)),
            ("number", _braced(document.number) if document.number else None),
            ("date", document.date.isoformat() if document.date else None),
            ("year", str(document.date.year) if document.date else None),
            ("url", document.source_url),
            ("urldate", document.accessed.isoformat() if document.accessed else None),
            ("language", "zh"),
        ],
    )


def document_gbt7714(loaded: LoadedStandard, document: Document) -> str:
    """The GB/T 7714-2015 reference for one document: 责任者. 题名: 文号[Z]. 日期.

    With a recorded URL: ``[EB/OL]. (日期)[引用日期]. URL.``
    """
    title = document.title + (f": {document.number}" if document.number else "")
    date = document.date.isoformat() if document.date else None
    head = f"{_author(loaded, document)}. {title}"
    if document.source_url:
        accessed = f"[{document.accessed.isoformat()}]" if document.accessed else ""
        published = f"({date})" if date else ""
        return f"{head}[EB/OL]. {published}{accessed}. {document.source_url}."
    return f"{head}[Z]." + (f" {date}." if date else "")


def cite(standards: Sequence[LoadedStandard], styles: Sequence[str] = STYLES) -> str:
    """The text of ``shequ cite``: the tool, then every document of each standard, in each style asked for."""
    sections = []
    if "bibtex" in styles:
        blocks = ["% shequ\n" + tool_bibtex()]
        for loaded in standards:
            heading = f"% {loaded.id}: {loaded.standard.jurisdiction.name}\n"
            blocks += [heading + document_bibtex(loaded, document) for document in loaded.standard.documents]
        sections.append("\n\n".join(blocks))
    if "gbt7714" in styles:
        references = [tool_gbt7714()] + [
            document_gbt7714(loaded, document) for loaded in standards for document in loaded.standard.documents
        ]
        lines = [f"[{number}] {reference}" for number, reference in enumerate(references, start=1)]
        sections.append("\n".join(["GB/T 7714-2015:", *lines]))
    return "\n\n".join(sections) + "\n"
