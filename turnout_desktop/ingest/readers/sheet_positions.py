"""Where calamine places the cells of an xlsx sheet that carry no ``r=`` reference, found before it reads them.

A cell without ``r=`` sits at calamine's running position: the row counter is set by a row's own ``r=``
and advanced by every row end (``<row/>`` counts as one), the column counter is set by a cell's ``r=``,
advanced by every cell and reset by a row end. So a 2.5 MB sheet of 20 million empty rows and one wide
row asks calamine for a 20M x 256 rectangle (163 GB, an uncatchable abort). ``sheet_extent`` cannot see
those positions (it reads only ``r=`` values); ``PlainCellScreen`` notices cells without one during
its pass, and only then ``plain_cell_extent`` replays calamine's counters over the part.

The replay is exact for well-formed XML, so expat checks the same bytes (in C) and a part that is not
well-formed is refused: then no end tag can hide in a comment, a CDATA section or an attribute value.
Comments, CDATA and processing instructions are cut out, namespace prefixes on ``row``/``c`` removed,
and the tags of interest are found with numpy over bounded windows (memory stays ~4 windows).
Used only by ``safety``; no Qt, no database.
"""

from __future__ import annotations

import re
from typing import IO

import numpy as np

WINDOW_BYTES = 4 * 1024 * 1024
MAX_CARRY_BYTES = 32 * 1024 * 1024  # a comment or tag longer than this is not a worksheet
MAX_PREFIXES = 8                     # distinct namespace prefixes on row/c tags before the part is refused
_PAD = 32

# A cell start tag, plain (<c) or prefixed (<x:c), whose first attribute is not r="..." (self-closing, bare,
# or r written elsewhere). Matched from its "c" and checked behind: one pass over the chunk, and the literal
# first byte keeps it fast (18 ms per 16 MB against 40 ms for a pattern each).
_CELL_WITHOUT_LEADING_R = re.compile(rb'c(?<=[<:]c)(?! r=")[\s/>]')
_LEADING_R = b' r="'
_PREFIXED_TAG = re.compile(rb"</?([A-Za-z_][\w.\-]*):(?:row|c)[\s/>]")
_ANY_PREFIXED_NAME = re.compile(rb":(?:row|c)[\s/>]")  # literal first byte: a fast screen
_INVISIBLE = re.compile(rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>", re.DOTALL)
_SPACED_EQUALS = re.compile(rb"[ \t\r\n]*=[ \t\r\n]*")
# A ">" inside a quoted attribute value would end a tag early for the numpy scan (legal XML, never written
# by spreadsheet programs); "<" cannot occur there in well-formed XML.
_QUOTED_GREATER = re.compile(rb"=\"[^\"<]*>|='[^'<]*>")

_LT, _GT, _SLASH, _EQUALS = ord("<"), ord(">"), ord("/"), ord("=")
_SPACES = np.array([ord(" "), ord("\t"), ord("\r"), ord("\n")], np.uint8)
_QUOTES = np.array([ord('"'), ord("'")], np.uint8)


class SheetStructureError(ValueError):
    """The part cannot be replayed safely (not well-formed, or a shape no spreadsheet program writes)."""


class PlainCellScreen:
    """Watches the chunks of ``sheet_extent.xlsx_extent``'s pass for cells that carry no leading ``r=``.

    One regex search per chunk (~18 ms per 16 MB); ``found`` stays False for the sheets Excel,
    LibreOffice, openpyxl and xlsxwriter write, so the replay never runs for them.
    """

    def __init__(self) -> None:
        self.found = False
        self._first = True

    def __call__(self, tail: bytes, chunk: bytes) -> None:
        if self._first:
            self._first = False
            if chunk.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in chunk[:4]:
                raise SheetStructureError("the worksheet is not UTF-8 XML")
        if self.found:
            return
        seam = tail[-8:] + chunk[:8]
        self.found = _has_plain_cell(chunk) or _has_plain_cell(seam)


def _has_plain_cell(buffer: bytes) -> bool:
    """True when ``buffer`` holds a cell start tag without a leading ``r=``.

    A tag cut by the buffer's end (``<c r=`` of ``<c r="A9">``) is not one: the lookahead saw too few bytes;
    the next seam (8 bytes of this chunk, 8 of the next) sees it whole. Misreading it cost a 1M-row
    xlsxwriter roster a needless replay of about 9 s whenever a chunk ended there.
    """
    for match in _CELL_WITHOUT_LEADING_R.finditer(buffer):
        rest = buffer[match.start() + 1:match.start() + 1 + len(_LEADING_R)]
        if len(rest) == len(_LEADING_R) or not _LEADING_R.startswith(rest):
            return True
    return False


class _Counters:
    """calamine's running position (0-based row and column) and whether a cell is open, between windows."""

    def __init__(self) -> None:
        self.row = 0
        self.column = 0
        self.in_cell = False
        self.last_row = 0      # 1-based bounds of the cells without r= seen so far
        self.last_column = 0
        self.prefixes: set[bytes] = set()


def plain_cell_extent(handle: IO[bytes], *, stop_beyond_row: int | None = None,
                      window_bytes: int = WINDOW_BYTES) -> tuple[int, int]:
    """``(last row, last column)``, 1-based, of the cells without ``r=`` in one worksheet part.

    Args:
        handle: the decompressing stream of the part (read once, in windows).
        stop_beyond_row: stop reading once calamine's row counter passes this row (no spreadsheet has
            more rows than its program allows); the counter is then returned as the last row.
        window_bytes: bytes per read (tests pass small sizes).

    Raises:
        SheetStructureError: the part is not well-formed XML, declares a DOCTYPE, nests a row or a cell
            inside a cell, quotes a ``>`` in an attribute, or holds an endless comment or tag.
    """
    from xml.parsers import expat

    parser = expat.ParserCreate()

    def refuse_doctype(*_args: object) -> None:
        raise SheetStructureError("the worksheet declares a DOCTYPE")

    parser.StartDoctypeDeclHandler = refuse_doctype
    counters = _Counters()
    carry = b""
    try:
        while chunk := handle.read(window_bytes):
            parser.Parse(chunk, False)
            carry = _replay_ready(carry + chunk, counters)
            if stop_beyond_row is not None and counters.row > stop_beyond_row:
                return counters.row, counters.last_column
            if len(carry) > MAX_CARRY_BYTES:
                raise SheetStructureError("the worksheet holds a comment or tag longer than 32 MB")
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        raise SheetStructureError(f"the worksheet is not well-formed XML (line {error.lineno}, column "
                                  f"{error.offset}: {expat.errors.messages[error.code]})") from None
    if carry:
        _replay(carry, counters)
    return counters.last_row, counters.last_column


def _replay_ready(buffer: bytes, counters: _Counters) -> bytes:
    """Replay the complete tags of ``buffer``; return the unfinished rest (from its last ``<``)."""
    if b"<!" in buffer or b"<?" in buffer:
        buffer = _INVISIBLE.sub(b"", buffer)
        unfinished = min((i for i in (buffer.find(b"<!"), buffer.find(b"<?")) if i >= 0), default=-1)
        if unfinished >= 0:
            _replay(buffer[:unfinished], counters)
            return buffer[unfinished:]
    cut = buffer.rfind(b"<")
    if cut <= 0:
        return buffer
    _replay(buffer[:cut], counters)
    return buffer[cut:]


def _normalised(window: bytes, counters: _Counters) -> bytes:
    """The window with namespace prefixes on row/c tags and spaces around ``=`` removed."""
    while _ANY_PREFIXED_NAME.search(window) and (match := _PREFIXED_TAG.search(window)):
        prefix = match.group(1)
        counters.prefixes.add(prefix)
        if len(counters.prefixes) > MAX_PREFIXES:
            raise SheetStructureError(f"the worksheet uses more than {MAX_PREFIXES} namespace prefixes")
        window = window.replace(b"<" + prefix + b":", b"<").replace(b"</" + prefix + b":", b"</")
    equals = np.flatnonzero(np.frombuffer(window, np.uint8) == _EQUALS)
    if equals.size:
        data = np.frombuffer(window + b"\x00", np.uint8)
        if np.isin(data[equals - 1], _SPACES).any() or np.isin(data[equals + 1], _SPACES).any():
            window = _SPACED_EQUALS.sub(b"=", window)
        if _QUOTED_GREATER.search(window):
            raise SheetStructureError("a worksheet whose cells carry no reference quotes '>' in an attribute")
    return window


def _replay(window: bytes, counters: _Counters) -> None:
    """Advance ``counters`` over the complete tags of one window (it starts at a tag or in text)."""
    if not window:
        return
    window = _normalised(window, counters)
    size = len(window)
    data = np.frombuffer(window + b"\x00" * _PAD, np.uint8)
    starts = np.flatnonzero(data[:size] == _LT)
    if starts.size == 0:
        return
    closing = data[starts + 1] == _SLASH
    name = starts + 1 + closing
    first = data[name]
    keep = (first == ord("c")) | (first == ord("r"))
    starts, closing, name, first = starts[keep], closing[keep], name[keep], first[keep]
    is_cell = (first == ord("c")) & _delimiter(data[name + 1])
    is_row = ((first == ord("r")) & (data[name + 1] == ord("o")) & (data[name + 2] == ord("w"))
              & _delimiter(data[name + 3]))
    keep = is_cell | is_row
    starts, closing, is_cell = starts[keep], closing[keep], is_cell[keep]
    if starts.size == 0:
        return
    ends_at = np.flatnonzero(data[:size] == _GT)
    tag_end = ends_at[np.minimum(np.searchsorted(ends_at, starts), ends_at.size - 1)] if ends_at.size else starts
    self_closing = ~closing & (data[np.maximum(tag_end - 1, 0)] == _SLASH) & (tag_end > starts)
    value = _reference_values(data, size, starts, tag_end, closing, is_cell)
    _advance(counters, closing, is_cell, self_closing, value)


def _delimiter(values: np.ndarray) -> np.ndarray:
    """Bytes that may end an element name: whitespace, ``>`` or ``/``."""
    return (values == _GT) | (values == _SLASH) | (values <= 32)


def _reference_values(data: np.ndarray, size: int, starts: np.ndarray, tag_end: np.ndarray,
                      closing: np.ndarray, is_cell: np.ndarray) -> np.ndarray:
    """Per start tag: its ``r=`` row (rows) or column (cells), 1-based; 0 when it has no ``r=``."""
    values = np.zeros(starts.size, np.int64)
    r_at = np.flatnonzero((data[:size] == ord("r")) & (data[1:size + 1] == _EQUALS))
    if r_at.size == 0:
        return values
    r_at = r_at[np.isin(data[r_at - 1], _SPACES) & np.isin(data[r_at + 2], _QUOTES)]
    owner = np.searchsorted(starts, r_at, side="right") - 1
    inside = (owner >= 0) & (r_at < tag_end[np.maximum(owner, 0)]) & ~closing[np.maximum(owner, 0)]
    owner, r_at = owner[inside], r_at[inside]
    rows, columns = _parse_references(data, r_at + 3)
    values[owner] = np.where(is_cell[owner], np.maximum(columns, 1), np.maximum(rows, 1))
    return values


def _parse_references(data: np.ndarray, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(row, column)`` numbers of references like ``AB12`` starting at ``at`` (get_row_and_optional_column)."""
    row = np.zeros(at.size, np.int64)
    column = np.zeros(at.size, np.int64)
    in_letters = np.ones(at.size, bool)
    alive = np.ones(at.size, bool)
    cap = 10 ** 9
    for offset in range(14):
        byte = data[np.minimum(at + offset, data.size - 1)].astype(np.int64)
        letter = ((byte | 0x20) - ord("a") >= 0) & ((byte | 0x20) - ord("a") < 26)
        digit = (byte >= ord("0")) & (byte <= ord("9"))
        take_letter = alive & in_letters & letter
        column = np.where(take_letter, np.minimum(column * 26 + (byte | 0x20) - ord("a") + 1, cap), column)
        take_digit = alive & digit
        row = np.where(take_digit, np.minimum(row * 10 + byte - ord("0"), cap), row)
        in_letters &= ~digit
        alive &= letter | digit
    # Still reading after 14 bytes: a reference beyond every limit.
    return np.where(alive, cap, row), np.where(alive, cap, column)


def _advance(counters: _Counters, closing: np.ndarray, is_cell: np.ndarray, self_closing: np.ndarray,
             value: np.ndarray) -> None:
    """Replay one window's row/cell tags (in document order) on calamine's counters, vectorised.

    A self-closing ``<row/>`` is a start and an end (calamine expands empty elements): its end is
    counted at the tag itself, after its own ``r=`` took effect.
    """
    cell_start = is_cell & ~closing
    cell_end = is_cell & closing
    row_start = ~is_cell & ~closing
    row_end = (~is_cell & closing) | (row_start & self_closing)
    # calamine's cell loop runs to the first cell end; a row or cell tag inside it would be swallowed
    # there, so such nesting (never written by a spreadsheet program) is refused.
    opens = cell_start & ~self_closing
    depth_change = opens.astype(np.int32) - cell_end
    depth = np.cumsum(depth_change, dtype=np.int32) + np.int32(counters.in_cell)
    if depth.min() < 0 or depth.max() > 1 or (((depth - depth_change) > 0) & ~is_cell).any():
        raise SheetStructureError("a worksheet cell holds a row or cell tag, or a cell end has no start")
    counters.in_cell = bool(depth[-1])
    explicit_row = row_start & (value > 0)
    plain_cell = cell_start & (value == 0)
    explicit_cell = cell_start & (value > 0)
    # Rows: the counter is set by an explicit row start (to r - 1) and advanced by each row end.
    ends = np.cumsum(row_end, dtype=np.int64)
    segment = np.cumsum(explicit_row, dtype=np.int64)
    base = np.concatenate([[counters.row], value[explicit_row] - 1])
    ends_at_base = np.concatenate([[0], ends[explicit_row] - row_end[explicit_row]])
    # Columns: set to r (the 0-based column after it) by an explicit cell, to 0 by a row end, +1 per plain cell.
    anchor = row_end | explicit_cell
    anchor_segment = np.cumsum(anchor, dtype=np.int64)
    plains = np.cumsum(plain_cell, dtype=np.int64)
    anchor_value = np.concatenate([[counters.column], np.where(row_end[anchor], 0, value[anchor])])
    plains_at_anchor = np.concatenate([[0], plains[anchor]])
    if plain_cell.any():
        at = np.flatnonzero(plain_cell)
        rows = base[segment[at]] + ends[at] - ends_at_base[segment[at]]
        # The running count includes the plain cell itself: its 1-based column.
        columns = anchor_value[anchor_segment[at]] + plains[at] - plains_at_anchor[anchor_segment[at]]
        counters.last_row = max(counters.last_row, int(rows.max()) + 1)
        counters.last_column = max(counters.last_column, int(columns.max()))
    last = is_cell.size - 1
    counters.row = int(base[segment[last]] + ends[last] - ends_at_base[segment[last]])
    counters.column = int(anchor_value[anchor_segment[last]] + plains[last] - plains_at_anchor[anchor_segment[last]])
