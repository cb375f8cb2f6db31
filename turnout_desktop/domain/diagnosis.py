"""The root causes the engine's diagnose step names (``engine/diagnose.py``), in their stable order.

The values are kept in ``reconciliation_log.diagnosis``, the CLI's JSON and the reports' data, so they never
change; strategies declare which of them they handle (``engine/types.py`` ``Strategy.handles``). What a user
reads for each is in ``domain/labels.py``.
"""

from __future__ import annotations

from enum import StrEnum


class DiagnosisCode(StrEnum):
    """One root cause of a discrepancy; the order is the order a diagnosis lists its codes in."""

    MISSING_VUIDS = "missing_vuids"
    EXTRA_VUIDS = "extra_vuids"
    DUPLICATE_RECORDS = "duplicate_records"
    WRONG_DISTRICT = "wrong_district"
    DATA_FORMAT = "data_format"
    TIMING = "timing"
    UNEXPLAINED = "unexplained"
