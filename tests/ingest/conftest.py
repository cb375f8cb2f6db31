"""Builders of real county files (xlsx via openpyxl/xlsxwriter, csv/tsv in real encodings)."""

from __future__ import annotations

from pathlib import Path

import openpyxl

# Real published county-level turnout files, committed with the tests (their origin: tests/corpus/real/README.md).
REAL_DATA = Path(__file__).resolve().parents[1] / "corpus" / "real"


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_text(path: Path, lines: list[str], *, encoding: str = "utf-8", newline: str = "\n",
               tail: bytes = b"") -> Path:
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode(encoding) + tail)
    return path


def problem_tuples(problems: list) -> list[tuple]:
    """(code, sheet, row, column, value, blocking) of each problem, in order."""
    return [(p.code, p.sheet, p.row, p.column, p.value, p.blocking) for p in problems]


def counts_of(upload: object) -> dict[tuple[str, str, str], int]:
    return {(c.county, c.party, c.voting_method): c.count for c in upload.counts}
