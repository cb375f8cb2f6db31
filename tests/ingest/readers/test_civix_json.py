"""Civix portal responses: ``{"upload": base64}`` envelopes around JSON, CSV or ZIP payloads
(docs/data-formats.md 2.2)."""

from __future__ import annotations

import base64
import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from tests.ingest.conftest import REAL_DATA, counts_of
from tests.ingest.upload_reading import read_county_upload
from turnout_desktop.errors import ImportRejected


def _real_turnout() -> list[dict[str, object]]:
    """The real 2026 REP runoff election-day figures, shaped as Civix's ``turnout_by_county`` records."""
    with (REAL_DATA / "civix_58315_turnout_ed_2026-05-26.csv").open(encoding="utf-8") as handle:
        return [{"name": row["county"], "id": int(row["county_id"]),
                 "registered_voters": int(row["registered_voters"]),
                 "in_person_votes_on_date": int(row["in_person_votes_on_date"]),
                 "total_in_person_votes_for_election": int(row["total_in_person_votes"]),
                 "total_mail_votes_for_election": int(row["total_mail_votes"]),
                 "voter_details_report": row["roster_available"] == "true"} for row in csv.DictReader(handle)]


def _envelope(payload: bytes) -> bytes:
    return json.dumps({"upload": base64.b64encode(payload).decode("ascii")}).encode()


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _totals(upload: object) -> dict[str, int]:
    totals: dict[str, int] = {}
    for (_county, _party, method), number in counts_of(upload).items():
        totals[method] = totals.get(method, 0) + number
    return totals


def test_election_day_feed_in_an_envelope_splits_in_person(tmp_path: Path) -> None:
    # EVR_ELECTIONDAYTURNOUT: early_voting_date is null, in person = last EV cumulative + ED-day count.
    document = {"election_type": "P", "early_voting_date": None, "turnout_by_county": _real_turnout()}
    path = _write(tmp_path / "evr_electionday_58315.json", _envelope(json.dumps(document).encode()))
    upload = read_county_upload([path], party="REP")
    assert upload.kind == "summary" and upload.ready
    assert _totals(upload) == {"early-voting": 855_053 - 86_156, "election-day": 86_156, "mail-in": 59_596,
                               "TOTAL": 855_053 + 59_596}
    assert [counts_of(upload)[("BELL", "REP", m)] for m in ("early-voting", "election-day", "mail-in")] == [
        8_536, 5_613, 688]
    layout = upload.files[0].layouts[0]
    assert (layout.parser, layout.sheet) == ("json", "Election Day turnout")


def test_early_voting_feed_keeps_the_cumulative_in_person_count(tmp_path: Path) -> None:
    document = {"election_type": "P", "early_voting_date": "2026-05-22", "turnout_by_county": _real_turnout()}
    path = _write(tmp_path / "EVR_EARLYVOTING.json", json.dumps(document).encode())  # no envelope: plain JSON
    upload = read_county_upload([path], party="REP")
    assert _totals(upload)["early-voting"] == 855_053 and _totals(upload)["election-day"] == 0


def test_roster_payloads_csv_and_zip(tmp_path: Path) -> None:
    roster = b"COUNTY,VOTER_NAME,ID_VOTER,VOTING_METHOD,PRECINCT\nLOVING,\"DOE, JANE\",1000000001,IN-PERSON,1\n" \
             b"LOVING,\"ROE, RICH\",1000000002,MAIL-IN,1\n"
    as_csv = read_county_upload([_write(tmp_path / "loving_ev_roster.json", _envelope(roster))], party="REP")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("LOVING_EV.csv", roster)
    as_zip = read_county_upload([_write(tmp_path / "loving_ev_roster_zip.json", _envelope(buffer.getvalue()))],
                                party="REP")
    for upload in (as_csv, as_zip):
        assert counts_of(upload)[("LOVING", "REP", "early-voting")] == 1
        assert counts_of(upload)[("LOVING", "REP", "mail-in")] == 1


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"upload": "not base64!"}', "malformed_json"),
    (b'{"upload": ""}', "empty"),
    (b'{"upload": ', "malformed_json"),
    (b'{"elections": 3}', "unsupported_format"),
    (_envelope(_envelope(b"VUID\n1000000001\n")), "unsupported_format"),
])
def test_bad_json_is_refused_with_a_reason(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(ImportRejected) as refused:
        read_county_upload([_write(tmp_path / "civix.json", data)], party="REP")
    assert refused.value.reason == reason


def test_a_text_file_starting_with_a_bracket_is_still_csv(tmp_path: Path) -> None:
    path = _write(tmp_path / "loving roster EV REP.csv", b"[Loving County roster]\nVUID\n1000000001\n")
    upload = read_county_upload([path])
    assert counts_of(upload)[("LOVING", "REP", "early-voting")] == 1
