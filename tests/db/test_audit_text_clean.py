"""docs/reliability.md T4, T14: free text reaches the audit table without control, format or escape characters."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from turnout_desktop.db.audit import new_event, record_event, verify_chain
from turnout_desktop.db.models import AuditEvent
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.text_clean import clean_structure, clean_text

ELECTION = dt.date(2026, 3, 3)


@pytest.mark.parametrize(("raw", "clean"), [
    ("Peña O'Brien", "Peña O'Brien"),
    ("Trаvis 🗳️ 東京", "Trаvis 🗳️ 東京"),  # Cyrillic a, emoji with variation selector (Mn), CJK: kept
    ("eve\x1b[31madmin\x1b[0m", "eveadmin"),  # a whole ANSI colour sequence, not only its ESC
    ("eve\x1b]0;pwned\x07x", "evex"),  # OSC (terminal title)
    ("a\u202eb\u2066c\u2069", "abc"),  # bidi override and isolates
    ("\ufeffz\u200bw\u200d\u00ad", "zw"),  # BOM, zero-width space and joiner, soft hyphen
    ("x\x00y\x07z\x7f\x85\x9b31m", "xyz"),  # C0, DEL, C1 (NEL, 8-bit CSI with its sequence)
    ("line\u2028two\u2029", "linetwo"),  # line and paragraph separators
    ("lone\ud800surrogate", "lonesurrogate"),
    ("a\r\nb\tc", "abc"),
])
def test_clean_text(raw: str, clean: str) -> None:
    assert clean_text(raw) == clean
    assert clean_text(clean) == clean


def test_clean_text_escapes_line_breaks_in_messages() -> None:
    assert clean_text("one\r\ntwo\tthree\x1b[2J\u202e", escape_whitespace=True) == "one\\r\\ntwo\\tthree"


def test_clean_structure_walks_keys_and_values_and_leaves_the_argument_alone() -> None:
    details = {"file\u202e": "x\u200b.csv", "n": 3, "ok": True, "none": None,
               "nested": {"list": ["a\x1b[31mb", 7, ("c\x00", {"d\u2028": "e\nf"})]}}
    assert clean_structure(details) == {"file": "x.csv", "n": 3, "ok": True, "none": None,
                                        "nested": {"list": ["ab", 7, ("c", {"d": "e\\nf"})]}}
    assert details["file\u202e"] == "x\u200b.csv"


def test_new_event_cleans_every_free_text_field() -> None:
    event = new_event("submit", "stored\n\u202eforged line", user="eve\x1b[31m\u202eadmin", role="clerk\x00",
                      county="LOV\u200bING", details={"reason\x1b[1m": ["canvass\u202e", {"by": "\x85bob"}]})
    assert (event.user_name, event.user_role, event.county) == ("eveadmin", "clerk", "LOVING")
    assert event.message == "stored\\nforged line"
    assert event.details == {"reason": ["canvass", {"by": "bob"}]}


def test_control_characters_never_reach_the_audit_table(db_engine: Engine) -> None:
    user = "mallory\x1b[31m\u202eadmin"
    with transaction(db_engine) as session:
        record_event(session, "manual_override", "reason: \x1b[2Jcertified\r\nOK", user=user, role="admin",
                     county="LOVING", election_date=ELECTION,
                     details={"reason": "county canvass\u200b certified\x07", "file\u2066": "a\u202ecsv.exe",
                              "nested": [{"note": "x\x00y"}, 5]})
        record_event(session, "submit", "plain", user="clerk1", role="clerk")
    with transaction(db_engine) as session:
        stored = session.execute(select(AuditEvent).order_by(AuditEvent.seq)).scalars().first()
        assert stored is not None
        assert stored.user_name == "malloryadmin"
        assert stored.message == "reason: certified\\r\\nOK"
        assert stored.details == {"reason": "county canvass certified", "file": "acsv.exe",
                                  "nested": [{"note": "xy"}, 5]}
        assert session.execute(select(AuditEvent.seq).where(AuditEvent.user_name == user)).first() is None
        assert verify_chain(session) is None  # the hash covers the cleaned text that was stored
