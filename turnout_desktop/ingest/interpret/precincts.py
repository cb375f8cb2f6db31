"""Precinct-to-district map files: county, precinct and district columns (strategy C uses them)."""

from __future__ import annotations

from pathlib import Path

from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.domain.limits import MAX_DISTRICT, MAX_PRECINCT
from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.interpret.layout import SheetLike, is_empty_cell
from turnout_desktop.ingest.interpret.mapping import map_header
from turnout_desktop.ingest.interpret.normalize import cell_text
from turnout_desktop.ingest.readers.registry import read_raw_path

REQUIRED = ("county", "precinct", "district")


def read_precincts(path: Path) -> list[tuple[str, str, str]]:
    """(county, precinct, district) triples, canonical county names, precinct and district as text.

    Rows with an unknown county or an empty precinct/district are left out; exact repeats collapse.

    Raises:
        ImportRejected: unreadable file, or no header with county, precinct and district columns.
    """
    path = Path(path)
    result: dict[tuple[str, str, str], None] = {}
    found_header = False
    for workbook in read_raw_path(path):
        for sheet in workbook.sheets:
            header_index = _header(sheet)
            if header_index is None:
                continue
            found_header = True
            titles = ["" if is_empty_cell(c) else str(c) for c in (col[header_index] for col in sheet.columns)]
            columns = map_header(titles)
            for index in range(header_index + 1, sheet.n_rows):
                county = canonical_county_name(sheet.columns[columns["county"]][index])
                precinct = cell_text(sheet.columns[columns["precinct"]][index])
                district = cell_text(sheet.columns[columns["district"]][index])
                if county and precinct and district:
                    _check_lengths(path.name, sheet.name, sheet.row_number(index), titles, columns, precinct,
                                   district)
                    result[(county, precinct, district)] = None
    if not found_header:
        raise ImportRejected("No header with county, precinct and district columns in the first 100 rows",
                             reason="no_header", file=path.name)
    return list(result)


def _check_lengths(file: str, sheet: str, row: int, titles: list[str], columns: dict[str, int], precinct: str,
                   district: str) -> None:
    """Refuse a precinct or district longer than its column (PostgreSQL would abort the import there)."""
    for field, value, limit in (("precinct", precinct, MAX_PRECINCT), ("district", district, MAX_DISTRICT)):
        if len(value) > limit:
            raise ImportRejected(f"The {field} {value[:60]!r} is longer than {limit} characters", reason="too_long",
                                 file=file, sheet=sheet or None, row=row, column=titles[columns[field]])


def _header(sheet: SheetLike) -> int | None:
    for index in range(min(getattr(sheet, "n_rows", 0), 100)):
        cells = [column[index] for column in sheet.columns]
        titles = ["" if is_empty_cell(c) else str(c) for c in cells]
        if all(field in map_header(titles) for field in REQUIRED):
            return index
    return None
