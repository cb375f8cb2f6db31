"""A saved Civix response (``{"upload": base64}``) imports as the statewide roster it wraps
(docs/data-formats.md 2.2)."""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from turnout_desktop.db.models import SourceFile, TurnoutRecord
from turnout_desktop.db.session import transaction
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission import import_statewide

ELECTION = dt.date(2026, 5, 26)
ROSTER = (b"COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT\n"
          b"LOVING,\"DOE, JANE\",1000000001,IN-PERSON,1\nLOVING,\"ROE, RICH\",1000000002,MAIL-IN,1\n"
          b"DEWITT,\"POE, AL\",1000000003,IN-PERSON,7\n")


def _envelope(path: Path, payload: bytes) -> Path:
    path.write_text(json.dumps({"upload": base64.b64encode(payload).decode("ascii")}), encoding="utf-8")
    return path


def _records(engine: Engine) -> list[tuple[str, str, str]]:
    with transaction(engine) as session:
        rows = session.execute(select(TurnoutRecord.vuid, TurnoutRecord.county, TurnoutRecord.voting_method))
        return sorted((vuid, county, method) for vuid, county, method in rows)


@pytest.mark.parametrize("zipped", [False, True])
def test_envelope_around_csv_or_zip_imports_with_the_name_clues(db_engine: Engine, tmp_path: Path,
                                                                 zipped: bool) -> None:
    payload = ROSTER
    if zipped:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr("roster.csv", ROSTER)
        payload = buffer.getvalue()
    path = _envelope(tmp_path / "EVR_STATEWIDE_ELECTIONDAY_58315_2026-05-26.json", payload)
    leftovers = set(Path(tempfile.gettempdir()).glob("turnout-envelope-*"))
    result = import_statewide(AppContext(db_engine), [path], election=ELECTION, party="REP")
    assert result.inserted == 3
    assert _records(db_engine) == [("1000000001", "LOVING", "election-day"), ("1000000002", "LOVING", "mail-in"),
                                   ("1000000003", "DEWITT", "election-day")]
    again = import_statewide(AppContext(db_engine), [path], election=ELECTION, party="REP")
    assert again.skipped_files == (path.name,)
    with transaction(db_engine) as session:
        assert session.execute(select(SourceFile.name)).scalar_one() == path.name
        assert session.execute(select(func.count()).select_from(TurnoutRecord)).scalar_one() == 3
    assert set(Path(tempfile.gettempdir()).glob("turnout-envelope-*")) == leftovers  # the payload is removed


def test_a_broken_envelope_is_refused_and_nothing_is_stored(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "EVR_STATEWIDE.json"
    path.write_text('{"upload": "%%% not base64"}', encoding="utf-8")
    with pytest.raises(ImportRejected) as refused:
        import_statewide(AppContext(db_engine), [path], election=ELECTION, party="REP")
    assert refused.value.reason == "malformed_json"
    assert _records(db_engine) == []
