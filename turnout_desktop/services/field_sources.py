"""Where each roster field of each sheet comes from: a column the user mapped, a column detection found, the
sheet or file name, the user's choice on the wizard's first page, or nowhere (no Qt).

A party or method taken from a sheet or file name applies to every row of the sheet without any cell saying
so (a sheet named "Early Voting" whose rows mix methods would be counted all early voting), so the wizard asks
the user to confirm it (``FieldSource.needs_confirmation``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from turnout_desktop.ingest.interpret.county_upload import name_hints, resolve_options
from turnout_desktop.ingest.interpret.mapping import ROSTER_FIELDS
from turnout_desktop.ingest.interpret.roster import Hints
from turnout_desktop.services.precheck import ReadSheet

# FieldSource.source values
MAPPED = "mapped"  # a column the user chose
DETECTED = "detected"  # a column layout detection found
SHEET_NAME = "sheet_name"
FILE_NAME = "file_name"
OPTION = "option"  # chosen on the wizard's first page (--county/--party/--method)
NOT_FOUND = "not_found"
FROM_NAMES = (SHEET_NAME, FILE_NAME)
CONFIRMED_FIELDS = ("party", "voting_method")


@dataclass(frozen=True, slots=True)
class FieldSource:
    """One roster field of one sheet: where its values come from; ``value`` is the column title or the value."""

    file: str
    sheet: str
    field: str
    source: str
    value: str = ""

    @property
    def needs_confirmation(self) -> bool:
        """A party or method read from a name: it decides every row's count, and no cell can contradict it.

        (A county from a file name is checked before submit against where the statewide roster places the
        file's VUIDs, ``services/upload_risks.py``.)
        """
        return self.source in FROM_NAMES and self.field in CONFIRMED_FIELDS


def _from_hints(field: str, hints: Hints) -> tuple[str, str]:
    """(source, value) of a field no column holds, in the order ingest applies them (``roster.Hints``)."""
    candidates: dict[str, tuple[tuple[str, object], ...]] = {
        "county": ((OPTION, hints.county_option), (FILE_NAME, hints.county_from_name)),
        "party": ((SHEET_NAME, hints.party_sheet), (FILE_NAME, hints.party_file), (OPTION, hints.party_option)),
        "voting_method": ((FILE_NAME, hints.method_file), (SHEET_NAME, hints.method_sheet),
                          (OPTION, hints.method_option)),
        "vote_date": ((FILE_NAME, hints.date_file),),
    }
    for source, value in candidates.get(field, ()):
        if value:
            return source, value.isoformat() if isinstance(value, dt.date) else str(value)
    return NOT_FOUND, ""


def field_sources(read: Sequence[ReadSheet], used_files: set[str], *, county: str | None, party: str | None,
                  method: str | None, election: dt.date | None,
                  mapping: Mapping[str, str] | None) -> tuple[FieldSource, ...]:
    """Every roster field of every visible roster sheet of the files the upload uses (superseded ones left out).

    Args:
        read: the sheets as read with their layouts (``services/precheck.py``).
        used_files: names of the files counted (``ParsedUpload.files``).
        county, party, method, election, mapping: the wizard's options, as given to the pre-check.
    """
    options = resolve_options(county, party, method, election, mapping)
    chosen = set(options.mapping)
    found: list[FieldSource] = []
    for item in read:
        layout = item.layout
        if layout is None or layout.kind != "roster" or item.sheet.hidden or item.file not in used_files:
            continue
        hints = name_hints(item.file, item.sheet.name, options)
        for field in ROSTER_FIELDS:
            if field in layout.mapping:
                title = layout.titles[layout.mapping[field]]
                found.append(FieldSource(item.file, item.sheet.name, field, MAPPED if field in chosen else DETECTED,
                                         title))
            else:
                found.append(FieldSource(item.file, item.sheet.name, field, *_from_hints(field, hints)))
    return tuple(found)
