"""The fault tests run the portal against a fault-injecting proxy in front of the real reference service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from tests.conftest import PlanService

from .proxies import HTTPFaultProxy


@pytest.fixture
def fault_proxy(plan_service: PlanService) -> Iterator[HTTPFaultProxy]:
    proxy = HTTPFaultProxy(plan_service.fhir_url)
    yield proxy
    proxy.close()


@pytest.fixture
def app(make_app: Any, fault_proxy: HTTPFaultProxy) -> Flask:
    # Real backoff (2 s base, 600 s cap) and the default probe (2 s): a recovery "within 5 s" cannot come
    # from short test delays. Only the hold (401/403) is re-tried sooner than its default 30 s.
    return make_app(
        PLAN_API_URL=fault_proxy.url,
        OUTBOX_BASE_DELAY_SECONDS=2.0,
        OUTBOX_MAX_DELAY_SECONDS=600.0,
        OUTBOX_HOLD_RETRY_SECONDS=0.2,
    )
