"""The wizard's per-column quality bar: exact counts on a real xlsx with every kind of cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from turnout_desktop.gui import jobs
from turnout_desktop.gui.main_window import MainWindow
from turnout_desktop.gui.settings import Preferences
from turnout_desktop.gui.wizard_jobs import run_precheck

ELECTION = dt.date(2026, 3, 3)
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
# field -> (valid, repaired, error, empty) over the 15 rows above
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


def profiles_of(quality) -> dict[str, tuple[int, int, int, int]]:
    return {p.field: (p.valid, p.repaired, p.error, p.empty) for p in quality}


def precheck(paths: list[Path], **options):
    return run_precheck(None, paths, county=options.get("county", "LOVING"), election=ELECTION, party=None,
                        method="early-voting", mapping=options.get("mapping"), progress=lambda _f, _t: None,
                        cancelled=lambda: False)


def test_quality_counts_every_mapped_column(tmp_path):
    check = precheck([write_mixed_roster(tmp_path / "loving.xlsx")])
    assert profiles_of(check.quality) == EXPECTED
    assert {p.field: p.column for p in check.quality} == TITLES
    assert all(p.total == len(ROWS) for p in check.quality)
    assert check.row_count == len(ROWS) and check.report.upload.rows.empty  # rows dropped after profiling
    assert [p.sheet for p in check.previews] == ["Roster"] and check.previews[0].header_row == 1


def test_quality_without_a_county_option_and_with_an_unmapped_column(tmp_path):
    """No --county: KENT is a valid county. A file without a column has no bar for that field."""
    check = precheck([write_mixed_roster(tmp_path / "loving.xlsx")], county=None)
    assert profiles_of(check.quality)["county"] == (13, 0, 1, 1)
    workbook = openpyxl.Workbook()
    workbook.active.append(["Voter ID", "Party"])
    for number in range(1, 5):
        workbook.active.append([f"100000000{number}", "DEM" if number < 4 else "Whig"])
    workbook.save(tmp_path / "short.xlsx")
    check = precheck([tmp_path / "short.xlsx"])
    assert profiles_of(check.quality) == {"vuid": (4, 0, 0, 0), "party": (3, 0, 1, 0)}


def test_quality_adds_up_over_files_and_skips_a_superseded_original(tmp_path):
    original = write_mixed_roster(tmp_path / "Loving_EV.xlsx")
    updated = write_mixed_roster(tmp_path / "Loving_EV_Updated.xlsx")
    other = tmp_path / "more.zip"
    with zipfile.ZipFile(other, "w") as archive:
        archive.write(write_mixed_roster(tmp_path / "inner.xlsx"), "inner.xlsx")
    check = precheck([original, updated, other])
    assert [p.code for p in check.report.upload.problems if p.code == "file_superseded"] == ["file_superseded"]
    doubled = {name: tuple(2 * n for n in counts) for name, counts in EXPECTED.items()}
    assert profiles_of(check.quality) == doubled  # the original is previewed but not counted
    assert [p.file for p in check.previews] == ["Loving_EV.xlsx", "Loving_EV_Updated.xlsx", "more.zip/inner.xlsx"]


def test_wizard_shows_the_quality_bar(qtbot, tmp_path, empty_url):
    window = MainWindow(jobs.ContextSpec(empty_url, user="lou", role="clerk", county="LOVING"), Preferences())
    qtbot.addWidget(window)
    window.session.election = ELECTION
    wizard = window.uploads.open_wizard([write_mixed_roster(tmp_path / "loving.xlsx")])
    wizard.files_page.method.setCurrentText("early-voting")
    with qtbot.waitSignal(wizard.checked, timeout=15_000):
        qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    bar = wizard.review_page.quality
    assert profiles_of(bar.profiles) == EXPECTED
    assert bar.toolTip().splitlines()[0] == "vuid (VUID): 11 valid, 2 repaired, 1 error, 1 empty"
    wizard.close()
