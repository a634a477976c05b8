"""The library's provenance record: what a program gets without the CLI."""

from __future__ import annotations

import datetime as dt

from shequ import get_registry
from shequ.provenance import provenance, provenance_note


def test_a_program_gets_the_documents_it_names():
    record = provenance(get_registry(), ["donghai"], as_of=dt.date(2021, 1, 1))
    (document,) = record["documents"]
    assert document["number"] == "东政办发〔2019〕31号" and document["date"] == dt.date(2019, 4, 25)
    assert len(document["sha256"]) == 64
    assert record["as_of"] == dt.date(2021, 1, 1) and record["command"] is None and record["arguments"] == {}
    assert {plugin["plugin"] for plugin in record["plugins"]} >= {"donghai"}


def test_without_a_registry_there_are_no_plugins_or_documents():
    record = provenance(None)
    assert record["plugins"] == [] and record["documents"] == []
    note = provenance_note(record)
    assert note.startswith("Provenance: shequ ") and "plugins: none" in note and "documents" not in note


def test_a_document_without_shipped_text_has_no_hash(tmp_path):
    from support import registry_with, write_standard

    path = write_standard(tmp_path, "")
    registry = registry_with(path)
    (document,) = provenance(registry, ["mini"])["documents"]
    assert document["sha256"] is None
    assert "sha256" not in provenance_note(provenance(registry, ["mini"]))
