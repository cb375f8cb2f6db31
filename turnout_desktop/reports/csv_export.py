"""The report as one CSV file (UTF-8 with BOM, every field quoted, text cells escaped).

Layout: one block per section (report, summary, totals, counties, discrepancies, attempts,
evidence). Each block is a ``"section","<name>"`` row, the column header row, the data rows and
one empty line. The CSV carries the complete failing-VUID lists (the PDF shows only the first ones).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from pathlib import Path

from turnout_desktop.reports.model import Report, Table, report_tables
from turnout_desktop.reports.safe_io import BeforeReplace, write_csv_atomic

SECTION_MARKER = "section"


def _section_rows(tables: list[Table]) -> Iterator[Sequence[object]]:
    for index, table in enumerate(tables):
        if index:  # the first marker row is the file's header row
            yield [SECTION_MARKER, table.name]
        yield list(table.header)
        yield from table.rows
        yield []


def write_report_csv(report: Report, path: Path, *, before_replace: BeforeReplace | None = None) -> str:
    """Write ``report`` to ``path`` atomically.

    Args:
        report: the report model.
        path: target file (folder must exist; build the name with ``safe_io.safe_filename``).
        before_replace: see ``safe_io.atomic_write_bytes``.

    Returns:
        The sha256 of the written file.
    """
    tables = report_tables(report)
    return write_csv_atomic(path, [SECTION_MARKER, tables[0].name], _section_rows(tables),
                            before_replace=before_replace)


def read_report_csv(path: Path) -> dict[str, list[list[str]]]:
    """Read a report CSV back: section name -> rows (header first), cells exactly as written."""
    sections: dict[str, list[list[str]]] = {}
    current: list[list[str]] | None = None
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        for row in csv.reader(stream):
            if not row:
                current = None
            elif current is None and len(row) == 2 and row[0] == SECTION_MARKER:
                current = sections.setdefault(row[1], [])
            elif current is not None:
                current.append(row)
    return sections
