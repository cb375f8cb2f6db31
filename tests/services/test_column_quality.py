"""Per-column quality of an upload (services/column_quality.py), through the wizard's pre-check
(services/upload_preview.py ``check_upload``): exact counts on a real xlsx with every kind of cell."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import openpyxl
from quality_roster import EXPECTED, ROWS, TITLES, profiles_of, write_mixed_roster

from turnout_desktop.services.upload_preview import check_upload

ELECTION = dt.date(2026, 3, 3)


def precheck(paths: list[Path], **options):
    return check_upload(paths, county=options.get("county", "LOVING"), election=ELECTION, party=None,
                        method="early-voting", mapping=options.get("mapping"))


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
