"""Builds one election on disk: a statewide roster, a newer statewide source folder and county uploads
with one injected fault each, as real CSV files the `turnout` CLI reads.

Counties (SOS names) and their faults:
- LOVING: clean roster.
- KENEDY: timing - the county has votes dated after the statewide snapshot; the newer statewide
  source folder holds them.
- BORDEN: missing - county voters the statewide data never had.
- KING: duplicates - statewide lists some voters twice (early-voting and mail-in).
- MCMULLEN: wrong county - statewide placed three of its voters in ROBERTS (which sent nothing).
- ROBERTS: no upload (statewide records only; never reconciled).
- GLASSCOCK: extras - statewide has voters the county roster does not list.
- TERRELL: inconsistent summary - a summary upload whose numbers no data supports.
- IRION: format - the county's VUIDs exported as Excel floats (``1000000123.0``), repaired on read.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

ELECTION = "2026-03-03"
SNAPSHOT_DAY = dt.date(2026, 2, 24)
LATE_DAY = dt.date(2026, 2, 26)
METHODS = ("early-voting", "election-day", "mail-in")
STATEWIDE_HEADER = ["VUID", "COUNTY", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]
ROSTER_HEADER = ["VUID", "PARTY", "VOTING_METHOD", "PRECINCT", "VOTE_DATE"]


@dataclass(frozen=True, slots=True)
class Vote:
    vuid: str
    county: str
    party: str
    method: str
    precinct: str = "0101"
    vote_date: dt.date = SNAPSHOT_DAY

    def statewide_row(self, county: str | None = None) -> list[str]:
        return [self.vuid, county or self.county, self.party, self.method, self.precinct, self.vote_date.isoformat()]

    def roster_row(self, vuid_text: str | None = None) -> list[str]:
        return [vuid_text or self.vuid, self.party, self.method, self.precinct, self.vote_date.isoformat()]


@dataclass
class Scenario:
    """Paths of the files written and the numbers each county should end with."""

    root: Path
    statewide: Path
    newer_source: Path
    uploads: dict[str, Path] = field(default_factory=dict)
    expected: dict[str, dict[str, int]] = field(default_factory=dict)  # county -> method -> final count


class _Numbers:
    def __init__(self) -> None:
        self.next = 1_000_000_000

    def votes(self, county: str, count: int, *, party: str = "DEM", vote_date: dt.date = SNAPSHOT_DAY) -> list[Vote]:
        result = []
        for index in range(count):
            self.next += 1
            result.append(Vote(f"{self.next:010d}", county, party, METHODS[index % 3], vote_date=vote_date))
        return result


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def _by_method(votes: list[Vote]) -> dict[str, int]:
    counts = dict.fromkeys(METHODS, 0)
    for vote in votes:
        counts[vote.method] += 1
    return counts


def build(root: Path) -> Scenario:
    """Write every file of the scenario under ``root``."""
    numbers = _Numbers()
    statewide: list[list[str]] = []
    scenario = Scenario(root, root / "statewide" / "statewide_0224.csv", root / "statewide_source")

    def roster(county: str, votes: list[Vote], texts: dict[str, str] | None = None) -> None:
        rows = [v.roster_row((texts or {}).get(v.vuid)) for v in votes]
        scenario.uploads[county] = _write(root / "uploads" / f"{county.lower()}_roster.csv", ROSTER_HEADER, rows)

    clean = numbers.votes("LOVING", 12)
    statewide += [v.statewide_row() for v in clean]
    roster("LOVING", clean)
    scenario.expected["LOVING"] = _by_method(clean)

    on_time = numbers.votes("KENEDY", 9)
    late = numbers.votes("KENEDY", 3, vote_date=LATE_DAY)
    statewide += [v.statewide_row() for v in on_time]
    roster("KENEDY", on_time + late)
    scenario.expected["KENEDY"] = _by_method(on_time + late)

    borden = numbers.votes("BORDEN", 10)
    statewide += [v.statewide_row() for v in borden[:7]]
    roster("BORDEN", borden)
    scenario.expected["BORDEN"] = _by_method(borden)

    king = numbers.votes("KING", 9)
    statewide += [v.statewide_row() for v in king]
    statewide += [[v.vuid, "KING", v.party, "mail-in", v.precinct, v.vote_date.isoformat()]
                  for v in king if v.method == "early-voting"][:2]
    roster("KING", king)
    scenario.expected["KING"] = _by_method(king)

    mcmullen = numbers.votes("MCMULLEN", 9)
    statewide += [v.statewide_row("ROBERTS" if index < 3 else None) for index, v in enumerate(mcmullen)]
    roster("MCMULLEN", mcmullen)
    scenario.expected["MCMULLEN"] = _by_method(mcmullen)

    statewide += [v.statewide_row() for v in numbers.votes("ROBERTS", 4)]

    glasscock = numbers.votes("GLASSCOCK", 9)
    statewide += [v.statewide_row() for v in glasscock]
    roster("GLASSCOCK", glasscock[:6])
    scenario.expected["GLASSCOCK"] = _by_method(glasscock)  # extras are escalated, never deleted

    terrell = numbers.votes("TERRELL", 6)
    statewide += [v.statewide_row() for v in terrell]
    scenario.uploads["TERRELL"] = _write(root / "uploads" / "terrell_summary.csv",
                                         ["Party", "Early Voting", "Election Day", "Mail", "Total"],
                                         [["DEM", "40", "30", "20", "90"]])
    scenario.expected["TERRELL"] = _by_method(terrell)

    irion = numbers.votes("IRION", 6)
    statewide += [v.statewide_row() for v in irion]
    roster("IRION", irion, texts={v.vuid: f"{int(v.vuid)}.0" for v in irion[:3]})
    scenario.expected["IRION"] = _by_method(irion)

    _write(scenario.statewide, STATEWIDE_HEADER, statewide)
    newer = statewide + [v.statewide_row() for v in late]
    _write(scenario.newer_source / "statewide_0226.csv", STATEWIDE_HEADER, newer)
    return scenario
