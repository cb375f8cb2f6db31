"""A small real xlsx roster with every kind of cell, and the column quality it must get.

Shared by the column-quality tests of the service (tests/services/test_column_quality.py) and of the
upload wizard (tests/gui/test_gui_upload_wizard.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import openpyxl

VOTED = dt.date(2026, 2, 20)
HEADER = ["VUID", "County", "Party", "Method", "Precinct", "Date Voted"]
# One row per case; the comment says which column it spoils and how.
ROWS = [
    ["1000000001", "Loving", "DEM", "early-voting", "101", VOTED],  # all valid
    [1000000002, "LOVING", "REP", "early-voting", "101", VOTED],  # VUID stored as a number: repaired
    ["01000000003", "LOVING", "REP", "early-voting", "101", VOTED],  # extra leading zero: repaired
    [None, "LOVING", "DEM", "early-voting", "101", VOTED],  # VUID empty
    ["12AB", "LOVING", "DEM", "early-voting", "101", VOTED],  # VUID error
    ["1000000006", "Nowhere", "DEM", "early-voting", "101", VOTED],  # county error (unknown)
    ["1000000007", "KENT", "DEM", "early-voting", "101", VOTED],  # county error (another county)
    ["1000000008", None, "DEM", "early-voting", "101", VOTED],  # county empty
    ["1000000009", "LOVING", "Whig", "early-voting", "101", VOTED],  # party error
    ["1000000010", "LOVING", None, "early-voting", "101", VOTED],  # party empty
    ["1000000011", "LOVING", "DEM", "by pigeon", "101", VOTED],  # method error
    ["1000000012", "LOVING", "DEM", None, "101", VOTED],  # method empty
    ["1000000013", "LOVING", "DEM", "early-voting", "101", "soon"],  # date error
    ["1000000014", "LOVING", "DEM", "early-voting", None, None],  # precinct and date empty
    ["1000000015", "LOVING", "DEM", "early-voting", "  ", VOTED],  # precinct empty (blank text)
]
# field -> (valid, repaired, error, empty) over the 15 rows above, submitted as LOVING
EXPECTED = {
    "vuid": (11, 2, 1, 1),
    "county": (12, 0, 2, 1),
    "party": (13, 0, 1, 1),
    "voting_method": (13, 0, 1, 1),
    "precinct": (13, 0, 0, 2),
    "vote_date": (13, 0, 1, 1),
}
TITLES = {"vuid": "VUID", "county": "County", "party": "Party", "voting_method": "Method", "precinct": "Precinct",
          "vote_date": "Date Voted"}


def write_mixed_roster(path: Path) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Roster"
    sheet.append(HEADER)
    for row in ROWS:
        sheet.append(row)
    workbook.save(path)
    return path


def profiles_of(quality: Iterable) -> dict[str, tuple[int, int, int, int]]:
    return {p.field: (p.valid, p.repaired, p.error, p.empty) for p in quality}
