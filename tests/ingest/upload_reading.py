"""Read and interpret one county upload's files with no database: the two ingest calls
``services/precheck.py`` ``precheck_upload`` makes, for the ingest tests."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

from turnout_desktop.ingest.interpret.county_upload import read_upload_files, upload_from_workbooks
from turnout_desktop.ingest.interpret.model import ParsedUpload


def read_county_upload(paths: Sequence[Path], *, county: str | None = None, election: date | None = None,
                       party: str | None = None, method: str | None = None,
                       mapping: Mapping[str, str] | None = None) -> ParsedUpload:
    """Every file of one upload read, then interpreted: layouts, rows, official counts and problems."""
    files = read_upload_files(paths)
    return upload_from_workbooks(files.used, county=county, election=election, party=party, method=method,
                                 mapping=mapping, log=files.log)
