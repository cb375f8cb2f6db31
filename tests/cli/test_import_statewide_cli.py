"""`turnout import-statewide` refuses IN-PERSON rows it cannot place without `--in-person-method`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from turnout_desktop.cli.main import main as turnout_main
from turnout_desktop.services.demo import DEMO_ELECTION


def test_cli_refuses_in_person_rows_without_a_method(tmp_path: Path, capsys) -> None:
    roster = tmp_path / "statewide_roster.csv"  # no EV/ED clue in the name
    roster.write_text('"COUNTY","VOTER_NAME","ID_VOTER","VOTING_METHOD","PRECINCT"\n'
                      '"LOVING","DOE, JANE","1151000001","IN-PERSON","0001"\n', encoding="utf-8")
    url = f"sqlite:///{tmp_path / 't.db'}"
    code = turnout_main(["--db", url, "import-statewide", str(roster), "--election", "2026-03-03", "--party", "REP"])
    assert code == 2
    assert "--in-person-method" in capsys.readouterr().err
    code = turnout_main(["--db", url, "import-statewide", str(roster), "--election", "2026-03-03", "--party", "REP",
                         "--in-person-method", "election-day", "--json"])
    assert code == 0
    assert dt.date(2026, 3, 3) == DEMO_ELECTION
