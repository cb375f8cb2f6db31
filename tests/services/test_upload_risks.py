"""What a county upload would replace or get wrong (services/upload_risks.py), on SQLite and PostgreSQL.

Real csv files read by the one pre-check, real databases holding official counts and statewide rows.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from turnout_desktop.db.models import CountyTurnoutReference, TurnoutRecord
from turnout_desktop.db.session import make_engine, transaction
from turnout_desktop.services.precheck import precheck_upload
from turnout_desktop.services.upload_risks import VUID_SAMPLE, read_upload_risks, upload_risks

ELECTION = dt.date(2026, 3, 3)


def roster_csv(path: Path, vuids: range) -> Path:
    lines = ["VUID,Party,Voting Method"] + [f"{v},{'DEM' if v % 2 else 'REP'},early-voting" for v in vuids]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def statewide(engine, county: str, vuids: range) -> None:
    with transaction(engine) as session:
        session.add_all(TurnoutRecord(election_date=ELECTION, vuid=str(v), county=county, party="DEM",
                                      voting_method="early-voting", source="statewide", verification="verified")
                        for v in vuids)


def official(engine, county: str, totals: dict[str, int]) -> None:
    with transaction(engine) as session:
        session.add_all(CountyTurnoutReference(county=county, election_date=ELECTION, party=party,
                                               voting_method="TOTAL", official_count=count)
                        for party, count in totals.items())


def risks_of(engine, path: Path, county: str):
    upload = precheck_upload([path], county=county, election=ELECTION).upload
    with engine.connect() as connection:
        return upload_risks(connection, upload, ELECTION)


def test_another_countys_roster_over_an_official_count(db_url, tmp_path):
    engine = make_engine(db_url)
    statewide(engine, "LOVING", range(1000000001, 1000000021))
    statewide(engine, "KENT", range(1000000021, 1000000023))  # two of the file's voters live in KENT
    official(engine, "KENT", {"DEM": 42, "REP": 0})
    risks = risks_of(engine, roster_csv(tmp_path / "roster.csv", range(1000000001, 1000000023)), "KENT")
    engine.dispose()
    assert [(f.county, f.looked_up, f.found, f.other_county, f.in_other_county) for f in risks.foreign] == [
        ("KENT", 22, 22, "LOVING", 20)]
    assert [(r.county, r.party, r.earlier, r.new) for r in risks.replaced] == [("KENT", "DEM", 42, 11),
                                                                               ("KENT", "REP", 0, 11)]
    assert risks.needs_confirmation
    assert risks.messages() == (
        "20 of 22 VUIDs of this file found in the statewide roster (91%) belong to LOVING, not KENT: "
        "is this LOVING's file?",
        "Replaces the official KENT DEM count already stored: 42 -> 11.",
        "Replaces the official KENT REP count already stored: 0 -> 11.")


def test_a_few_movers_and_an_unchanged_count_ask_nothing(db_url, tmp_path):
    engine = make_engine(db_url)
    statewide(engine, "KENT", range(1000000001, 1000000008))
    statewide(engine, "LOVING", range(1000000008, 1000000011))  # 3 of 10: moved, not another county's file
    official(engine, "KENT", {"DEM": 5, "REP": 5})  # the same totals again replace nothing
    risks = risks_of(engine, roster_csv(tmp_path / "roster.csv", range(1000000001, 1000000011)), "KENT")
    engine.dispose()
    assert risks.foreign == () and risks.replaced == () and not risks.needs_confirmation


def test_a_big_roster_is_judged_on_a_sample(sqlite_url, tmp_path):
    engine = make_engine(sqlite_url)
    vuids = range(1000000001, 1000000001 + VUID_SAMPLE + 500)
    statewide(engine, "LOVING", vuids)
    risks = risks_of(engine, roster_csv(tmp_path / "roster.csv", vuids), "KENT")
    engine.dispose()
    assert [(f.looked_up, f.found, f.in_other_county) for f in risks.foreign] == [
        (VUID_SAMPLE, VUID_SAMPLE, VUID_SAMPLE)]


def test_no_database_no_election_no_risks(tmp_path):
    upload = precheck_upload([roster_csv(tmp_path / "roster.csv", range(1000000001, 1000000003))],
                             county="KENT", election=ELECTION).upload

    def unreachable():
        raise OSError("connection refused")

    assert read_upload_risks(unreachable, upload, ELECTION) is None
    assert read_upload_risks(unreachable, upload, None) is None
