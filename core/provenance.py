"""What produced a result: the versions, the documents and their texts, the date and the command.

A researcher who cites a number needs to say where it came from. :func:`provenance`
builds one plain dict for that — shequ's version, each loaded plugin's
distribution and version, each selected document (number, title, date, the
URL and access date where its plugin records them, and the SHA-256 of the
shipped text file as it is on disk), the evaluation date, and the command with
its arguments. The CLI attaches it to every JSON output and summarises it in
Markdown (:func:`provenance_note`); a program calls it with the same registry.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from importlib import metadata
from typing import Any

from .registry import LoadedStandard, Registry


def shequ_version() -> str | None:
    """The installed shequ's version (package metadata); None when shequ runs uninstalled."""
    try:
        return metadata.version("shequ")
    except metadata.PackageNotFoundError:
        return None


def document_records(loaded: LoadedStandard) -> list[dict[str, Any]]:
    """Each document of one standard as provenance records it, in the standard's order."""
    return [
        {
            "jurisdiction": loaded.id,
            "id": document.id,
            "number": document.number,
            "title": document.title,
            "issuer": document.issuer,
            "date": document.date,
            "source_url": document.source_url,
            "accessed": document.accessed,
            "sha256": loaded.document_sha256(document.id),
        }
        for document in loaded.standard.documents
    ]


def provenance(
    registry: Registry | None,
    jurisdictions: Sequence[str] = (),
    *,
    as_of: dt.date | None = None,
    command: str | None = None,
    arguments: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The provenance of one result.

    Args:
        registry: the registry the result was computed from; None when the command used no plugin
            (then ``plugins`` and ``documents`` are empty).
        jurisdictions: the jurisdictions whose documents the result rests on; () means every installed one.
        as_of: the evaluation date, where the result has one.
        command: the command path as typed (``shequ compare``).
        arguments: the command's parameters by name, as parsed.
    """
    plugins: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    if registry is not None:
        plugins = [
            {"plugin": info.name, "distribution": info.distribution, "version": info.version}
            for info in sorted(registry.plugins, key=lambda info: info.name)
        ]
        selected = [registry.standards[key] for key in (jurisdictions or sorted(registry.standards))]
        documents = [record for loaded in selected for record in document_records(loaded)]
    return {
        "shequ": shequ_version(),
        "plugins": plugins,
        "documents": documents,
        "as_of": as_of,
        "command": command,
        "arguments": dict(arguments or {}),
    }


def provenance_note(record: Mapping[str, Any]) -> str:
    """One line for Markdown: versions, documents (number or title, date, hash prefix), date and command."""
    plugins = ", ".join(f"{p['plugin']} {p['version'] or '?'}" for p in record["plugins"]) or "none"
    documents = "; ".join(
        f"{d['number'] or d['title']} ({_iso(d['date']) or 'undated'}"
        + (f", sha256 {d['sha256'][:12]}…" if d["sha256"] else "")
        + ")"
        for d in record["documents"]
    )
    parts = [f"shequ {record['shequ'] or '?'}", f"plugins: {plugins}"]
    if documents:
        parts.append(f"documents: {documents}")
    if record["as_of"] is not None:
        parts.append(f"as of {_iso(record['as_of'])}")
    if record["command"]:
        parts.append(f"command: {record['command']}")
    return "Provenance: " + "; ".join(parts) + "."


def _iso(value: Any) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else value
