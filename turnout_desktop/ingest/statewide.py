"""Statewide (SOS) roster files, streamed in chunks: canonical vote records, never 3M rows at once.

Layouts (DATA_FORMATS.md 2): ``COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT`` (a one-party
primary file has no party column), ``tx_county_name, voter_name, id_voter, voting_method,
tx_precinct_code``, the per-county ``VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT`` (county from the
file name) and our canonical ``VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE[,DISTRICT]``.
SOS writes ``IN-PERSON`` for early and election-day votes alike: the feed (file name) or the
``in_person_method`` option decides.
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
from turnout_desktop.domain.counties import canonical_county_name
from turnout_desktop.domain.limits import MAX_DISTRICT, MAX_PRECINCT
from turnout_desktop.errors import ImportRejected
from turnout_desktop.files import file_sha256
from turnout_desktop.ingest.csv_stream import open_csv_stream
from turnout_desktop.ingest.dates import datetime_from_name, parse_date_column
from turnout_desktop.ingest.filenames import county_from_name, method_from_name, party_from_name
from turnout_desktop.ingest.mapping import map_header
from turnout_desktop.ingest.normalize import map_unique, normalize_vuids, text_column

STATEWIDE_COLUMNS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date", "district")
IN_PERSON_CHOICES = ("early-voting", "election-day")


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
    as_of: dt.datetime
    election: dt.date
    chunk_rows: int
    party: str | None
    in_person_method: str | None
    county: str | None
    rows_read: int = 0
    skipped: Counter[str] = field(default_factory=Counter)

    def chunks(self) -> Iterator[pd.DataFrame]:
        """Canonical records in chunks (STATEWIDE_COLUMNS); refused rows counted in ``skipped``."""
        self.rows_read = 0
        self.skipped.clear()
        stream = open_csv_stream(self.content_path, chunk_rows=self.chunk_rows)
        mapping: dict[str, str] = self.layout["mapping"]
        for raw_chunk in stream.chunks(self.layout["header_row"] - 1):
            # Titles compared stripped: readers differ on whether " id_voter" keeps its space.
            chunk = {_title(key): values for key, values in raw_chunk.items()}
            self.rows_read += len(next(iter(chunk.values()), []))
            yield self._normalise(chunk, mapping)

    def _normalise(self, chunk: dict[str, list[str | None]], mapping: dict[str, str]) -> pd.DataFrame:
        size = len(next(iter(chunk.values()), []))
        vuids = normalize_vuids(chunk[mapping["vuid"]])
        counties = (map_unique(chunk[mapping["county"]], canonical_county_name) if "county" in mapping
                    else [self.county] * size)
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
            self.skipped.update(code for code, bad in zip(vuids.codes, refused.tolist(), strict=True) if bad)
        unknown_county = frame["county"].isna() & ~refused
        if unknown_county.any():
            self.skipped["unknown_county"] += int(unknown_county.sum())
        unknown_method = frame["voting_method"].isna() & ~refused & ~unknown_county
        if unknown_method.any():
            self.skipped["unknown_method"] += int(unknown_method.sum())
        # Longer than the columns hold: PostgreSQL would abort the whole import on the first one.
        too_long = (frame["precinct"].str.len().gt(MAX_PRECINCT) | frame["district"].str.len().gt(MAX_DISTRICT)) \
            & ~refused & ~unknown_county & ~unknown_method
        if too_long.any():
            self.skipped["value_too_long"] += int(too_long.sum())
        if unknown_method.any() and self.in_person_method is None and any(
                is_in_person(v) for v in chunk[mapping["voting_method"]][:1000]):
            raise _no_in_person_clue(self.name)
        keep = ~(refused | unknown_county | unknown_method | too_long)
        return frame[keep].reset_index(drop=True)

    def _method(self, value: object) -> str | None:
        if value is None:
            return self.in_person_method
        if is_in_person(value):
            return self.in_person_method
        method = parse_method(value)
        return str(method) if method else None


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
                   chunk_rows: int = 200_000) -> StatewideFile:
    """Open a statewide roster: detect its layout from the first rows; records come from ``chunks()``.

    Raises:
        ImportRejected: unreadable file, no VUID column, no county (column or file name), or
            IN-PERSON rows with no clue whether they are early or election-day votes.
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
    stream = open_csv_stream(path, chunk_rows=chunk_rows)
    header_index = next((i for i, row in enumerate(stream.preview) if "vuid" in map_header(row)), None)
    if header_index is None:
        raise ImportRejected("No VUID column (ID_VOTER, VUID, ...) in the first 100 rows of the statewide file",
                             reason="no_vuid_column", file=path.name)
    titles = [_title(t) for t in stream.preview[header_index]]
    mapping = {name: titles[i] for name, i in map_header(titles).items()}
    county = None if "county" in mapping else county_from_name(path.name)
    if "county" not in mapping and county is None:
        raise ImportRejected("The statewide file has no county column and its name names no county",
                             reason="no_county_column", file=path.name)
    in_person = in_person_method or in_person_from_name(path.name)
    method_column = titles.index(mapping["voting_method"]) if "voting_method" in mapping else None
    sample = [row[method_column] for row in stream.preview[header_index + 1:]
              if method_column is not None and len(row) > method_column]
    if in_person is None and (method_column is None or any(is_in_person(v) for v in sample)):
        raise _no_in_person_clue(path.name)
    stamp = datetime_from_name(path.name)
    as_of = stamp or dt.datetime.fromtimestamp(path.stat().st_mtime)
    layout = {"header_row": header_index + 1, "mapping": mapping, "delimiter": stream.delimiter,
              "in_person_method": in_person, "party": party_code or party_from_name(path.name), "county": county}
    return StatewideFile(name=path.name, sha256=file_sha256(path), size=path.stat().st_size, parser="csv",
                         encoding=stream.encoding, layout=layout, content_path=path, as_of=as_of, election=election,
                         chunk_rows=chunk_rows, party=layout["party"], in_person_method=in_person, county=county)
