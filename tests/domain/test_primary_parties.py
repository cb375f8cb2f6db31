"""Roster rows of a party that holds no primary (domain/codes.py ``PRIMARY_PARTIES``) are problems with their rows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.ingest.conftest import write_text, write_xlsx
from turnout_desktop.cli.main import main
from turnout_desktop.domain.codes import KNOWN_PARTIES, NO_PARTY, PRIMARY_PARTIES
from turnout_desktop.services.precheck import precheck_upload

CODE = "party_holds_no_primary"
NON_PRIMARY = [p for p in KNOWN_PARTIES if p not in PRIMARY_PARTIES and p != NO_PARTY]


def test_the_domain_names_parties_without_a_primary() -> None:
    assert set(PRIMARY_PARTIES) == {"DEM", "REP"} and set(NON_PRIMARY) == {"LIB", "GRN"}


def test_cli_precheck_json_lists_each_non_primary_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = ["VUID,Party,Method", "1000000081,DEM,EV", "1000000082,REP,EV"]
    lines += [f"10000001{i:02d},{party},EV" for i, party in enumerate(NON_PRIMARY)]
    path = write_text(tmp_path / "Loving County.csv", lines)
    assert main(["precheck", str(path), "--county", "Loving", "--json"]) == 0  # informational: still ready
    payload = json.loads(capsys.readouterr().out)
    flagged = [(p["row"], p["value"], p["column"], p["blocking"]) for p in payload["problems"] if p["code"] == CODE]
    assert flagged == [(4 + i, party, "Party", False) for i, party in enumerate(NON_PRIMARY)]
    assert payload["ready"] is True


def test_a_primary_roster_of_dem_and_rep_rows_has_no_such_problem(tmp_path: Path) -> None:
    path = write_text(tmp_path / "Loving County.csv", ["VUID,Party,Method", "1000000081,D,EV", "1000000082,R,BBM"])
    assert CODE not in {p.code for p in precheck_upload([path], county="Loving").upload.problems}


def test_a_general_roster_without_party_is_not_flagged(tmp_path: Path) -> None:
    path = write_text(tmp_path / "Loving County EV.csv", ["VUID", "1000000081", "1000000082"])
    assert CODE not in {p.code for p in precheck_upload([path], county="Loving").upload.problems}


def test_wizard_precheck_flags_a_libertarian_sheet_and_a_green_cell_in_a_workbook(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Loving County EV.xlsx", {
        "Republican": [["VUID", "Party"], ["1000000081", "REP"], ["1000000082", "Green"]],
        "Libertarian": [["VUID"], ["1000000091"], ["1000000092"]],  # party from the sheet name only
    })
    result = precheck_upload([path], county="Loving", with_sheets=True)
    flagged = [(p.sheet, p.row, p.blocking) for p in result.upload.problems if p.code == CODE]
    assert flagged == [("Republican", 3, False), ("Libertarian", 2, False), ("Libertarian", 3, False)]
    assert result.ready
