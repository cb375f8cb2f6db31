"""Roster sheets (one row per voter) into canonical rows, with their row-level problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnout_desktop.domain.codes import NO_PARTY, is_deferred_party, is_in_person, parse_method, parse_party
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.domain.vuid import is_blocking_vuid_code
from turnout_desktop.ingest.dates import parse_date_column
from turnout_desktop.ingest.layout import DetectedLayout, SheetLike
from turnout_desktop.ingest.normalize import map_unique, normalize_vuids, text_column
from turnout_desktop.ingest.problems import ProblemLog


@dataclass(slots=True)
class Hints:
    """What the user and the names say when a column does not: county, party, method, date."""

    file: str
    sheet: str
    county_option: str | None       # --county, canonical
    county_from_name: str | None    # from the file name, canonical
    party_sheet: str | None
    party_file: str | None
    party_option: str | None
    method_file: str | None
    method_sheet: str | None
    method_option: str | None
    date_file: dt.date | None

    @property
    def county(self) -> str | None:
        return self.county_option or self.county_from_name

    @property
    def party(self) -> str | None:
        return self.party_sheet or self.party_file or self.party_option

    @property
    def method(self) -> str | None:
        return self.method_file or self.method_sheet or self.method_option


def take(column: Sequence[object], indexes: np.ndarray) -> list[object]:
    """Cells of ``column`` at ``indexes``; a slice when the rows are contiguous (the usual case)."""
    if not len(indexes):
        return []
    first, last = int(indexes[0]), int(indexes[-1])
    if last - first + 1 == len(indexes):
        return list(column[first:last + 1])
    return [column[i] for i in indexes.tolist()]


def read_roster_sheet(sheet: SheetLike, layout: DetectedLayout, hints: Hints, log: ProblemLog) -> pd.DataFrame:
    """Canonical rows of one roster sheet (ROW_COLUMNS plus ``_sheet_key``/``_index`` for duplicate checks)."""
    indexes = layout.data_indexes
    row_numbers = (indexes + 1).tolist()
    n = len(row_numbers)
    mapping, titles = layout.mapping, layout.titles
    where = {"file": hints.file, "sheet": hints.sheet}

    def column(field: str) -> list[object]:
        return take(sheet.columns[mapping[field]], indexes)

    vuid_column = normalize_vuids(column("vuid"))
    worst: list[str | None] = list(vuid_column.codes)
    for position, code in enumerate(vuid_column.codes):
        if code is not None:
            log.add(code, row=row_numbers[position], column=titles[mapping["vuid"]],
                    value=vuid_column.raws[position], **where)

    def flag(code: str, positions: Sequence[int], values: Sequence[object], title: str | None) -> None:
        for position, value in zip(positions, values, strict=True):
            log.add(code, row=row_numbers[position], column=title, value=value, **where)
            if worst[position] is None or not is_blocking_vuid_code(worst[position]):
                worst[position] = code

    counties = _counties(column("county") if "county" in mapping else None, n, hints, log, flag,
                         titles[mapping["county"]] if "county" in mapping else None)
    parties = _parties(column("party") if "party" in mapping else None, n, hints, log, flag,
                       titles[mapping["party"]] if "party" in mapping else None)
    methods = _methods(column("voting_method") if "voting_method" in mapping else None, n, hints, log, flag,
                       titles[mapping["voting_method"]] if "voting_method" in mapping else None)
    precincts = text_column(column("precinct")) if "precinct" in mapping else [None] * n
    if "vote_date" in mapping:
        # Free text in a "date" column (Montgomery's DateVoted) falls back to the file-name date.
        dates = [d or hints.date_file for d in parse_date_column(column("vote_date"))]
    else:
        dates = [hints.date_file] * n
    text = {
        "file": [hints.file] * n, "sheet": [hints.sheet] * n,
        "county": counties, "party": parties, "voting_method": methods,
        "vuid": vuid_column.vuids, "vuid_raw": vuid_column.raws, "precinct": precincts,
        "vote_date": dates, "problem_code": worst,
    }
    # object columns keep None for missing values (pandas 3 would store NaN in a str column).
    frame = pd.DataFrame({name: pd.Series(values, dtype=object) for name, values in text.items()})
    frame.insert(2, "row_no", pd.Series(row_numbers, dtype="int64"))
    frame["_index"] = pd.Series(indexes, dtype="int64")
    return frame


def _counties(values: list[object] | None, n: int, hints: Hints, log: ProblemLog, flag: object,
              title: str | None) -> list[str | None]:
    if values is None:
        if hints.county is None and n:
            log.add("unknown_county", file=hints.file, sheet=hints.sheet,
                    message="No county column, no --county and no county in the file name.")
        return [hints.county] * n
    canonical = map_unique(values, canonical_county_name)
    canonical = [c if c is not None else (hints.county if values[i] in (None, "") else None)
                 for i, c in enumerate(canonical)]
    unknown = [i for i, c in enumerate(canonical) if c is None]
    flag("unknown_county", unknown, [values[i] for i in unknown], title)
    if hints.county_option:
        other = [i for i, c in enumerate(canonical) if c is not None and c != hints.county_option]
        flag("other_county", other, [values[i] for i in other], title)
    return canonical


def _parties(values: list[object] | None, n: int, hints: Hints, log: ProblemLog, flag: object,
             title: str | None) -> list[str | None]:
    fallback = hints.party
    if fallback is None and n:
        fallback = NO_PARTY
        if values is None or all(is_deferred_party(v) for v in set(map(str, values[:1000]))):
            log.add("party_assumed_all", file=hints.file, sheet=hints.sheet)
    if values is None:
        return [fallback] * n
    parsed = map_unique(values, parse_party)
    deferred = map_unique(values, lambda v: is_deferred_party(v) if v is not None else True)
    result = [p if p is not None else (fallback if d else None) for p, d in zip(parsed, deferred, strict=True)]
    unknown = [i for i, p in enumerate(result) if p is None]
    flag("unknown_party", unknown, [values[i] for i in unknown], title)
    return result


def _name_method_for_in_person(hints: Hints) -> str | None:
    for method in (hints.method_file, hints.method_sheet, hints.method_option):
        if method and method != "mail-in":
            return method
    return None


def _methods(values: list[object] | None, n: int, hints: Hints, log: ProblemLog, flag: object,
             title: str | None) -> list[str | None]:
    fallback = hints.method
    if values is None:
        if fallback is None and n:
            log.add("unknown_method", file=hints.file, sheet=hints.sheet,
                    message="No method column, and neither the file name, the sheet name nor --method names one.")
        return [fallback] * n
    in_person = _name_method_for_in_person(hints)

    def one(value: object) -> str | None:
        if value is None or not str(value).strip():
            return fallback
        if is_in_person(value):
            return in_person
        method = parse_method(value)
        return str(method) if method else None

    result = map_unique(values, one)
    unknown = [i for i, m in enumerate(result) if m is None]
    flag("unknown_method", unknown, [values[i] for i in unknown], title)
    return result
