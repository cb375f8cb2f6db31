"""What a county upload would overwrite or get wrong, asked before the wizard submits it (no Qt).

Two risks the pre-check itself cannot see because they need the database:

* the county already has official counts for the election: submitting replaces them (a correction is
  fine, a slip of the file picker is not);
* most of the upload's VUIDs belong to another county in the statewide roster: the file is very likely
  that county's roster (a KENT clerk picking LOVING's file would replace KENT's count with LOVING's).
  A clerk on PostgreSQL may not read other counties' records: the database functions of
  ``db/pg_roster_overlap.py`` answer only which other county, if any, holds more than half of the VUIDs
  (no counts; every call logged and rate-limited per login).

``read_upload_risks`` never fails the pre-check: an unreachable database gives None (nothing to compare);
a database that refuses the roster check (e.g. its hourly limit) gives the replaced counts and says the
roster check was skipped.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from turnout_desktop.domain.codes import TOTAL
from turnout_desktop.ingest.interpret.model import ParsedUpload, official_count_rows

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.engine import Connection

# VUIDs looked up per county: enough to tell "mostly another county's" apart from a few movers,
# small enough that a 300k-row roster is judged in a few queries.
VUID_SAMPLE = 2000
QUERY_CHUNK = 500  # below SQLite's bound-parameter limit
MOSTLY = 0.5  # more than half of the VUIDs found statewide belong to one other county


@dataclass(frozen=True, slots=True)
class ReplacedCount:
    """One party's earlier official total that the upload would replace (``new``: None when it has none)."""

    county: str
    party: str
    earlier: int
    new: int | None


@dataclass(frozen=True, slots=True)
class ForeignRoster:
    """Upload VUIDs of ``county`` that the statewide roster places in ``other_county``.

    ``found`` and ``in_other_county`` are None for a clerk on PostgreSQL: the database tells it only that
    ``other_county`` holds more than half of the VUIDs looked up (``db/pg_roster_overlap.py``).
    """

    county: str
    looked_up: int  # VUIDs of the upload looked up (a sample of at most VUID_SAMPLE)
    found: int | None  # of those, found in the statewide roster
    other_county: str
    in_other_county: int | None

    @property
    def share(self) -> float:
        if self.found is None or self.in_other_county is None:
            return 0.0
        return self.in_other_county / self.found if self.found else 0.0


@dataclass(frozen=True, slots=True)
class UploadRisks:
    """What the wizard asks the clerk to confirm before submitting."""

    replaced: tuple[ReplacedCount, ...] = ()
    foreign: tuple[ForeignRoster, ...] = ()  # only counties whose VUIDs are mostly another county's
    roster_check_skipped: str | None = None  # why the database gave no answer on other counties' rosters

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.replaced or self.foreign)

    def messages(self) -> tuple[str, ...]:
        """One sentence per risk, for the confirmation dialog and the counts page."""
        lines = []
        for item in self.foreign:
            if item.found is None or item.in_other_county is None:
                lines.append(f"Most of the {item.looked_up:,} VUIDs of this file looked up in the statewide roster "
                             f"belong to {item.other_county}, not {item.county}: is this {item.other_county}'s file?")
                continue
            lines.append(f"{item.in_other_county:,} of {item.found:,} VUIDs of this file found in the statewide "
                         f"roster ({item.share:.0%}) belong to {item.other_county}, not {item.county}: "
                         f"is this {item.other_county}'s file?")
        for count in self.replaced:
            new = "no count" if count.new is None else f"{count.new:,}"
            lines.append(f"Replaces the official {count.county} {count.party} count already stored: "
                         f"{count.earlier:,} -> {new}.")
        if self.roster_check_skipped is not None:
            lines.append(f"Whether this file is another county's roster was not checked: {self.roster_check_skipped}")
        return tuple(lines)


def _sample(vuids: Sequence[str]) -> list[str]:
    """At most VUID_SAMPLE VUIDs spread evenly over the sorted unique ones (the same sample every time)."""
    unique = sorted(set(vuids))
    if len(unique) <= VUID_SAMPLE:
        return unique
    step = len(unique) / VUID_SAMPLE
    return [unique[int(i * step)] for i in range(VUID_SAMPLE)]


def _statewide_counties(connection: Connection, election: dt.date, vuids: list[str]) -> Counter[str]:
    """How many of ``vuids`` the statewide roster places in each county (a VUID counted once)."""
    from sqlalchemy import distinct, func, select

    from turnout_desktop.db.models import TurnoutRecord as record

    found: Counter[str] = Counter()
    for start in range(0, len(vuids), QUERY_CHUNK):
        chunk = vuids[start:start + QUERY_CHUNK]
        rows = connection.execute(
            select(record.county, func.count(distinct(record.vuid)))
            .where(record.election_date == election, record.source == "statewide", record.removed_at.is_(None),
                   record.vuid.in_(chunk))
            .group_by(record.county)).all()
        found.update({county: int(number) for county, number in rows})
    return found


def _earlier_totals(connection: Connection, election: dt.date, county: str) -> dict[str, int]:
    from sqlalchemy import select

    from turnout_desktop.db.models import CountyTurnoutReference as reference

    rows = connection.execute(
        select(reference.party, reference.official_count)
        .where(reference.county == county, reference.election_date == election, reference.voting_method == TOTAL,
               reference.official_count.is_not(None))).all()
    return {party: int(number) for party, number in rows}


def _foreign_roster(connection: Connection, county: str, election: dt.date, sample: list[str],
                    hidden: bool) -> ForeignRoster | None:
    """The other county ``sample`` (VUIDs uploaded for ``county``) mostly belongs to, if any.

    ``hidden``: row-level security keeps other counties' records from this login (a clerk on PostgreSQL),
    so the database's ``turnout_roster_overlap`` judges them instead (``db/pg_roster_overlap.py``): it names
    the other county holding more than half of the VUIDs sent, and no count.
    """
    if hidden:
        from turnout_desktop.db.pg_roster_overlap import roster_overlap

        overlap = roster_overlap(connection, election, sample)
        if overlap is None or overlap.majority_county is None:
            return None
        return ForeignRoster(county, len(sample), None, overlap.majority_county, None)
    counties = _statewide_counties(connection, election, sample)
    others = [(n, name) for name, n in counties.items() if name != county]
    if not others:
        return None
    found = sum(counties.values())
    number, other = max(others)
    if found and number / found > MOSTLY:
        return ForeignRoster(county, len(sample), found, other, number)
    return None


def _records_hidden(connection: Connection) -> bool:
    """True for a PostgreSQL login that row-level security keeps from other counties' records."""
    from sqlalchemy import text

    if connection.dialect.name != "postgresql":
        return False
    return not connection.execute(text("SELECT turnout_sees_all()")).scalar()


def upload_risks(connection: Connection, upload: ParsedUpload, election: dt.date) -> UploadRisks:
    """The risks of submitting ``upload`` (all rows still read) for ``election``."""
    from sqlalchemy.exc import DBAPIError

    replaced: list[ReplacedCount] = []
    for county in upload.counties:
        earlier = _earlier_totals(connection, election, county)
        new = {party: n for (party, method), n in official_count_rows(upload.counts, county).items() if method == TOTAL}
        replaced += [ReplacedCount(county, party, earlier[party], new.get(party)) for party in sorted(earlier)
                     if earlier[party] != new.get(party)]  # the same figure again replaces nothing
    foreign: list[ForeignRoster] = []
    if upload.rows.empty:
        return UploadRisks(tuple(replaced))
    try:
        hidden = _records_hidden(connection)
        for county in upload.counties:
            mine = upload.rows[upload.rows["county"] == county]["vuid"].dropna()
            found = _foreign_roster(connection, county, election, _sample([str(v) for v in mine]), hidden)
            foreign += [found] if found else []
    except DBAPIError as error:  # refused (the hourly limit) or set up before the function: counts still stand
        said = str(error.orig).strip()
        reason = said.splitlines()[0].rstrip(".") if said else type(error.orig).__name__
        return UploadRisks(tuple(replaced), roster_check_skipped=f"{reason}.")
    return UploadRisks(tuple(replaced), tuple(foreign))


def read_upload_risks(engine: Callable[[], Engine], upload: ParsedUpload,
                      election: dt.date | None) -> UploadRisks | None:
    """``upload_risks`` through the worker's engine; None without an election or when the database fails."""
    if election is None:
        return None
    try:
        with engine().connect() as connection:
            return upload_risks(connection, upload, election)
    except Exception:  # noqa: BLE001 - offline the wizard still pre-checks; there is just nothing to compare
        return None
