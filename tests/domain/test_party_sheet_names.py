"""A sheet or file named after a Texas party by its full name gives its rows that party (domain/codes.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.conftest import write_xlsx
from turnout_desktop.domain.codes import party_from_name
from turnout_desktop.services.precheck import precheck_upload

SHEET_PARTIES = {"Green": "GRN", "Libertarian": "LIB", "Republican": "REP", "Democratic": "DEM", "Democrat": "DEM"}


@pytest.mark.parametrize(("name", "party"), [
    *SHEET_PARTIES.items(), ("GREEN PARTY", "GRN"), ("EV Green Roster", "GRN"), ("2026_GRN.xlsx", "GRN"),
    ("LibertarianParty", "LIB"), ("DemocraticPrimary", "DEM"),
    ("Greenville EV", None), ("Evergreen", None), ("Sheet1", None),
])
def test_a_name_gives_the_party_it_names(name: str, party: str | None) -> None:
    assert party_from_name(name) == party


def test_every_party_sheet_of_a_workbook_gives_its_rows_that_party(tmp_path: Path) -> None:
    sheets: dict[str, list[list[object]]] = {
        name: [["VUID"], [f"10000001{i}1"], [f"10000001{i}2"]] for i, name in enumerate(SHEET_PARTIES)}
    sheets["Greenville"] = [["VUID"], ["1000000191"]]  # a place, not the Green party
    path = write_xlsx(tmp_path / "Loving County EV.xlsx", sheets)
    rows = precheck_upload([path], county="Loving").upload.rows
    parties = {sheet: set(group["party"]) for sheet, group in rows.groupby("sheet")}
    assert {sheet: parties[sheet] for sheet in SHEET_PARTIES} == {
        sheet: {party} for sheet, party in SHEET_PARTIES.items()}
    assert None not in parties["Green"] and parties["Greenville"] != {"GRN"}


def test_a_green_workbook_file_name_gives_its_rows_the_green_party(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "Loving County Green EV.xlsx", {"Sheet1": [["VUID"], ["1000000201"]]})
    assert set(precheck_upload([path], county="Loving").upload.rows["party"]) == {"GRN"}
