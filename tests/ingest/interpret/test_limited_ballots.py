"""L (limited ballot, cast in person) takes the in-person method the file or its other codes give."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.ingest.conftest import counts_of, problem_tuples, write_text
from tests.ingest.upload_reading import read_county_upload


@pytest.mark.parametrize(("codes", "name", "expected", "inferred"), [
    (["E", "A", "L"], "GEN110320_10.09.2020.csv", {"early-voting": 2, "election-day": 0, "mail-in": 1}, True),
    (["Y", "Z", "L"], "roster_2026.csv", {"early-voting": 0, "election-day": 3, "mail-in": 0}, True),
    (["E", "Y", "L"], "Tarrant ED roster.csv", {"early-voting": 1, "election-day": 2, "mail-in": 0}, False),
])
def test_limited_ballot_method(tmp_path: Path, codes: list[str], name: str, expected: dict[str, int],
                               inferred: bool) -> None:
    lines = ["VUID,Vote Type", *(f"10000000{i:02d},{code}" for i, code in enumerate(codes))]
    upload = read_county_upload([write_text(tmp_path / name, lines)], county="Tarrant", party="REP")
    counts = counts_of(upload)
    assert {m: counts[("TARRANT", "REP", m)] for m in expected} == expected
    codes_seen = [p[0] for p in problem_tuples(upload.problems)]
    assert codes_seen == (["in_person_method_inferred"] if inferred else [])
    assert upload.ready


def test_limited_ballot_with_both_in_person_methods_and_no_name_clue_blocks(tmp_path: Path) -> None:
    lines = ["VUID,Vote Type", "1000000001,E", "1000000002,Y", "1000000003,L"]
    upload = read_county_upload([write_text(tmp_path / "roster.csv", lines)], county="Tarrant", party="REP")
    assert [(p[0], p[2], p[4], p[5]) for p in problem_tuples(upload.problems)] == [
        ("unknown_method", 4, "L", True)]
