"""Fixtures of the service tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from turnout_desktop.services.worker_context import dispose_engines


@pytest.fixture
def close_cached_engines() -> Iterator[None]:
    """Close the engines the desktop jobs cached during the test (``services/worker_context.py``)."""
    yield
    dispose_engines()
