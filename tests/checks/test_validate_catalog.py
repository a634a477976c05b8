"""`shequ validate` checks a standard against exactly the catalog the registry (and so the conformance kit) builds."""

from __future__ import annotations

import pytest

from shequ.checks.validate import _catalog_without
from shequ.registry import get_registry


@pytest.mark.parametrize("jurisdiction", sorted(get_registry().standards))
def test_validate_sees_the_metrics_and_events_the_registry_sees(jurisdiction):
    registry = get_registry()
    loaded = registry.get(jurisdiction)
    catalog = _catalog_without(loaded.id, loaded.path)
    catalog.add(loaded.standard.catalog, origin="the file", plugin=loaded.plugin)
    assert catalog.check_formulas() == []
    assert catalog.metric_ids() == registry.catalog.metric_ids()
    assert {key: metric.unit for key, metric in catalog.metrics.items()} == {
        key: metric.unit for key, metric in registry.catalog.metrics.items()
    }
    assert sorted(catalog.events) == sorted(registry.catalog.events)
