"""Column-wise normalisation of raw cells: VUID, party, method, county, precinct text.

A county roster can hold a million rows, so every function here works on a whole column:
clean values take a fast path, everything else is normalised once per distinct value.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

import pandas as pd

from turnout_desktop.domain.vuid import VUID_REPAIRED_FLOAT, normalize_vuid

T = TypeVar("T")
_VUID_MIN, _VUID_MAX = 1_000_000_000, 9_999_999_999


def map_unique(values: Sequence[object], function: Callable[[object], T]) -> list[T | None]:
    """Apply ``function`` to each distinct value once and spread the results (None for empty cells)."""
    if not len(values):
        return []
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    mapped = [function(u) for u in uniques]
    empty = function(None)
    return [mapped[c] if c >= 0 else empty for c in codes.tolist()]


def cell_text(value: object) -> str | None:
    """A cell as the text a clerk would see: integral floats lose ``.0``, dates become ISO."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def text_column(values: Sequence[object]) -> list[str | None]:
    """Precinct and similar codes kept as text (``0070`` stays ``0070``)."""
    return map_unique(values, cell_text)


@dataclass(slots=True)
class VuidColumn:
    """Normalised VUIDs beside the raw text and the per-row problem code (None when clean)."""

    vuids: list[str | None]
    raws: list[str]
    codes: list[str | None]


def _slow_vuid(value: object) -> tuple[str | None, str, str | None]:
    result = normalize_vuid(value, numeric_cell=isinstance(value, int | float) and not isinstance(value, bool))
    return result.vuid, result.raw, result.code


def normalize_vuids(values: Sequence[object]) -> VuidColumn:
    """Normalise a VUID column.

    Clean 10-digit text and whole Excel numbers in the VUID range take a fast path; other
    values go through ``domain.vuid.normalize_vuid`` once per distinct value.
    """
    vuids: list[str | None] = [None] * len(values)
    raws: list[str] = [""] * len(values)
    codes: list[str | None] = [None] * len(values)
    cache: dict[object, tuple[str | None, str, str | None]] = {}
    for index, value in enumerate(values):
        kind = type(value)
        if kind is str and len(value) == 10 and value.isdigit():
            vuids[index] = raws[index] = value
            continue
        if kind is float and _VUID_MIN <= value <= _VUID_MAX and value.is_integer():
            vuids[index] = str(int(value))
            raws[index] = repr(value)
            codes[index] = VUID_REPAIRED_FLOAT
            continue
        key = (kind, value) if kind is not float or value == value else (kind, "nan")
        found = cache.get(key)
        if found is None:
            found = cache[key] = _slow_vuid(None if key[1] == "nan" and kind is float else value)
        vuids[index], raws[index], codes[index] = found
    return VuidColumn(vuids, raws, codes)
