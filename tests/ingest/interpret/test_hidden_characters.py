"""Invisible and control characters in key fields block the upload instead of being read silently
(docs/reliability.md T4)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tests.ingest.conftest import problem_tuples, write_text, write_xlsx
from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.ingest.interpret.normalize import has_hidden_characters

ELECTION = dt.date(2026, 3, 3)


@pytest.mark.parametrize(("value", "hidden"), [
    ("DEM", False), ("Peña", False), ("De Witt", False), ("Trаvis", False),  # Cyrillic a: a letter, not hidden
    ("D\u200bEM", True), ("1\u202e05", True), ("10\x016", True), ("\ufeffDEM", True), ("EV\u0085", True),
    ("A\tB", True), (None, False), (101, False),
])
def test_has_hidden_characters(value: object, hidden: bool) -> None:
    assert has_hidden_characters(value) is hidden


def test_hidden_characters_in_key_fields_block_csv(tmp_path: Path) -> None:
    path = write_text(tmp_path / "travis ev.csv", [
        "VUID,County,Party,Method,Precinct",
        "1000000001,Travis,DEM,EV,101",
        "1000000002,Travis,D\u200bEM,EV,102",
        "1000000003,Travis,DEM,EV,1\u202e03",
        "1000000004,Trav\u200bis,REP,E\u200dV,104",
        "1000000005,Trаvis,REP,EV,105",
    ])
    upload = read_county_upload([path], election=ELECTION)
    assert problem_tuples(upload.problems) == [
        ("hidden_characters", None, 5, "County", "Trav\u200bis", True),
        ("unknown_county", None, 6, "County", "Trаvis", True),
        ("hidden_characters", None, 3, "Party", "D\u200bEM", True),
        ("hidden_characters", None, 5, "Method", "E\u200dV", True),
        ("hidden_characters", None, 4, "Precinct", "1\u202e03", True)]
    assert upload.rows["precinct"].tolist()[2] == "1\u202e03"  # kept as read, never cleaned silently
    assert not upload.ready


def test_hidden_characters_in_xlsx_party_cell(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Loving roster EV.xlsx", {"Roster": [
        ["VUID", "Party"], ["1000000001", "REP"], ["1000000002", "\u202eREP"]]})
    upload = read_county_upload([path], election=ELECTION)
    assert problem_tuples(upload.problems) == [("hidden_characters", "Roster", 3, "Party", "\u202eREP", True)]


def test_hidden_characters_in_summary_labels_block(tmp_path: Path) -> None:
    path = write_text(tmp_path / "counts.csv", ["County,Party,Method,Count", "Loving,REP,EV,5",
                                                "Lov\u200bing,REP,BBM,1", "Loving,REP,To\u202etal,6"])
    upload = read_county_upload([path], election=ELECTION)
    assert problem_tuples(upload.problems) == [
        ("hidden_characters", None, 3, "County", "Lov\u200bing", True),
        ("hidden_characters", None, 4, "Method", "To\u202etal", True)]
    assert not upload.ready
