"""Statewide (SOS) roster files, streamed in chunks: canonical vote records, never 3M rows at once.

Layouts (docs/data-formats.md 2): ``COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT`` (a one-party
primary file has no party column), ``tx_county_name, voter_name, id_voter, voting_method,
tx_precinct_code``, the per-county ``VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT`` (county from the
file name) and our canonical ``VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE[,DISTRICT]``.
SOS writes ``IN-PERSON`` (bulk files ``GE``) for early and election-day votes alike: the feed (the
file's or its zip member's name) or the ``in_person_method`` option decides, for every row of the file.
The snapshot time (``as_of``) is the explicit option, else the date after an ``as of`` marker in the name
(``statewide_2026-03-03_asof_2026-03-01.csv`` -> 2026-03-01; any other date in a name, often the election's,
is not one), else the end (23:59:59) of the latest vote date among the file's records, else unknown (None).
In a zip of several csv files the member with a VUID column is read; an empty body whose name names a
county is that county's empty roster (Civix answers so for a county with no voters yet).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from turnout_desktop.domain.codes import NO_PARTY, is_in_person, parse_method, parse_party
from turnout_desktop.domain.counties import canonical_county_name, is_pseudo_county
from turnout_desktop.domain.limits import MAX_DISTRICT, MAX_PRECINCT
from turnout_desktop.errors import ImportRejected
from turnout_desktop.files import file_sha256
from turnout_desktop.ingest.interpret.dates import parse_date_column
from turnout_desktop.ingest.interpret.filenames import (
    as_of_from_name,
    county_from_name,
    has_as_of_marker,
    method_from_name,
    party_from_name,
)
from turnout_desktop.ingest.interpret.mapping import map_header
from turnout_desktop.ingest.interpret.normalize import map_unique, normalize_vuids, text_column
from turnout_desktop.ingest.readers.csv_stream import open_csv_stream, open_matching_stream

STATEWIDE_COLUMNS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date", "district")
IN_PERSON_CHOICES = ("early-voting", "election-day")
# A body of nothing but a BOM, blank lines and DOS EOF marks is an empty roster.
_EMPTY_BODY = b"\xef\xbb\xbf\r\n\t \x1a"
_EMPTY_PROBE_BYTES = 4096
# A snapshot holding votes of a day is taken as complete through the end of that day.
_END_OF_VOTE_DAY = dt.time(23, 59, 59)
AS_OF_FROM_OPTION = "option"
AS_OF_FROM_NAME = "file name"
AS_OF_FROM_VOTE_DATES = "latest vote date"


@dataclass(slots=True)
class StatewideFile:
    """One statewide roster file, opened lazily; iterate ``chunks()`` once to read it."""

    name: str
    sha256: str
    size: int
    parser: str
    encoding: str | None
    layout: dict[str, Any]
    content_path: Path
    name_as_of: dt.datetime | None  # from an "as of" marker in the file's (or zip member's) name
    election: dt.date
    chunk_rows: int
    party: str | None
    in_person_method: str | None
    county: str | None
    member: str | None = None
    empty: bool = False
    explicit_as_of: dt.datetime | None = None  # the caller's --as-of: beats every clue in the file
    rows_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    latest_vote_date: dt.date | None = None  # among the records kept; known once chunks() has run

    @property
    def as_of(self) -> dt.datetime | None:
        """The snapshot time: option, else name marker, else end of the latest vote date (after chunks())."""
        if self.explicit_as_of is not None:
            return self.explicit_as_of
        if self.name_as_of is not None:
            return self.name_as_of
        if self.latest_vote_date is not None:
            return dt.datetime.combine(self.latest_vote_date, _END_OF_VOTE_DAY)
        return None

    @property
    def as_of_source(self) -> str | None:
        """Where ``as_of`` came from (AS_OF_FROM_*), or None when it is unknown."""
        if self.explicit_as_of is not None:
            return AS_OF_FROM_OPTION
        if self.name_as_of is not None:
            return AS_OF_FROM_NAME
        return AS_OF_FROM_VOTE_DATES if self.latest_vote_date is not None else None

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Canonical records in chunks (STATEWIDE_COLUMNS); refused rows counted in ``skipped``."""
        self.rows_read = 0
        self.skipped.clear()
        self.latest_vote_date = None
        if self.empty:
            return  # Civix answers an empty body for a county with no voters yet (docs/data-formats.md 2.2)
        if self.member is None:
            stream = open_csv_stream(self.content_path, chunk_rows=self.chunk_rows)
        else:
            stream = open_csv_stream(self.content_path, chunk_rows=self.chunk_rows, member=self.member)
        mapping: dict[str, str] = self.layout["mapping"]
        for raw_chunk in stream.chunks(self.layout["header_row"] - 1):
            # Titles compared stripped: readers differ on whether " id_voter" keeps its space.
            chunk = {_title(key): values for key, values in raw_chunk.items()}
            self.rows_read += len(next(iter(chunk.values()), []))
            records = self._normalise(chunk, mapping)
            self._note_vote_dates(records)
            yield records
        # Rows whose field count does not fit the header (an unquoted "LAST, FIRST") are dropped by the
        # reader; they were voters, so they are reported rather than lost silently.
        dropped = int(getattr(stream, "skipped_rows", 0) or 0)
        if dropped and self.member is None and _ends_with_eof_mark(self.content_path):
            dropped -= 1  # the reader drops a trailing DOS EOF (0x1A) line too; that was no voter
        if dropped:
            self.rows_read += dropped
            self.skipped["wrong_field_count"] += dropped

    def _normalise(self, chunk: dict[str, list[str | None]], mapping: dict[str, str]) -> pd.DataFrame:
        size = len(next(iter(chunk.values()), []))
        vuids = normalize_vuids(chunk[mapping["vuid"]])
        counties: list[str | None] = (list(map_unique(chunk[mapping["county"]], canonical_county_name))
                                      if "county" in mapping else [self.county] * size)
        party_default = self.party or NO_PARTY
        parties = (map_unique(chunk[mapping["party"]], lambda v: parse_party(v) or party_default)
                   if "party" in mapping else [party_default] * size)
        if "voting_method" in mapping:
            methods = map_unique(chunk[mapping["voting_method"]], self._method)
        else:
            methods = [self.in_person_method] * size
        frame = pd.DataFrame({
            "vuid": vuids.vuids, "county": counties, "party": parties, "voting_method": methods,
            "precinct": text_column(chunk[mapping["precinct"]]) if "precinct" in mapping else [None] * size,
            "vote_date": parse_date_column(chunk[mapping["vote_date"]]) if "vote_date" in mapping else [None] * size,
            "district": text_column(chunk[mapping["district"]]) if "district" in mapping else [None] * size,
        }, columns=list(STATEWIDE_COLUMNS), dtype=object)  # object keeps None (pandas 3 str would turn it NaN)
        refused = frame["vuid"].isna()
        if refused.any():
            self.skipped.update(code for code, bad in zip(vuids.codes, refused.tolist(), strict=True) if bad and code)
        unknown_county = frame["county"].isna() & ~refused
        if unknown_county.any():
            # TOTAL/STATEWIDE pseudo rows are expected in state tables; they are no voters' records.
            pseudo = map_unique(chunk[mapping["county"]], is_pseudo_county) if "county" in mapping else [False] * size
            for is_pseudo, bad in zip(pseudo, unknown_county.tolist(), strict=True):
                if bad:
                    self.skipped["pseudo_county" if is_pseudo else "unknown_county"] += 1
        unknown_method = frame["voting_method"].isna() & ~refused & ~unknown_county
        if unknown_method.any():
            self.skipped["unknown_method"] += int(unknown_method.sum())
        # Longer than the columns hold: PostgreSQL would abort the whole import on the first one.
        too_long = (frame["precinct"].str.len().gt(MAX_PRECINCT) | frame["district"].str.len().gt(MAX_DISTRICT)) \
            & ~refused & ~unknown_county & ~unknown_method
        if too_long.any():
            self.skipped["value_too_long"] += int(too_long.sum())
        keep = ~(refused | unknown_county | unknown_method | too_long)
        return frame[keep].reset_index(drop=True)

    def _note_vote_dates(self, records: pd.DataFrame) -> None:
        dates = records["vote_date"].dropna()
        if dates.empty:
            return
        latest = max(dates.tolist())
        if self.latest_vote_date is None or latest > self.latest_vote_date:
            self.latest_vote_date = latest

    def _method(self, value: object) -> str | None:
        if value is None:
            return self.in_person_method
        if is_in_person(value):
            if self.in_person_method is None:
                # Checked on every distinct value, not a sample: a roster sorted MAIL-IN first shows
                # IN-PERSON only far past the preview, and those voters must not vanish as "unknown".
                raise _no_in_person_clue(self.name)
            return self.in_person_method
        method = parse_method(value)
        return str(method) if method else None


def _is_empty_body(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            head = handle.read(_EMPTY_PROBE_BYTES + 1)
    except OSError:
        return False  # the stream reports an unreadable file with its reason
    return len(head) <= _EMPTY_PROBE_BYTES and not head.strip(_EMPTY_BODY)


def _ends_with_eof_mark(path: Path) -> bool:
    """True when the file's last line is a DOS EOF mark (0x1A) (docs/data-formats.md 4)."""
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 64))
            tail = handle.read()
    except OSError:
        return False
    last_line = tail.rstrip(b"\r\n\t ").rsplit(b"\n", 1)[-1]
    return bool(last_line) and not last_line.strip(b"\x1a\r\t \x00")


def _title(text: object) -> str:
    return str(text or "").replace("\ufeff", "").strip()


def _no_in_person_clue(name: str) -> ImportRejected:
    return ImportRejected("The file says IN-PERSON but neither its name (EV/EVR/Early or ED/Election Day) nor an "
                          "option says whether that is early voting or election day; pass --in-person-method "
                          "early-voting or --in-person-method election-day", reason="in_person_method", file=name)


def in_person_from_name(name: str) -> str | None:
    """``EVR_STATEWIDE.csv`` -> early-voting; ``..._ELECTIONDAY.zip`` -> election-day; else None."""
    method = method_from_name(name)
    return str(method) if method and str(method) in IN_PERSON_CHOICES else None


def read_statewide(path: Path, *, election: dt.date, party: str | None = None, in_person_method: str | None = None,
                   chunk_rows: int = 200_000, as_of: dt.datetime | None = None) -> StatewideFile:
    """Open a statewide roster: detect its layout from the first rows; records come from ``chunks()``.

    ``as_of`` is the snapshot time the caller knows (``--as-of``); it beats the file's own clues.

    Raises:
        ImportRejected: unreadable file, no VUID column, no county (column or file name),
            IN-PERSON rows with no clue whether they are early or election-day votes, or an "as of"
            marker in the name with no readable date after it (and no ``as_of`` given).
    """
    path = Path(path)
    if in_person_method is not None and in_person_method not in IN_PERSON_CHOICES:
        parsed = parse_method(in_person_method)
        if parsed is None or str(parsed) not in IN_PERSON_CHOICES:
            raise ImportRejected(f"--in-person-method must be early-voting or election-day, not {in_person_method!r}",
                                 reason="bad_option", file=path.name)
        in_person_method = str(parsed)
    party_code = parse_party(party) if party else None
    if party and party_code is None:
        raise ImportRejected(f"--party {party!r} is not a known party", reason="bad_option", file=path.name)
    if _is_empty_body(path):
        return _empty_roster(path, election=election, party=party_code, in_person=in_person_method,
                             chunk_rows=chunk_rows, as_of=as_of)
    stream = open_matching_stream(path, lambda opened: _header_index(opened.preview) is not None,
                                  chunk_rows=chunk_rows)
    member: str | None = getattr(stream, "member", None)
    header_index = _header_index(stream.preview)
    if header_index is None:
        raise ImportRejected("No VUID column (ID_VOTER, VUID, ...) in the first 100 rows of the statewide file",
                             reason="no_vuid_column", file=path.name)
    titles = [_title(t) for t in stream.preview[header_index]]
    mapping = {name: titles[i] for name, i in map_header(titles).items()}
    county = None if "county" in mapping else county_from_name(path.name) or (
        county_from_name(Path(member).name) if member else None)
    if "county" not in mapping and county is None:
        # The SOS bulk {id}VOTER_STATE.csv is such a file (docs/data-formats.md 2.1): records without a county
        # cannot be reconciled, so it is refused rather than stored under a guess.
        raise ImportRejected("The statewide file has no county column and its name names no county (the SOS bulk "
                             "VOTER_STATE file has none); import the per-county or Civix statewide roster, or put "
                             "the county in the file name", reason="no_county_column", file=path.name)
    # The zip's own name first, then its member's (``statewide_ed_58315_2026-05-26.zip``/``...csv``).
    in_person = in_person_method or in_person_from_name(path.name) or (
        in_person_from_name(Path(member).name) if member else None)
    method_column = titles.index(mapping["voting_method"]) if "voting_method" in mapping else None
    sample = [row[method_column] for row in stream.preview[header_index + 1:]
              if method_column is not None and len(row) > method_column]
    if in_person is None and (method_column is None or any(is_in_person(v) for v in sample)):
        raise _no_in_person_clue(path.name)
    names = [path.name] + ([Path(member).name] if member else [])
    party_code = party_code or next((found for found in map(party_from_name, names) if found), None)
    layout = {"header_row": header_index + 1, "mapping": mapping, "delimiter": stream.delimiter,
              "in_person_method": in_person, "party": party_code, "county": county, "member": member}
    return StatewideFile(name=path.name, sha256=file_sha256(path), size=path.stat().st_size, parser="csv",
                         encoding=stream.encoding, layout=layout, content_path=path,
                         name_as_of=_name_as_of(names, explicit=as_of), election=election, chunk_rows=chunk_rows,
                         party=party_code, in_person_method=in_person, county=county, member=member,
                         explicit_as_of=as_of)


def _header_index(preview: list[list[Any]]) -> int | None:
    return next((i for i, row in enumerate(preview) if "vuid" in map_header(row)), None)


def _name_as_of(names: list[str], *, explicit: dt.datetime | None) -> dt.datetime | None:
    """The date after an "as of" marker in the file's name, else its zip member's, else None.

    A marker with no readable date is refused rather than passed over: the file says it has a snapshot
    time, and falling back to another one silently would misdate it (unless the caller gave one).
    """
    found = next((stamp for stamp in map(as_of_from_name, names) if stamp), None)
    if found is None and explicit is None:
        marked = next((name for name in names if has_as_of_marker(name)), None)
        if marked is not None:
            raise ImportRejected(f"The name {marked!r} says \"as of\" but no date follows it that can be read "
                                 "(write it as asof_2026-03-01, asof_20260301 or asof_03-01-2026), or pass "
                                 "--as-of YYYY-MM-DD[THH:MM]", reason="as_of", file=names[0])
    return found


def _empty_roster(path: Path, *, election: dt.date, party: str | None, in_person: str | None,
                  chunk_rows: int, as_of: dt.datetime | None) -> StatewideFile:
    """A file with an empty body: Civix's answer for a county with no voters yet; zero records.

    Only accepted when the name tells which county it is, so the stored snapshot means "this county
    had no voters as of then"; a nameless empty file is refused as empty, like any other upload.
    """
    county = county_from_name(path.name)
    if county is None:
        raise ImportRejected("The file is empty", reason="empty", file=path.name)
    in_person = in_person or in_person_from_name(path.name)
    file_party = party or party_from_name(path.name)
    layout = {"header_row": 0, "mapping": {}, "delimiter": None, "in_person_method": in_person,
              "party": file_party, "county": county, "member": None, "empty_body": True}
    return StatewideFile(name=path.name, sha256=file_sha256(path), size=path.stat().st_size, parser="csv",
                         encoding=None, layout=layout, content_path=path,
                         name_as_of=_name_as_of([path.name], explicit=as_of), election=election,
                         chunk_rows=chunk_rows, party=file_party, in_person_method=in_person,
                         county=county, empty=True, explicit_as_of=as_of)
