"""The statewide snapshot time (as-of): option > "as of" marker in the name > latest vote date > unknown."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.interpret.filenames import as_of_from_name
from turnout_desktop.ingest.interpret.statewide import read_statewide

ELECTION = dt.date(2026, 3, 3)
CANONICAL = "VUID,COUNTY,PARTY,VOTING_METHOD,PRECINCT,VOTE_DATE\n"
DATED_ROWS = (CANONICAL
              + "1151000001,LOVING,DEM,early-voting,1,2026-02-20\n"
              + "1151000002,LOVING,DEM,early-voting,1,02/27/2026\n"
              + "1151000003,LOVING,DEM,mail-in,1,\n")


def write_text(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def read_all(path: Path, **options: object) -> tuple[object, pd.DataFrame]:
    file = read_statewide(path, election=ELECTION, **options)
    return file, pd.concat(list(file.chunks()), ignore_index=True)


@pytest.mark.parametrize(("name", "expected"), [
    ("statewide_2026-03-03_asof_2026-03-01.csv", dt.datetime(2026, 3, 1)),
    ("statewide_2026-03-03_as_of_20260301.zip", dt.datetime(2026, 3, 1)),
    ("EVR STATEWIDE as of 03-01-2026.csv", dt.datetime(2026, 3, 1)),
    ("EVR_STATEWIDE_AS-OF_03012026.csv", dt.datetime(2026, 3, 1)),
    ("EVR_STATEWIDE_AsOf_March 1, 2026.csv", dt.datetime(2026, 3, 1)),
    ("statewide_asof_2026-03-01T0930.csv", dt.datetime(2026, 3, 1, 9, 30)),
    ("statewide_asof_20260301093000.csv", dt.datetime(2026, 3, 1, 9, 30)),
    ("statewide_2026-03-03.csv", None),  # the election's date, no marker
    ("Texas of 2026-03-01.csv", None),  # the "as" of "Texas" is no marker
    ("statewide_asof_12-45-2026.csv", None),  # no such date
])
def test_as_of_marker_formats(name: str, expected: dt.datetime | None) -> None:
    assert as_of_from_name(name) == expected


def test_name_marker_beats_the_first_date_and_the_vote_dates(tmp_path: Path) -> None:
    path = write_text(tmp_path / "statewide_2026-03-03_asof_2026-03-01.csv", DATED_ROWS)
    file, frame = read_all(path)
    assert len(frame) == 3
    assert file.as_of == dt.datetime(2026, 3, 1) and file.as_of_source == "file name"


def test_without_a_marker_the_latest_vote_date_ends_the_snapshot(tmp_path: Path) -> None:
    # The name carries only the election date: that is no snapshot time; the rows' latest date is.
    path = write_text(tmp_path / "statewide_2026-03-03.csv",
                      DATED_ROWS + "BADVUID,LOVING,DEM,mail-in,1,2026-03-02\n")  # refused rows do not count
    file = read_statewide(path, election=ELECTION)
    assert file.as_of is None  # unknown until the records have been read
    frame = pd.concat(list(file.chunks()), ignore_index=True)
    assert len(frame) == 3 and file.skipped.total() == 1
    assert file.as_of == dt.datetime(2026, 2, 27, 23, 59, 59) and file.as_of_source == "latest vote date"


def test_the_latest_vote_date_spans_every_chunk(tmp_path: Path) -> None:
    path = write_text(tmp_path / "statewide.csv", CANONICAL + "".join(
        f"{1151000000 + day},LOVING,DEM,early-voting,1,2026-02-{day:02d}\n" for day in (25, 17, 26, 18, 19)))
    file, _frame = read_all(path, chunk_rows=2)
    assert file.as_of == dt.datetime(2026, 2, 26, 23, 59, 59)


def test_no_marker_and_no_vote_dates_is_unknown(tmp_path: Path) -> None:
    path = write_text(tmp_path / "EVR_STATEWIDE_REP_2026-02-20.csv",
                      "COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT\nLOVING,\"DOE, J\",1151000001,MAIL-IN,1\n")
    file, frame = read_all(path)
    assert len(frame) == 1 and file.as_of is None and file.as_of_source is None


def test_the_explicit_as_of_beats_the_name(tmp_path: Path) -> None:
    path = write_text(tmp_path / "statewide_2026-03-03_asof_2026-03-01.csv", DATED_ROWS)
    file, _frame = read_all(path, as_of=dt.datetime(2026, 2, 28, 18, 30))
    assert file.as_of == dt.datetime(2026, 2, 28, 18, 30) and file.as_of_source == "option"


def test_a_zip_members_marker_counts_when_the_zip_has_none(tmp_path: Path) -> None:
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("statewide_2026-03-03_asof_2026-02-28.csv", DATED_ROWS)
    file, _frame = read_all(path)
    assert file.as_of == dt.datetime(2026, 2, 28)


def test_a_marker_without_a_readable_date_is_refused_unless_as_of_is_given(tmp_path: Path) -> None:
    path = write_text(tmp_path / "statewide_asof_yesterday.csv", DATED_ROWS)
    with pytest.raises(ImportRejected) as caught:
        read_statewide(path, election=ELECTION)
    assert caught.value.reason == "as_of" and "--as-of" in str(caught.value)
    file = read_statewide(path, election=ELECTION, as_of=dt.datetime(2026, 3, 1))
    assert file.as_of == dt.datetime(2026, 3, 1)


def test_an_empty_county_roster_takes_its_as_of_from_the_marker_only(tmp_path: Path) -> None:
    marked = read_statewide(write_text(tmp_path / "Loving County EV asof 2026-02-20.csv", "\r\n"), election=ELECTION)
    plain = read_statewide(write_text(tmp_path / "Loving County EV 2026-02-20.csv", "\r\n"), election=ELECTION)
    assert (marked.empty, marked.as_of) == (True, dt.datetime(2026, 2, 20))
    assert (plain.empty, plain.as_of) == (True, None)
