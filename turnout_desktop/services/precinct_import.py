"""Importing a precinct-to-district map (county, precinct, district) and marking the elections it makes due."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from turnout_desktop.db.audit import record_event
from turnout_desktop.db.models import CountyTurnoutReference, PrecinctDistrict, SourceFile
from turnout_desktop.db.session import transaction
from turnout_desktop.domain.permissions import Action
from turnout_desktop.engine import inputs
from turnout_desktop.engine.certification import certifications_in_force
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.submission_results import PrecinctImport


def import_precincts(ctx: AppContext, path: Path) -> PrecinctImport:
    """Load a precinct-to-district map (county, precinct, district); later rows update earlier ones."""
    from turnout_desktop.ingest.interpret.precincts import read_precincts

    ctx.require(Action.IMPORT_PRECINCTS)
    entries = read_precincts(path)
    data = path.read_bytes()
    with transaction(ctx.engine) as session:
        sha = hashlib.sha256(data).hexdigest()
        source = session.execute(select(SourceFile).where(SourceFile.kind == "precincts", SourceFile.sha256 == sha,
                                                          SourceFile.election_date.is_(None))).scalar()
        if source is None:
            source = SourceFile(kind="precincts", name=path.name, sha256=sha, size_bytes=len(data), content=data,
                                rows=len(entries), uploaded_by=ctx.user)
            session.add(source)
            session.flush()
        inserted = updated = 0
        changed_counties: set[str] = set()
        for county, precinct, district in entries:
            row = session.execute(select(PrecinctDistrict).where(PrecinctDistrict.county == county,
                                                                 PrecinctDistrict.precinct == precinct)).scalar()
            if row is None:
                session.add(PrecinctDistrict(county=county, precinct=precinct, district=district,
                                             source_file_id=source.id))
                inserted += 1
                changed_counties.add(county)
            elif row.district != district:
                row.district = district
                row.source_file_id = source.id
                updated += 1
                changed_counties.add(county)
        _precincts_changed(session, changed_counties, path.name)
        record_event(session, "import_precincts", f"precinct map {path.name}: {inserted} new, {updated} changed",
                     user=ctx.user, role=ctx.role)
    return PrecinctImport(file=path.name, rows=len(entries), inserted=inserted, updated=updated)


def _precincts_changed(session: Session, counties: set[str], file_name: str) -> None:
    """The precinct map feeds strategy C: every election with official counts of these counties is due."""
    if not counties:
        return
    elections = session.execute(select(CountyTurnoutReference.election_date, CountyTurnoutReference.county)
                                .where(CountyTurnoutReference.county.in_(sorted(counties))).distinct())
    by_election: dict[dt.date, list[str]] = defaultdict(list)
    for election, county in elections:
        by_election[election].append(county)
    for election, names in by_election.items():
        certified = certifications_in_force(session, election)
        if None in certified:
            continue  # a certified election's figures never move: the new map does not make them due
        inputs.bump(session, election, [name for name in names if name not in certified],
                    f"precinct map {file_name} changed")
