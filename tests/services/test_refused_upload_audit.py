"""docs/reliability.md T14: every refused upload writes exactly one failure audit event with the file's sha256 and
reason.

Refused means: the safety checks refuse the file (zip bomb, encrypted workbook, wrong format), it cannot be
read, or the pre-check blocks it. Covered for ``submit_files`` (and ``turnout submit``), the offline outbox
(``queue_submission``) and ``import_statewide``, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from turnout_desktop.db.audit import verify_chain
from turnout_desktop.db.models import AuditEvent, OutboxItem, SourceFile, Submission
from turnout_desktop.db.session import transaction
from turnout_desktop.errors import ImportRejected
from turnout_desktop.services import upload_refusals
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.outbox import queue_submission
from turnout_desktop.services.submission import import_statewide, submit_files
from turnout_desktop.services.upload_refusals import SubmissionBlocked

ELECTION = dt.date(2026, 3, 3)
STATEWIDE_HEADER = ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]


# --- real files -------------------------------------------------------------------------------------------------

def _roster(path: Path, rows: list[list[str]] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["VUID", "County", "Party", "Method", "Precinct"])
        writer.writerows(rows or [["1151000001", "Loving", "DEM", "EV", "0001"],
                                  ["1151000002", "Loving", "REP", "EV", "0001"]])
    return path


def _zip_bomb(path: Path) -> Path:
    """8 MB of zeros deflated to a few kB: the member expands far beyond the 100:1 limit."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        with archive.open("loving roster.csv", "w") as member:
            member.write(b"\0" * (8 * 1024 * 1024))
    path.write_bytes(buffer.getvalue())
    return path


def _garbage(path: Path) -> Path:
    """Not a spreadsheet at all: the start of a PDF."""
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256)))
    return path


def _encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE2 container with an EncryptedPackage stream."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 500 + "EncryptedPackage".encode("utf-16-le")
                     + b"\0" * 500)
    return path


def _hidden_county_roster(path: Path) -> Path:
    """A roster whose county cell holds a zero-width space: blocked by the pre-check (hidden_characters)."""
    return _roster(path, [["1151000001", "Loving", "DEM", "EV", "0001"],
                          ["1151000002", "Lov\u200bing", "REP", "EV", "0001"]])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- reading the trail -----------------------------------------------------------------------------------------

def _failures(engine: Engine, event_type: str | None = None) -> list[AuditEvent]:
    with transaction(engine) as session:
        query = select(AuditEvent).where(AuditEvent.disposition == "failure").order_by(AuditEvent.seq)
        if event_type:
            query = query.where(AuditEvent.event_type == event_type)
        events = session.execute(query).scalars().all()
        session.expunge_all()
        return list(events)


def _only_failure(engine: Engine, event_type: str) -> dict[str, Any]:
    events = _failures(engine)
    assert [e.event_type for e in events] == [event_type]
    event = events[0]
    assert event.user_name == "clerk1" and event.election_date == ELECTION
    assert event.details is not None
    assert {"file", "sha256", "reason", "message"} <= set(event.details)
    assert event.details["message"] and event.details["reason"] in event.message
    with transaction(engine) as session:
        assert verify_chain(session) is None
    return event.details


def _nothing_stored(engine: Engine) -> None:
    with transaction(engine) as session:
        assert session.execute(select(SourceFile.id)).first() is None
        assert session.execute(select(Submission.id)).first() is None


# --- submit ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "name", "reason"), [
    (_zip_bomb, "loving.zip", "zip_bomb"),
    (_garbage, "loving roster.csv", "unsupported_format"),
    (_encrypted_xlsx, "loving roster.xlsx", "encrypted"),
])
def test_submit_of_an_unsafe_file_writes_one_failure_event(db_engine: Engine, tmp_path: Path, build: Any,
                                                           name: str, reason: str) -> None:
    path = build(tmp_path / name)
    with pytest.raises(ImportRejected) as refused:
        submit_files(AppContext(db_engine, user="clerk1"), [path], election=ELECTION, county="Loving",
                     reconcile=False)
    assert refused.value.reason == reason
    details = _only_failure(db_engine, "submit")
    assert (details["file"], details["sha256"], details["reason"]) == (name, _sha(path), reason)
    assert details["message"] == str(refused.value)
    _nothing_stored(db_engine)


def test_submit_of_a_missing_file_says_unreadable_without_a_sha(db_engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "gone.csv"
    with pytest.raises(ImportRejected) as refused:
        submit_files(AppContext(db_engine, user="clerk1"), [path], election=ELECTION, county="Loving",
                     reconcile=False)
    assert refused.value.reason == "unreadable"
    details = _only_failure(db_engine, "submit")
    assert (details["file"], details["sha256"], details["reason"]) == ("gone.csv", None, "unreadable")


def test_submit_blocked_by_the_precheck_writes_one_failure_event(db_engine: Engine, tmp_path: Path) -> None:
    path = _hidden_county_roster(tmp_path / "loving roster.csv")
    with pytest.raises(SubmissionBlocked):
        submit_files(AppContext(db_engine, user="clerk1"), [path], election=ELECTION, reconcile=False)
    details = _only_failure(db_engine, "submit")
    assert (details["file"], details["sha256"], details["reason"]) == ("loving roster.csv", _sha(path), "blocked")
    assert details["codes"] == ["hidden_characters"] and details["blocking"] == 1
    assert "\u200b" not in details["message"]  # the offending value is not copied raw into the trail
    _nothing_stored(db_engine)


def test_a_multi_file_submit_names_only_the_refused_file(db_engine: Engine, tmp_path: Path) -> None:
    good = _roster(tmp_path / "loving ev.csv")
    bomb = _zip_bomb(tmp_path / "loving ed.zip")
    with pytest.raises(ImportRejected):
        submit_files(AppContext(db_engine, user="clerk1"), [good, bomb], election=ELECTION, county="Loving",
                     reconcile=False)
    details = _only_failure(db_engine, "submit")
    assert (details["file"], details["sha256"], details["reason"]) == ("loving ed.zip", _sha(bomb), "zip_bomb")


def test_a_blocked_file_among_good_ones_gets_the_event(db_engine: Engine, tmp_path: Path) -> None:
    good = _roster(tmp_path / "loving ev.csv")
    blocked = _hidden_county_roster(tmp_path / "loving ed.csv")
    with pytest.raises(SubmissionBlocked):
        submit_files(AppContext(db_engine, user="clerk1"), [good, blocked], election=ELECTION, reconcile=False)
    details = _only_failure(db_engine, "submit")
    assert (details["file"], details["sha256"], details["reason"]) == ("loving ed.csv", _sha(blocked), "blocked")


def test_an_accepted_submit_writes_no_failure_event(db_engine: Engine, tmp_path: Path) -> None:
    result = submit_files(AppContext(db_engine, user="clerk1"), [_roster(tmp_path / "loving.csv")],
                          election=ELECTION, county="Loving", reconcile=False)
    assert result.stored and _failures(db_engine) == []


def test_a_failing_audit_write_never_hides_the_refusal(db_engine: Engine, tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(upload_refusals, "append_events", broken)
    bomb = _zip_bomb(tmp_path / "loving.zip")
    with pytest.raises(ImportRejected) as refused:
        submit_files(AppContext(db_engine, user="clerk1"), [bomb], election=ELECTION, county="Loving",
                     reconcile=False)
    assert refused.value.reason == "zip_bomb"
    assert _failures(db_engine) == []


def test_cli_submit_of_a_refused_file_writes_one_failure_event(sqlite_url: str, tmp_path: Path,
                                                               capsys: pytest.CaptureFixture[str]) -> None:
    from turnout_desktop.cli.main import main
    from turnout_desktop.db.session import make_engine

    path = _encrypted_xlsx(tmp_path / "loving roster.xlsx")
    code = main(["--db", sqlite_url, "submit", str(path), "--county", "Loving", "--election", "2026-03-03",
                 "--user", "clerk1"])
    assert code == 2 and "password-protected" in capsys.readouterr().err
    engine = make_engine(sqlite_url)
    try:
        details = _only_failure(engine, "submit")
        assert (details["file"], details["sha256"], details["reason"]) == (path.name, _sha(path), "encrypted")
    finally:
        engine.dispose()


# --- offline outbox -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("build", "name", "reason"), [
    (_zip_bomb, "loving.zip", "zip_bomb"),
    (_hidden_county_roster, "loving roster.csv", "blocked"),
])
def test_queueing_a_refused_file_writes_one_failure_event(db_engine: Engine, tmp_path: Path, build: Any,
                                                          name: str, reason: str) -> None:
    path = build(tmp_path / name)
    with pytest.raises((ImportRejected, SubmissionBlocked)):
        queue_submission(AppContext(db_engine, user="clerk1"), [path], election=ELECTION, county="Loving")
    details = _only_failure(db_engine, "outbox_queue")
    assert (details["file"], details["sha256"], details["reason"]) == (name, _sha(path), reason)
    with transaction(db_engine) as session:
        assert session.execute(select(OutboxItem.id)).first() is None


# --- statewide import -----------------------------------------------------------------------------------------------

def test_importing_a_refused_statewide_file_writes_one_failure_event(db_engine: Engine, tmp_path: Path) -> None:
    good = tmp_path / "statewide_2026-03-03.csv"
    with good.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows([STATEWIDE_HEADER, ["1151000001", "LOVING", "DEM", "early-voting", "0001",
                                                         "2026-02-20"]])
    bomb = _zip_bomb(tmp_path / "statewide_2026-03-04.zip")
    with pytest.raises(ImportRejected) as refused:
        import_statewide(AppContext(db_engine, user="clerk1", role="admin"), [good, bomb], election=ELECTION)
    assert refused.value.reason == "zip_bomb"
    details = _only_failure(db_engine, "import_statewide")
    assert (details["file"], details["sha256"], details["reason"]) == (bomb.name, _sha(bomb), "zip_bomb")
    with transaction(db_engine) as session:  # the good file before it was imported and audited as usual
        assert session.execute(select(AuditEvent.event_type).where(AuditEvent.disposition == "success")
                               ).scalars().all() == ["import_statewide"]


def test_importing_a_missing_statewide_file_says_unreadable(db_engine: Engine, tmp_path: Path) -> None:
    missing = tmp_path / "statewide_missing.csv"
    with pytest.raises(OSError):
        import_statewide(AppContext(db_engine, user="clerk1", role="admin"), [missing], election=ELECTION)
    details = _only_failure(db_engine, "import_statewide")
    assert (details["file"], details["sha256"], details["reason"]) == (missing.name, None, "unreadable")
