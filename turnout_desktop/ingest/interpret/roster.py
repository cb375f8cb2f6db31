"""Roster sheets (one row per voter) into canonical rows, with their row-level problems."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from turnout_desktop.domain.codes import (
    NO_PARTY,
    VotingMethod,
    holds_primary,
    is_deferred_party,
    is_in_person,
    parse_method,
    parse_party,
)
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.domain.labels import method_label
from turnout_desktop.domain.limits import MAX_PRECINCT
from turnout_desktop.domain.vuid import is_blocking_vuid_code
from turnout_desktop.ingest.interpret.dates import parse_date_value
from turnout_desktop.ingest.interpret.layout import DetectedLayout, SheetLike
from turnout_desktop.ingest.interpret.mail_status import report_statuses, status_column
from turnout_desktop.ingest.interpret.normalize import (
    Distinct,
    cell_text,
    distinct_values,
    has_hidden_characters,
    normalize_vuid_array,
)
from turnout_desktop.ingest.interpret.problems import ProblemLog
from turnout_desktop.ingest.readers.arrow_text import take_cells

# flag(code, positions, the column's cells, column title): log the rows and raise their worst problem.
Flag = Callable[[str, np.ndarray, Sequence[object], "str | None"], None]


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


def take(column: Sequence[object], indexes: np.ndarray) -> Sequence[object]:
    """Cells of ``column`` at ``indexes``; a slice when the rows are contiguous (the usual case).

    A column with an Arrow mirror (``arrow_text.ArrowText``) keeps it, so the passes below stay vectorised.
    """
    if not len(indexes):
        return []
    return take_cells(column, indexes)


class _Picked(Sequence[object]):
    """The cells of ``values`` at ``positions``, read lazily (only the rows a problem lists are read)."""

    def __init__(self, values: Sequence[object], positions: np.ndarray) -> None:
        self.values, self.positions = values, positions

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index: int) -> object:  # type: ignore[override]
        return self.values[int(self.positions[index])]


def _objects(values: np.ndarray) -> pd.Series:
    # object columns keep None for missing values (pandas 3 would store NaN in a str column).
    # The arrays are freshly built here, so they are wrapped without a copy (and left unconsolidated).
    return pd.Series(values, dtype=object, copy=False)


def read_roster_sheet(sheet: SheetLike, layout: DetectedLayout, hints: Hints, log: ProblemLog) -> pd.DataFrame:
    """Canonical rows of one roster sheet.

    Returns ROW_COLUMNS plus ``_index`` (the sheet row index) and ``_vuid_key`` (the VUID as an
    integer, see ``normalize.VuidArrays``) for the duplicate checks and counts.
    """
    indexes = layout.data_indexes
    row_numbers = layout.row_numbers_of(indexes)
    n = len(row_numbers)
    mapping, titles = layout.mapping, layout.titles
    where = {"file": hints.file, "sheet": hints.sheet}

    def column(field: str) -> Sequence[object] | None:
        return take(sheet.columns[mapping[field]], indexes) if field in mapping else None

    def title(field: str) -> str | None:
        return titles[mapping[field]] if field in mapping else None

    vuid = normalize_vuid_array(column("vuid") or [])
    log.add_row_codes(vuid.codes[vuid.flagged], row_numbers[vuid.flagged], vuid.raws[vuid.flagged],
                      column=title("vuid"), **where)
    worst = vuid.codes.copy()

    def flag(code: str, positions: np.ndarray, values: Sequence[object], title: str | None) -> None:
        if not len(positions):
            return
        log.add_row_codes([code] * len(positions), row_numbers[positions], _Picked(values, positions),
                          column=title, **where)
        # A refused VUID stays the row's worst problem; anything milder is overwritten.
        current = worst[positions]
        milder = {w: w is None or not is_blocking_vuid_code(w) for w in set(current)}
        worst[positions[np.fromiter(map(milder.__getitem__, current), dtype=bool, count=len(current))]] = code

    counties = _counties(column("county"), n, hints, log, flag, title("county"))
    parties = _parties(column("party"), n, hints, log, flag, title("party"))
    methods = _methods(column("voting_method"), n, hints, log, flag, title("voting_method"))
    precinct_cells = column("precinct")
    if precinct_cells is not None:
        precinct_values = distinct_values(precinct_cells)
        _flag_hidden(precinct_values, precinct_cells, flag, title("precinct"))
        texts = [cell_text(u) for u in precinct_values.uniques]
        flag("value_too_long", precinct_values.rows_where([len(t or "") > MAX_PRECINCT for t in texts], False),
             precinct_cells, title("precinct"))
        # Excel turns a code such as 1-4 into a date (1-Apr): which number was the month cannot be known,
        # so the cell is kept as read and reported, never guessed back.
        flag("precinct_is_date", precinct_values.rows_where(
            [isinstance(u, dt.date) for u in precinct_values.uniques], False), precinct_cells, title("precinct"))
        precincts = precinct_values.broadcast(texts, None)
    else:
        precincts = _constant(None, n)
    date_cells = column("vote_date")
    if date_cells is not None:
        # Free text in a "date" column (Montgomery's DateVoted) falls back to the file-name date.
        distinct = distinct_values(date_cells)
        dates = distinct.broadcast([parse_date_value(u) or hints.date_file for u in distinct.uniques],
                                   hints.date_file)
    else:
        dates = _constant(hints.date_file, n)
    text = {
        "file": _constant(hints.file, n), "sheet": _constant(hints.sheet, n),
        "county": counties, "party": parties, "voting_method": methods,
        "vuid": vuid.vuids, "vuid_raw": vuid.raws, "precinct": precincts,
        "vote_date": dates, "problem_code": worst,
    }
    frame = pd.DataFrame({name: _objects(values) for name, values in text.items()}, copy=False)
    frame.insert(2, "row_no", pd.Series(row_numbers, dtype="int64"))
    frame["_index"] = pd.Series(indexes, dtype="int64")
    frame["_vuid_key"] = pd.Series(vuid.keys, dtype="int64")
    status = status_column(titles)
    if status is not None:
        report_statuses(take(sheet.columns[status], indexes), titles[status], log, file=hints.file, sheet=hints.sheet)
    return frame


def _constant(value: object, n: int) -> np.ndarray:
    column = np.empty(n, dtype=object)
    column[:] = [value] if n else []  # a list, so numpy never unpacks the value itself
    return column


def _counties(values: Sequence[object] | None, n: int, hints: Hints, log: ProblemLog, flag: Flag,
              title: str | None) -> np.ndarray:
    if values is None:
        if hints.county is None and n:
            log.add("unknown_county", file=hints.file, sheet=hints.sheet,
                    message="No county column, no --county and no county in the file name.")
        return _constant(hints.county, n)
    distinct = distinct_values(values)
    _flag_hidden(distinct, values, flag, title)
    # A blank county cell means the county of the upload (option or file name).
    canonical = [canonical_county_name(u) for u in distinct.uniques]
    resolved = [c if c is not None else (hints.county if u in (None, "") else None)
                for u, c in zip(distinct.uniques, canonical, strict=True)]
    empty = canonical_county_name(None)
    result = distinct.broadcast(resolved, empty if empty is not None else hints.county)
    if empty is None and hints.county is not None and not distinct.empty_is_none:
        # NaN cells are empty to the factoriser but are not blank (None/"") cells.
        na = np.flatnonzero(distinct.codes == -1)
        result[na] = [hints.county if values[i] in (None, "") else None for i in na.tolist()]
    unknown = np.flatnonzero(pd.isna(result))
    flag("unknown_county", unknown, values, title)
    if hints.county_option:
        known = ~pd.isna(result)
        other = np.flatnonzero(known & (result != hints.county_option))
        flag("other_county", other, values, title)
    return result


def _parties(values: Sequence[object] | None, n: int, hints: Hints, log: ProblemLog, flag: Flag,
             title: str | None) -> np.ndarray:
    fallback = hints.party
    if fallback is None and n:
        fallback = NO_PARTY
        if values is None or all(is_deferred_party(v) for v in set(map(str, values[:1000]))):
            log.add("party_assumed_all", file=hints.file, sheet=hints.sheet)
    if values is None:
        constant = _constant(fallback, n)
        if fallback is not None and _holds_no_primary(fallback):
            flag("party_holds_no_primary", np.arange(n), [fallback] * n, title)
        return constant
    distinct = distinct_values(values)
    _flag_hidden(distinct, values, flag, title)

    def one(value: object) -> str | None:
        party = parse_party(value)
        deferred = is_deferred_party(value) if value is not None else True
        return party if party is not None else (fallback if deferred else None)

    resolved = [one(u) for u in distinct.uniques]
    empty = one(None)
    flag("unknown_party", distinct.rows_where([r is None for r in resolved], empty is None), values, title)
    flag("party_holds_no_primary", distinct.rows_where(
        [r is not None and _holds_no_primary(r) for r in resolved], empty is not None and _holds_no_primary(empty)),
        values, title)
    return distinct.broadcast(resolved, empty)


def _holds_no_primary(party: str) -> bool:
    """A party named on a roster row (so a primary roster: general rosters carry no party) that holds no
    primary: the row cannot be one of its voters (domain/codes.py ``PRIMARY_PARTIES``)."""
    return party != NO_PARTY and not holds_primary(party)


def _flag_hidden(distinct: Distinct, values: Sequence[object], flag: Flag, title: str | None) -> None:
    """Key text cells with control or invisible format characters block the upload (docs/reliability.md T4)."""
    flag("hidden_characters", distinct.rows_where([has_hidden_characters(u) for u in distinct.uniques], False),
         values, title)


def _name_method_for_in_person(hints: Hints) -> str | None:
    for method in (hints.method_file, hints.method_sheet, hints.method_option):
        if method and method != "mail-in":
            return method
    return None


def _in_person_from_codes(uniques: Sequence[object], hints: Hints, log: ProblemLog, title: str | None) -> str | None:
    """The method of in-person labels (IN-PERSON, L) when the sheet's other in-person codes all name one.

    A Montgomery daily file mixes ``E`` (early, in person), ``A`` (mail) and ``L`` (a limited ballot cast
    in person): with every explicit in-person code early voting, the ``L`` rows are early voting too. When
    the codes name both early voting and election day (a post-canvass roster), nothing is inferred.
    """
    labels = [u for u in uniques if is_in_person(u)]
    if not labels:
        return None
    named = {parse_method(u) for u in uniques if not is_in_person(u)}
    in_person = named & {VotingMethod.EARLY_VOTING, VotingMethod.ELECTION_DAY}
    if len(in_person) != 1:
        return None
    method = str(in_person.pop())
    words = method_label(method).lower()  # the message is for people; the rows keep the code
    log.add("in_person_method_inferred", file=hints.file, sheet=hints.sheet, column=title,
            value=", ".join(sorted(str(label) for label in labels)),
            message=f"Rows marked {', '.join(sorted(map(str, labels)))} were counted as {words}: every other "
                    f"in-person row of the sheet is {words}.")
    return method


def _methods(values: Sequence[object] | None, n: int, hints: Hints, log: ProblemLog, flag: Flag,
             title: str | None) -> np.ndarray:
    fallback = hints.method
    if values is None:
        if fallback is None and n:
            log.add("unknown_method", file=hints.file, sheet=hints.sheet,
                    message="No method column, and neither the file name nor the sheet name names one: choose the "
                            "voting method (the upload wizard's Voting method box, or --method).")
        return _constant(fallback, n)
    distinct = distinct_values(values)
    _flag_hidden(distinct, values, flag, title)
    in_person = _name_method_for_in_person(hints) or _in_person_from_codes(distinct.uniques, hints, log, title)

    def one(value: object) -> str | None:
        if value is None or not str(value).strip():
            return fallback
        if is_in_person(value):
            return in_person
        method = parse_method(value)
        return str(method) if method else None

    resolved = [one(u) for u in distinct.uniques]
    empty = one(None)
    flag("unknown_method", distinct.rows_where([r is None for r in resolved], empty is None), values, title)
    return distinct.broadcast(resolved, empty)
