"""Text columns that keep the Arrow array they were converted from, for vectorised fast paths.

The csv fast path (``text_fast``) and the fastexcel path (``excel_fast``) build each text column
from an Arrow string array. ``ArrowText`` is that column as a read-only sequence of cells that keeps
the Arrow array and builds the Python cells only when something reads them all: a roster's name
columns are never needed cell by cell, and turning a million Arrow strings into Python ones costs
about 0.06 s per column (measured). The million-row passes of pre-check (distinct values, VUID
checks, blank rows) run in pyarrow.compute on the Arrow array instead of one Python call per cell
(5-10x faster per pass on 1M rows, measured).

The cells are ``before + arrow + after``: Python-parsed banner rows above and footer rows below
the Arrow rows (null in Arrow is a ``None`` cell). An ``ArrowText`` compares equal to the list of its
cells, indexes, slices and iterates like one; it cannot be changed. No Qt, no database.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

# A pyarrow Array or ChunkedArray. pyarrow ships no type stubs, so its arrays are typed as Any.
ArrowArray = Any

# Single cells read one by one through Arrow scalars; beyond this many the column is built in Python once.
SCALAR_READS = 2000


class ArrowText(Sequence[object]):
    """A read-only column of text cells (``str`` or ``None``) backed by an Arrow string array.

    Attributes:
        arrow: a ``pyarrow`` string Array or ChunkedArray; null where the cell is ``None``.
        before: cells above the Arrow rows.
        after: cells below the Arrow rows.
    """

    __hash__ = None  # type: ignore[assignment]  # like a list

    def __init__(self, arrow: ArrowArray, before: Sequence[object] = (), after: Sequence[object] = ()) -> None:
        self.arrow = arrow
        self.before = list(before)
        self.after = list(after)
        self._cells: list[object] | None = None
        self._reads = 0

    @property
    def offset(self) -> int:
        """Position of ``arrow[0]`` among the cells."""
        return len(self.before)

    def cells(self) -> list[object]:
        """All cells as a Python list (built once, then shared: do not modify it)."""
        if self._cells is None:
            middle = pylist(self.arrow)
            self._cells = self.before + middle + self.after if self.before or self.after else middle
        return self._cells

    def __len__(self) -> int:
        return len(self.before) + len(self.arrow) + len(self.after)

    def __getitem__(self, index: int | slice) -> object:  # type: ignore[override]
        if self._cells is not None:
            return self._cells[index]
        if isinstance(index, slice):
            return self._slice(index)
        size = len(self)
        position = index + size if index < 0 else index
        if not 0 <= position < size:
            raise IndexError("ArrowText index out of range")
        self._reads += 1
        if self._reads > SCALAR_READS:
            return self.cells()[position]
        if position < self.offset:
            return self.before[position]
        inside = position - self.offset
        if inside >= len(self.arrow):
            return self.after[inside - len(self.arrow)]
        return self.arrow[inside].as_py()

    def _slice(self, index: slice) -> list[object]:
        start, stop, step = index.indices(len(self))
        if step != 1:
            return self.cells()[index]
        stop = max(start, stop)
        lower, upper = self.offset, self.offset + len(self.arrow)
        middle_start, middle_stop = min(max(start, lower), upper), max(min(stop, upper), lower)
        middle = pylist(self.arrow.slice(middle_start - lower, middle_stop - middle_start)) \
            if middle_stop > middle_start else []
        return self.before[start:stop] + middle + self.after[max(start - upper, 0):max(stop - upper, 0)]

    def __iter__(self) -> Iterator[object]:
        return iter(self.cells())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ArrowText):
            other = other.cells()
        if not isinstance(other, list):
            return NotImplemented
        return self.cells() == other

    def __add__(self, other: object) -> list[object]:
        if not isinstance(other, list | ArrowText):
            return NotImplemented
        return self.cells() + list(other)

    def __radd__(self, other: object) -> list[object]:
        if not isinstance(other, list):
            return NotImplemented
        return other + self.cells()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return np.asarray(self.cells(), dtype=dtype)

    def __reduce__(self) -> tuple[object, tuple[list[object]]]:
        return list, (self.cells(),)  # a copy is a plain list of the same cells

    def __repr__(self) -> str:
        return repr(self.cells())


def window(values: Sequence[object], start: int, stop: int) -> ArrowArray | None:
    """The Arrow mirror of ``values[start:stop]``, or ``None`` when ``values`` has none for that range."""
    if not isinstance(values, ArrowText):
        return None
    offset = values.offset
    if start < offset or stop > offset + len(values.arrow) or start > stop:
        return None
    return values.arrow.slice(start - offset, stop - start)


def whole(values: Sequence[object]) -> ArrowArray | None:
    """The Arrow mirror of all of ``values``, or ``None``."""
    return window(values, 0, len(values))


def cell_list(values: Sequence[object]) -> list[object]:
    """``values`` as a list (an ``ArrowText``'s shared cells: read them, do not modify them)."""
    return values.cells() if isinstance(values, ArrowText) else values if isinstance(values, list) else list(values)


def take_cells(column: Sequence[object], indexes: np.ndarray) -> Sequence[object]:
    """Cells of ``column`` at the ascending ``indexes``; an Arrow-backed column stays Arrow-backed."""
    first, last = int(indexes[0]), int(indexes[-1])
    contiguous = last - first + 1 == len(indexes)
    mirror = window(column, first, last + 1)
    if mirror is not None:
        if not contiguous:
            import pyarrow as pa

            mirror = mirror.take(pa.array(indexes - first))
        return ArrowText(mirror)
    if contiguous:
        part = column[first:last + 1]
        return part if isinstance(part, list) else list(part)  # a list slice is already a fresh list
    return [column[i] for i in indexes.tolist()]


def pylist(arrow: ArrowArray) -> list[object]:
    """An Arrow string array as Python cells (null -> None).

    ``to_numpy`` goes through Arrow's pandas conversion, which builds each repeated string once
    (party, method, precinct columns hold a handful of values), so the set-based passes later hash
    each distinct string once.
    """
    cells: list[object] = arrow.to_numpy(zero_copy_only=False).tolist()
    return cells
