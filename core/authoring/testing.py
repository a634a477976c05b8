"""The conformance kit: how any jurisdiction plugin tests itself, the way the built-ins do.

Installed as a pytest plugin (entry point ``pytest11: shequ``), it offers the
fixture ``shequ_registry`` and these helpers::

    from shequ.authoring.testing import assert_conforms, standard_snapshot


    def test_conforms():
        assert_conforms("mycity")  # loads, validates, quotes, numbers


    def test_snapshot(data_regression, shequ_registry):
        data_regression.check(standard_snapshot(shequ_registry.get("mycity"), shequ_registry))

Importing this module is cheap: it loads no plugin and no Polars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from ..registry import LoadedStandard, Registry


def conformance_problems(jurisdiction_id: str, registry: Registry | None = None) -> list[str]:
    """Every conformance problem of one installed jurisdiction, as sentences."""
    from ..checks.audit import audit
    from ..checks.validate import overlap_problems
    from ..registry import get_registry

    registry = registry or get_registry()  # loading already checks schema and references
    loaded = registry.get(jurisdiction_id)
    problems = audit(loaded) + overlap_problems(loaded)
    if loaded.path is None:
        problems_text = [f"{jurisdiction_id}: declared in Python; ship it as TOML so it can be cited and checked"]
    else:
        problems_text = []
    return problems_text + [str(p) for p in problems]


def assert_conforms(jurisdiction_id: str, registry: Registry | None = None) -> None:
    """Fail with every problem when a jurisdiction does not meet shequ's standard of fidelity.

    Checks: it loads through its entry point; its TOML matches the schema; every
    metric, kind, flag and department it names exists; every quote is in the
    shipped document text; every requirement number is in its quote (or
    explained); every number in the document is encoded or listed in
    ``unencoded`` with a reason; no two rules overlap.
    """
    problems = conformance_problems(jurisdiction_id, registry)
    if problems:
        pytest.fail(
            f"{jurisdiction_id} does not conform ({len(problems)} problems):\n  - " + "\n  - ".join(problems),
            pytrace=False,
        )


def standard_snapshot(loaded: LoadedStandard, registry: Registry) -> dict[str, Any]:
    """The normalised standard as plain data for ``data_regression.check`` (readable Chinese)."""
    from ..output import plain
    from ..payloads import standard_payload  # the same normalised form `shequ show --format json` prints

    payload = standard_payload(registry, loaded)
    payload.pop("plugin", None)
    return plain(payload)


@pytest.fixture(scope="session")
def shequ_registry() -> Registry:
    """The registry of installed shequ plugins (honours SHEQU_PLUGINS)."""
    from ..registry import get_registry

    return get_registry()
