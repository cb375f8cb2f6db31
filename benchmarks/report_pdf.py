"""Benchmark: PDF report over all 254 counties (target < 10 s for the PDF render).

Run: ``QT_QPA_PLATFORM=offscreen python benchmarks/report_pdf.py [--records N] [--db URL]``.
Records are inserted in bulk and counted by SQL (GROUP BY) in ``build_report``; no record is
loaded into Python. Default 300,000 records (``--records 3000000`` for the full-size run).
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from sqlalchemy import insert
from sqlalchemy.orm import Session

from turnout_desktop.db.migrate import upgrade_to_head
from turnout_desktop.db.models import CountyTurnoutReference, ReconciliationLog, TurnoutRecord
from turnout_desktop.db.session import make_engine
from turnout_desktop.domain.counties import all_counties
from turnout_desktop.reports.model import build_report
from turnout_desktop.reports.pdf import render_report_pdf_bytes

ELECTION = dt.date(2024, 11, 5)
METHODS = ("early-voting", "election-day", "mail-in")


def populate(session: Session, records: int) -> None:
    counties = all_counties()
    per_county = records // len(counties)
    rng = random.Random(58315)
    batch: list[dict[str, object]] = []
    for county in counties:
        counts = {m: per_county // 3 for m in METHODS}
        for method, count in counts.items():
            official = count + rng.choice((0, 0, 0, 1, 5, 40))
            session.add(CountyTurnoutReference(county=county.sos_name, election_date=ELECTION, party="ALL",
                                               voting_method=method, official_count=official))
            for n in range(count):
                batch.append(dict(election_date=ELECTION, vuid=f"{county.county_id:03d}{METHODS.index(method)}"
                                  f"{n:06d}", county=county.sos_name, party="ALL", voting_method=method,
                                  source="statewide", verification="verified"))
            if len(batch) >= 50_000:
                session.execute(insert(TurnoutRecord), batch)
                batch.clear()
        session.add(CountyTurnoutReference(county=county.sos_name, election_date=ELECTION, party="ALL",
                                           voting_method="TOTAL", official_count=per_county))
        session.add(ReconciliationLog(county=county.sos_name, election_date=ELECTION, party="ALL",
                                      trigger_type="AUTO_CHECK", status=rng.choice(("RESOLVED", "ESCALATED")),
                                      diagnosis=["missing_vuids"], attempts_count=1,
                                      diagnosis_details={"missing_vuids": [f"9{n:09d}" for n in range(40)]}))
    if batch:
        session.execute(insert(TurnoutRecord), batch)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=300_000)
    parser.add_argument("--db", help="database URL (default: a fresh SQLite file)")
    args = parser.parse_args()
    url = args.db or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(url)
    upgrade_to_head(engine)
    started = time.perf_counter()
    with Session(engine) as session:
        populate(session, args.records)
        session.commit()
    print(f"populate {args.records:,} records: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    with Session(engine) as session:
        report = build_report(session, election=ELECTION, user="bench")
    print(f"build_report: {time.perf_counter() - started:.2f} s ({len(report.counties)} rows)")
    started = time.perf_counter()
    data = render_report_pdf_bytes(report)
    elapsed = time.perf_counter() - started
    print(f"PDF render: {elapsed:.2f} s, {len(data):,} bytes, target < 10 s: {'OK' if elapsed < 10 else 'SLOW'}")


if __name__ == "__main__":
    main()
