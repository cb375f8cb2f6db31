"""The plain-cell screen (ingest/readers/sheet_positions.py) wherever a chunk boundary falls.

A chunk that ends inside ``<c r="A9">`` used to count as a cell without ``r=``: the regex lookahead saw
``<c r=`` and no quote. A million-row xlsxwriter roster then paid a needless replay (about 9 s).
"""

from __future__ import annotations

import pytest

from turnout_desktop.ingest.readers.sheet_positions import PlainCellScreen

SPELLED = b'<sheetData><row r="1" spans="1:2"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"/></row>'
PLAIN_CELLS = [b"<c><v>1</v></c>", b"<c/>", b'<c t="s"><v>1</v></c>', b"<x:c/>"]


def _screen(part: bytes, cut: int, tail_bytes: int = 64) -> bool:
    screen = PlainCellScreen()
    screen(b"", part[:cut])
    screen(part[:cut][-tail_bytes:], part[cut:])
    return screen.found


@pytest.mark.parametrize("cut", range(len(SPELLED) + 1))
def test_no_chunk_boundary_makes_a_spelled_cell_plain(cut):
    assert not _screen(SPELLED + b"</sheetData>", cut)


@pytest.mark.parametrize("plain", PLAIN_CELLS)
def test_a_plain_cell_is_found_wherever_the_boundary_falls(plain):
    part = SPELLED + plain + b"</row></sheetData>"
    assert all(_screen(part, cut) for cut in range(len(part) + 1))
    assert all(_screen(part, cut, tail_bytes=7) for cut in range(len(part) + 1))
