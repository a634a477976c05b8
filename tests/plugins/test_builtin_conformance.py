"""The five built-in jurisdictions pass the conformance kit any plugin uses, and their standards are pinned.

The same two checks a package made by ``shequ new-plugin`` runs on itself:
``assert_conforms`` (schema, ids, quotes, numbers, overlaps) and a
``data_regression`` snapshot of the normalised standard, one YAML file per
jurisdiction under ``tests/test_builtin_conformance/``. A snapshot changes only
in a commit that says why the standard changed (``pytest --force-regen``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ.authoring.testing import assert_conforms, standard_snapshot

BUILT_INS = ["changchun", "donghai", "longgang", "national", "panzhihua", "xiamen"]
SNAPSHOTS = Path(__file__).with_suffix("")


@pytest.mark.parametrize("jurisdiction_id", BUILT_INS)
def test_conforms(jurisdiction_id, shequ_registry):
    assert_conforms(jurisdiction_id, shequ_registry)


@pytest.mark.parametrize("jurisdiction_id", BUILT_INS)
def test_standard_snapshot(jurisdiction_id, shequ_registry, data_regression):
    loaded = shequ_registry.get(jurisdiction_id)
    assert loaded.plugin == jurisdiction_id  # loaded through its entry point, like any plugin
    data_regression.check(standard_snapshot(loaded, shequ_registry), basename=jurisdiction_id)


@pytest.mark.parametrize("jurisdiction_id", BUILT_INS)
def test_snapshot_keeps_chinese_readable(jurisdiction_id):
    text = (SNAPSHOTS / f"{jurisdiction_id}.yml").read_text(encoding="utf-8")
    assert "\\u" not in text and "\\x" not in text, "escaped characters in the snapshot: dump with allow_unicode"
    assert "社区" in text
