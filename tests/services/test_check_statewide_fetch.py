"""The check's statewide fetch is a record; its stored form (log row, audit event) keeps the keys it had."""

from __future__ import annotations

import datetime as dt

from turnout_desktop.services.check import ElectionCheck, StatewideFetch


def test_each_outcome_stores_the_keys_it_always_stored() -> None:
    assert StatewideFetch("no_source", "no statewide source is configured").to_json() == {
        "outcome": "no_source", "message": "no statewide source is configured", "inserted": 0}
    unavailable = StatewideFetch("source_unavailable", "down", source="https://example.test/feed").to_json()
    assert list(unavailable.items()) == [("outcome", "source_unavailable"), ("message", "down"), ("inserted", 0),
                                         ("source", "https://example.test/feed")]
    imported = StatewideFetch("imported", "1 new file(s), 2 new record(s)", 2, files=("a.csv",),
                              refused=("b.csv: bad",), source="/feed").to_json()
    assert list(imported.items()) == [("outcome", "imported"), ("message", "1 new file(s), 2 new record(s)"),
                                      ("inserted", 2), ("files", ["a.csv"]), ("refused", ["b.csv: bad"]),
                                      ("source", "/feed")]
    assert StatewideFetch("no_change", "no new file", files=(), refused=(), source="/feed").to_json() == {
        "outcome": "no_change", "message": "no new file", "inserted": 0, "files": [], "refused": [],
        "source": "/feed"}


def test_a_check_that_fetched_nothing_stores_an_empty_statewide_object() -> None:
    quiet = ElectionCheck(dt.date(2026, 3, 3))
    assert quiet.statewide is None and quiet.to_json()["statewide"] == {}
    assert "statewide source" not in quiet.sentence()
    fetched = ElectionCheck(dt.date(2026, 3, 3), statewide=StatewideFetch("certified", "not fetched: certified"))
    assert fetched.to_json()["statewide"] == {"outcome": "certified", "message": "not fetched: certified",
                                              "inserted": 0}
    assert "; statewide source: not fetched: certified." in fetched.sentence()
