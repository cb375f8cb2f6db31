"""Column-wise normalisation of raw cells: VUID, party, method, county, precinct text.

A county roster can hold a million rows, so every function here works on a whole column:
clean values take a vectorised fast path, everything else is normalised once per distinct value.
Results are exactly those of normalising every cell one by one.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from turnout_desktop.domain.vuid import VUID_REPAIRED_FLOAT, normalize_vuid
from turnout_desktop.ingest.readers.arrow_text import cell_list, whole

T = TypeVar("T")
_VUID_MIN, _VUID_MAX = 1_000_000_000, 9_999_999_999
_VUID_DIGITS = 10
# Block sizes of ``scan_blocks``: a block the fast path refuses is retried in the next smaller size,
# and the smallest refused blocks are read cell by cell. Every level costs at most one pass.
BLOCK_SIZES = (4096, 256)

NO_VUID_KEY = -1     # integer key of a row without a usable VUID
OTHER_VUID_KEY = -2  # a VUID of non-ASCII digits: resolved to a distinct key by ``row_vuid_keys``


@dataclass(slots=True)
class Distinct:
    """A column factorised: ``uniques[codes[i]]`` is cell ``i``; code -1 marks an empty (None/NaN) cell."""

    codes: np.ndarray
    uniques: list[object]
    empty_is_none: bool  # True when every empty cell is None (no NaN), so per-row checks can be skipped

    def broadcast(self, mapped: Sequence[object], empty: object) -> np.ndarray:
        """Per-row object array from one result per distinct value (``empty`` for empty cells)."""
        table = np.empty(len(mapped) + 1, dtype=object)
        for position, value in enumerate(mapped):
            table[position] = value  # element-wise, so tuples or lists are never unpacked by numpy
        table[-1] = empty  # code -1 indexes the last entry
        return table[self.codes]

    def rows_where(self, unique_mask: Sequence[bool], empty: bool) -> np.ndarray:
        """Ascending row positions whose distinct value satisfies ``unique_mask`` (``empty`` for empty cells)."""
        table = np.append(np.asarray(unique_mask, dtype=bool), bool(empty))
        return np.flatnonzero(table[self.codes])


def distinct_values(values: Sequence[object]) -> Distinct:
    """Factorise a column. Text-only columns use a hash set (fast); others go through ``pandas.factorize``."""
    if not len(values):
        return Distinct(np.empty(0, dtype=np.intp), [], True)
    mirror = whole(values)
    if mirror is not None:
        return _distinct_arrow(mirror)
    try:
        seen = set(values)
    except TypeError:  # an unhashable cell; pandas copes with it
        seen = None
    # Only exact ``str`` cells are safe here: 1, 1.0 and True would share one set entry.
    if seen is not None and all(value.__class__ is str or value is None for value in seen):
        uniques = [value for value in seen if value is not None]
        index: dict[object, int] = {value: position for position, value in enumerate(uniques)}
        index[None] = -1
        codes = np.fromiter(map(index.__getitem__, values), dtype=np.intp, count=len(values))
        return Distinct(codes, uniques, True)
    codes, uniques = pd.factorize(pd.Series(values, dtype=object), use_na_sentinel=True)
    return Distinct(np.asarray(codes, dtype=np.intp), list(uniques), False)


def _distinct_arrow(mirror: object) -> Distinct:
    """``distinct_values`` of a text column through its Arrow mirror (hash passes in C, no per-cell call)."""
    import pyarrow.compute as pc

    uniques = pc.unique(mirror).drop_null()
    codes = pc.index_in(mirror, value_set=uniques).fill_null(-1)
    return Distinct(np.asarray(codes.to_numpy(), dtype=np.intp), uniques.to_pylist(), True)


def scan_blocks(size: int, fast: Callable[[int, int], bool], slow: Callable[[int, int], None],
                block_sizes: Sequence[int] = BLOCK_SIZES, start: int = 0) -> None:
    """Cover positions [start, start + size) with ``fast(a, b)`` on whole blocks, in order.

    Where ``fast`` declines a block (returns False), the block is retried in the next smaller block
    size; declined blocks of the smallest size go to ``slow(a, b)``. A clean column therefore costs
    one vectorised pass, and each odd cell only a few small blocks.
    """
    step, smaller = block_sizes[0], block_sizes[1:]
    stop = start + size
    for first in range(start, stop, step):
        last = min(first + step, stop)
        if fast(first, last):
            continue
        if smaller:
            scan_blocks(last - first, fast, slow, smaller, first)
        else:
            slow(first, last)


def has_hidden_characters(value: object) -> bool:
    """True for text holding C0/C1 control characters or invisible format characters.

    Bidi overrides (U+202E), zero-width spaces and joiners, the BOM: the Trojan Source class
    (docs/reliability.md T4). In a key field they make two values look equal that are not, or one value
    display as another; such cells are reported, never cleaned silently. TAB is a control too here:
    key fields are single tokens.
    """
    if not isinstance(value, str) or value.isascii() and value.isprintable():
        return False
    return any(unicodedata.category(ch) in _HIDDEN_CATEGORIES for ch in value)


_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf"})


def map_unique(values: Sequence[object], function: Callable[[object], T]) -> list[T | None]:
    """Apply ``function`` to each distinct value once and spread the results (None for empty cells)."""
    return map_unique_array(values, function).tolist()


def map_unique_array(values: Sequence[object], function: Callable[[object], T]) -> np.ndarray:
    """``map_unique`` as an object array (no per-row Python list for a million-row column)."""
    if not len(values):
        return np.empty(0, dtype=object)
    distinct = distinct_values(values)
    mapped = [function(u) for u in distinct.uniques]
    return distinct.broadcast(mapped, function(None))


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


@dataclass(slots=True)
class VuidArrays:
    """``VuidColumn`` as object arrays, plus integer keys and the positions that carry a code.

    ``keys`` is the VUID as an int64 (``NO_VUID_KEY`` without one, ``OTHER_VUID_KEY`` for non-ASCII
    digits), so duplicate checks and counts hash integers instead of a million strings.
    """

    vuids: np.ndarray
    raws: np.ndarray
    codes: np.ndarray
    keys: np.ndarray
    flagged: np.ndarray  # ascending positions whose code is not None


def _slow_vuid(value: object) -> tuple[str | None, str, str | None]:
    result = normalize_vuid(value, numeric_cell=isinstance(value, int | float) and not isinstance(value, bool))
    return result.vuid, result.raw, result.code


def _plain_text_digits(chunk: list[object]) -> str | None:
    """The cells joined, when every one is ``str`` of exactly ten ASCII digits; else None."""
    if set(map(type, chunk)) != {str}:  # str subclasses take the cell-by-cell path, as they always did
        return None
    joined = "".join(chunk)  # type: ignore[arg-type]
    if len(joined) != _VUID_DIGITS * len(chunk) or not (joined.isascii() and joined.isdigit()):
        return None
    # The total length alone would accept 9 + 11 characters; with no cell shorter than ten, all are ten.
    if min(map(len, chunk)) != _VUID_DIGITS:  # type: ignore[arg-type]
        return None
    return joined


def _keys_from_digits(joined: str) -> np.ndarray:
    """Ten-digit groups of ``joined`` as int64 (Horner's rule, one column of digits at a time)."""
    digits = np.frombuffer(joined.encode("ascii"), dtype=np.uint8).reshape(-1, _VUID_DIGITS)
    keys = digits[:, 0].astype(np.int64) - ord("0")
    for place in range(1, _VUID_DIGITS):
        keys *= 10
        keys += digits[:, place]
        keys -= ord("0")
    return keys


def _whole_floats(chunk: list[object]) -> np.ndarray | None:
    """The cells as int64, when every one is a float holding a whole number in the VUID range."""
    if set(map(type, chunk)) != {float}:
        return None
    numbers = np.array(chunk, dtype=np.float64)
    if not ((numbers >= _VUID_MIN) & (numbers <= _VUID_MAX) & (numbers == np.floor(numbers))).all():
        return None
    return numbers.astype(np.int64)


class _VuidScanner:
    """Fills ``VuidArrays`` block by block; only blocks holding odd cells are read cell by cell."""

    def __init__(self, values: Sequence[Any]) -> None:  # cells: str, float, int, dates or None
        size = len(values)
        self.values = values
        self.vuids = np.empty(size, dtype=object)
        self.raws = np.empty(size, dtype=object)
        self.codes = np.full(size, None, dtype=object)
        self.keys = np.full(size, NO_VUID_KEY, dtype=np.int64)
        self.flagged: list[np.ndarray] = []
        self.cache: dict[object, tuple[str | None, str, str | None]] = {}

    def block(self, start: int, stop: int) -> bool:
        """Fill [start, stop) when it is all clean text or all whole numbers; False otherwise."""
        chunk = self.values[start:stop]
        if not isinstance(chunk, list):
            chunk = list(chunk)
        joined = _plain_text_digits(chunk)
        if joined is not None:
            self.vuids[start:stop] = chunk
            self.raws[start:stop] = chunk
            self.keys[start:stop] = _keys_from_digits(joined)
            return True
        numbers = _whole_floats(chunk)
        if numbers is not None:
            self.vuids[start:stop] = list(map(str, numbers.tolist()))
            self.raws[start:stop] = list(map(repr, chunk))
            self.codes[start:stop] = VUID_REPAIRED_FLOAT
            self.keys[start:stop] = numbers
            self.flagged.append(np.arange(start, stop))
            return True
        return False

    def cell_by_cell(self, start: int, stop: int) -> None:
        """The per-cell rules of ``normalize_vuid``, each distinct odd value normalised once."""
        flagged: list[int] = []
        for offset, value in enumerate(self.values[start:stop]):
            kind = type(value)
            if kind is str and len(value) == _VUID_DIGITS and value.isdigit():
                found: tuple[str | None, str, str | None] = (value, value, None)
            elif kind is float and _VUID_MIN <= value <= _VUID_MAX and value.is_integer():
                found = (str(int(value)), repr(value), VUID_REPAIRED_FLOAT)
            else:
                key = (kind, value) if kind is not float or value == value else (kind, "nan")
                cached = self.cache.get(key)
                if cached is None:
                    cached = self.cache[key] = _slow_vuid(None if key[1] == "nan" and kind is float else value)
                found = cached
            position = start + offset
            vuid, self.raws[position], code = found
            self.vuids[position] = vuid
            if code is not None:
                self.codes[position] = code
                flagged.append(position)
            if vuid is not None:
                self.keys[position] = int(vuid) if vuid.isascii() else OTHER_VUID_KEY
        if flagged:
            self.flagged.append(np.asarray(flagged, dtype=np.intp))

    def result(self) -> VuidArrays:
        flagged = np.concatenate(self.flagged) if self.flagged else np.empty(0, dtype=np.intp)
        return VuidArrays(self.vuids, self.raws, self.codes, self.keys, flagged)


def normalize_vuid_array(values: Sequence[object]) -> VuidArrays:
    """Normalise a VUID column into arrays (see ``normalize_vuids`` for the rules)."""
    clean = _clean_arrow_vuids(values)
    if clean is not None:
        return clean
    values = cell_list(values)  # the block scan slices the cells many times: build them once
    scanner = _VuidScanner(values)
    scan_blocks(len(values), scanner.block, scanner.cell_by_cell)
    return scanner.result()


def _clean_arrow_vuids(values: Sequence[object]) -> VuidArrays | None:
    """The result for a text column whose Arrow mirror shows only 10-ASCII-digit cells; else None.

    That is the usual csv roster: one vectorised check instead of the block scan. Anything else
    (blanks, floats, odd text) returns None and takes the general path, which gives the same results.
    """
    mirror = whole(values)
    if mirror is None or not len(values) or mirror.null_count:
        return None
    import pyarrow as pa
    import pyarrow.compute as pc

    # Ten bytes of ASCII decimal digits each: exactly what the block scan accepts (a regex is 10x slower).
    lengths = pc.min_max(pc.binary_length(mirror)).as_py()
    if lengths != {"min": _VUID_DIGITS, "max": _VUID_DIGITS} or not pc.all(pc.ascii_is_decimal(mirror)).as_py():
        return None
    vuids = np.empty(len(values), dtype=object)
    vuids[:] = cell_list(values)
    keys = np.asarray(pc.cast(mirror, pa.int64()).to_numpy(), dtype=np.int64)
    return VuidArrays(vuids, vuids.copy(), np.full(len(values), None, dtype=object), keys,
                      np.empty(0, dtype=np.intp))


def normalize_vuids(values: Sequence[object]) -> VuidColumn:
    """Normalise a VUID column.

    Clean 10-digit text and whole Excel numbers in the VUID range take a vectorised fast path;
    other values go through ``domain.vuid.normalize_vuid`` once per distinct value.
    """
    arrays = normalize_vuid_array(values)
    return VuidColumn(arrays.vuids.tolist(), arrays.raws.tolist(), arrays.codes.tolist())


def row_vuid_keys(rows: pd.DataFrame) -> np.ndarray:
    """One int64 per row, equal exactly when the rows' VUIDs are equal (``NO_VUID_KEY`` for none).

    Uses the ``_vuid_key`` column roster sheets carry; without it the VUID text is factorised.
    """
    if "_vuid_key" not in rows.columns:
        codes, _ = pd.factorize(rows["vuid"], use_na_sentinel=True)
        return np.asarray(codes, dtype=np.int64)
    keys = rows["_vuid_key"].to_numpy(dtype=np.int64, copy=True)
    others = np.flatnonzero(keys == OTHER_VUID_KEY)
    if len(others):
        # Non-ASCII digit VUIDs are rare: number their distinct texts below the other keys.
        numbering: dict[object, int] = {}
        texts = rows["vuid"].to_numpy(dtype=object)[others]
        keys[others] = [OTHER_VUID_KEY - numbering.setdefault(text, len(numbering)) for text in texts]
    return keys
