"""Blank lines of a text file dropped before it is split, with a map back to the file's own line numbers.

A file padded with millions of blank lines (empty, or only spaces, TABs and delimiters, as a hostile or
broken export may be) cost a Python call or a per-row array slot for each of them in the layout and problem code.
``drop_blank_lines`` cuts every run of blank lines out of the cleaned text in a few C-speed passes
(one regex search for runs, one newline count between runs), so pyarrow or Python's ``csv`` only
ever see the lines that hold something; the returned ``row_numbers`` give each kept row its 1-based
line number in the file, so problems still name the county's own row numbers. ``blank_rows_between``
lists the dropped lines of a range (the first few) and counts them all, for the ``blank_row``
problems. No Qt, no database.
"""

from __future__ import annotations

import re

import numpy as np


def drop_blank_lines(text: str, delimiter: str) -> tuple[str, np.ndarray | None]:
    """``(text without its blank lines, line number of each kept line)``; ``(text, None)`` when none is dropped.

    A blank line holds nothing but spaces, TABs and delimiters: every cell of its row is empty, so it is a
    ``blank_row`` whether it is kept or not. Runs of them are found by one regex whose character class
    skips a run in C.

    Args:
        text: cleaned text (``text_reader.clean_text``): ``\\n`` line breaks only, no trailing blank lines.
        delimiter: the sniffed delimiter.

    An empty line inside a quoted field is cell content, not a blank row: a run is only dropped where
    the quotes before it are balanced, and only in a file whose quoting is well-formed (otherwise
    Python's lenient reader decides what a quote means, and every line is kept).
    """
    filler = re.escape(" \t" + delimiter)
    leading = re.match(f"[{filler}\n]*\n", text)
    body = leading.end() if leading else 0
    runs = [run.span() for run in re.compile(f"\n[{filler}\n]*\n").finditer(text, body)]
    quoted = '"' in text
    if quoted:
        runs = _outside_quotes(text, runs)
    if not runs and not body:
        return text, None
    if quoted:
        from turnout_desktop.ingest.readers.text_fast import quotes_well_formed

        if not quotes_well_formed(text, delimiter):
            return text, None
    # Each run keeps the line break that ends the line before it; the lines between its breaks go.
    bounds = [body, *(end for _, end in runs)]
    kept = "".join([text[begin:start + 1] for begin, (start, _) in zip(bounds, runs, strict=False)]
                   + [text[bounds[-1]:]])
    dropped = np.array([text.count("\n", start, end) - 1 for start, end in runs], dtype=np.int64)
    # Kept lines up to and including the line each run follows: a run's first kept line comes after them.
    between = np.array([text.count("\n", begin, start) + 1 for begin, (start, _) in zip(bounds, runs, strict=False)],
                       dtype=np.int64)
    kept_lines = kept.count("\n") + 1
    shifts = np.zeros(kept_lines + 1, dtype=np.int64)
    shifts[0] = text.count("\n", 0, body)
    np.add.at(shifts, np.cumsum(between), dropped)
    row_numbers = np.arange(1, kept_lines + 1, dtype=np.int64) + np.cumsum(shifts)[:kept_lines]
    return kept, row_numbers


def _outside_quotes(text: str, runs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs with an even number of quotes before them (an odd number: inside a quoted field)."""
    outside: list[tuple[int, int]] = []
    quotes, counted_to = 0, 0
    for start, end in runs:
        quotes += text.count('"', counted_to, start)
        counted_to = start
        if not quotes % 2:
            outside.append((start, end))
    return outside


def blank_rows_between(row_numbers: np.ndarray, first: int, last: int, limit: int) -> tuple[np.ndarray, int]:
    """``(the first `limit` dropped line numbers in [first, last], how many were dropped there)``.

    Args:
        row_numbers: ascending line numbers of the kept rows (``RawSheet.row_numbers``).
        first: first line number of the range (1-based, inclusive).
        last: last line number of the range (inclusive).
        limit: how many numbers to list at most.
    """
    if last < first:
        return np.empty(0, dtype=np.int64), 0
    inside = row_numbers[(row_numbers >= first) & (row_numbers <= last)]
    # Gaps between consecutive kept lines (and the range's ends) are the dropped lines.
    bounds = np.concatenate(([first - 1], inside, [last + 1]))
    gap_starts = bounds[:-1] + 1
    gap_sizes = bounds[1:] - bounds[:-1] - 1
    count = int(gap_sizes.sum())
    listed: list[np.ndarray] = []
    room = limit
    for start, size in zip(gap_starts[gap_sizes > 0].tolist(), gap_sizes[gap_sizes > 0].tolist(), strict=True):
        if room <= 0:
            break
        take = min(size, room)
        listed.append(np.arange(start, start + take, dtype=np.int64))
        room -= take
    return (np.concatenate(listed) if listed else np.empty(0, dtype=np.int64)), count
