"""Step 2: name each root cause of a (county, election, party) discrepancy, with evidence.

``Diagnosis.details`` holds complete evidence (every VUID) for the strategies; ``evidence_for_log``
caps the lists for the ``reconciliation_log.diagnosis_details`` column.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from turnout_desktop.engine import repository
from turnout_desktop.engine.compare import Comparison
from turnout_desktop.engine.types import (
    DATA_FORMAT,
    DIAGNOSIS_CODES,
    DUPLICATE_RECORDS,
    EXTRA_VUIDS,
    MISSING_VUIDS,
    TIMING,
    UNEXPLAINED,
    WRONG_DISTRICT,
    Diagnosis,
)

LOG_LIST_CAP = 50
ROSTER_KIND = "roster"
SUMMARY_KIND = "summary"


def diagnose(session: Session, comparison: Comparison, *, has_statewide_source: bool = False) -> Diagnosis:
    """Diagnose one comparison. An exact match gets no codes and runs no queries.

    Args:
        session: Open session (read only here).
        comparison: The (county, party) comparison to explain.
        has_statewide_source: Whether a statewide source is configured (strategy A can run).

    Returns:
        The diagnosis with its codes in the stable ``DIAGNOSIS_CODES`` order.
    """
    submissions = repository.current_submissions(session, comparison.election_date, comparison.county)
    roster_ids = [s.id for s in submissions if s.kind == ROSTER_KIND]
    diagnosis = Diagnosis(
        county=comparison.county, election_date=comparison.election_date, party=comparison.party,
        expected_total=comparison.expected_total, actual_total=comparison.actual_total,
        by_method=dict(comparison.by_method), accuracy=comparison.accuracy,
        upload_kind=ROSTER_KIND if roster_ids else SUMMARY_KIND, has_statewide_source=has_statewide_source,
    )
    diagnosis.details["submission_ids"] = [s.id for s in submissions]
    if comparison.exact:
        return diagnosis
    found: dict[str, dict[str, Any]] = {}
    _record_causes(session, comparison, roster_ids, found)
    format_evidence = _data_format(session, submissions, roster_ids, comparison.party)
    if format_evidence:
        found[DATA_FORMAT] = format_evidence
    timing_evidence = _timing(session, comparison, submissions, roster_ids, MISSING_VUIDS in found)
    if timing_evidence:
        found[TIMING] = timing_evidence
    if not any(code in found for code in (MISSING_VUIDS, EXTRA_VUIDS, DUPLICATE_RECORDS, WRONG_DISTRICT)):
        found[UNEXPLAINED] = {
            "gap": sum(abs(c.expected - c.actual) for c in comparison.by_method.values()),
            "discrepancy": comparison.discrepancy,
            "by_method": comparison.counts_json(),
            "reason": "no record-level cause found" if roster_ids else "summary upload: no VUIDs to compare",
        }
    diagnosis.codes = [code for code in DIAGNOSIS_CODES if code in found]
    diagnosis.details.update(found)
    return diagnosis


def _record_causes(session: Session, comparison: Comparison, roster_ids: list[int],
                   found: dict[str, dict[str, Any]]) -> None:
    election, county, party = comparison.election_date, comparison.county, comparison.party
    missing = repository.missing_roster_vuids(session, election, roster_ids, party)
    if missing:
        per_method: dict[str, int] = {}
        for row in missing:
            per_method[row["voting_method"]] = per_method.get(row["voting_method"], 0) + 1
        found[MISSING_VUIDS] = {"count": len(missing), "by_method": per_method, "vuids": missing}
    extras = repository.extra_records(session, election, county, party, roster_ids)
    if extras:
        found[EXTRA_VUIDS] = {"count": len(extras), "records": extras}
    duplicates = repository.duplicate_records(session, election, county, party)
    if duplicates:
        surplus = sum(len(group["records"]) - 1 for group in duplicates)
        found[DUPLICATE_RECORDS] = {"count": len(duplicates), "surplus_records": surplus, "vuids": duplicates}
    wrong = {
        "in_other_county": repository.roster_vuids_in_other_county(session, election, county, party, roster_ids),
        "claimed_by_other_county": repository.records_claimed_by_other_county(session, election, county, party),
        "county_fallback": repository.fallback_records(session, election, county, party),
        "district_mismatch": repository.district_mismatches(session, election, county, party),
    }
    wrong_count = sum(len(rows) for rows in wrong.values())
    if wrong_count:
        found[WRONG_DISTRICT] = {"count": wrong_count, **wrong}


# Upload problems that say a value was read wrongly or had to be repaired. Layout notes (banner, blank
# or footer rows skipped, a footer total that agrees, a repeated row) are not format problems.
_FORMAT_CODES = frozenset({"encoding_fallback", "footer_total_mismatch", "summary_bad_number"})


def is_format_problem(code: object, blocking: bool = False) -> bool:
    """True for refused/repaired VUIDs, encoding fallbacks, totals that disagree, and blocking problems."""
    return isinstance(code, str) and (blocking or code.startswith("vuid_") or code in _FORMAT_CODES)


def _data_format(session: Session, submissions: list[repository.CurrentSubmission], roster_ids: list[int],
                 party: str) -> dict[str, Any] | None:
    """Values the upload refused or had to repair (lost zeros, floats, scientific notation, ...)."""
    problems = [p for s in submissions for p in s.problems
                if isinstance(p, dict) and is_format_problem(p.get("code"), bool(p.get("blocking")))]
    rows = [r for r in repository.roster_problem_rows(session, roster_ids, party) if is_format_problem(r["code"])]
    if not problems and not rows:
        return None
    refused = sum(1 for row in rows if row["vuid"] is None)
    return {"count": len(problems) + len(rows), "refused_rows": refused, "repaired_rows": len(rows) - refused,
            "problems": problems, "rows": rows}


def _timing(session: Session, comparison: Comparison, submissions: list[repository.CurrentSubmission],
            roster_ids: list[int], records_missing: bool) -> dict[str, Any] | None:
    """The county's data is newer than the statewide data for that county, with evidence.

    Evidence is county rows dated after the statewide's latest vote date (or its as-of day), or, for a
    roster without dates, voters missing from the statewide data in a roster uploaded after the snapshot.
    A summary has neither: being uploaded after the snapshot says nothing about which votes it counts.
    """
    if not roster_ids:
        return None
    election, county = comparison.election_date, comparison.county
    as_of = repository.statewide_as_of(session, election)
    county_latest = repository.latest_roster_vote_date(session, roster_ids, comparison.party)
    if county_latest is not None:
        statewide_latest = repository.latest_statewide_vote_date(session, election, county)
        if statewide_latest is None and as_of is not None:
            statewide_latest = as_of.date()
        if statewide_latest is not None and county_latest > statewide_latest:
            return {"reason": "county votes dated after the latest statewide vote date",
                    "county_latest_vote_date": county_latest.isoformat(),
                    "statewide_latest_vote_date": statewide_latest.isoformat()}
        return None
    submitted_at = next(s.submitted_at for s in submissions if s.id in roster_ids)
    if records_missing and as_of is not None and submitted_at > as_of:
        return {"reason": "roster voters missing from statewide data, roster uploaded after the statewide snapshot",
                "submitted_at": submitted_at.isoformat(), "statewide_as_of": as_of.isoformat()}
    return None


def evidence_for_log(details: dict[str, Any], cap: int = LOG_LIST_CAP) -> dict[str, Any]:
    """A copy of the evidence with every list cut to ``cap`` items (counts stay complete)."""
    return {key: _capped(value, cap) for key, value in details.items()}


def _capped(value: Any, cap: int) -> Any:
    if isinstance(value, dict):
        result = {key: _capped(item, cap) for key, item in value.items()}
        for key, item in value.items():
            if isinstance(item, list) and len(item) > cap:
                result[f"{key}_truncated_from"] = len(item)
        return result
    if isinstance(value, list):
        return [_capped(item, cap) for item in value[:cap]]
    return value


def sample_vuids(details: dict[str, Any], limit: int = 10) -> dict[str, list[str]]:
    """A few VUIDs per cause, for the escalation report."""
    samples: dict[str, list[str]] = {}
    for code in (MISSING_VUIDS, DUPLICATE_RECORDS):
        rows = details.get(code, {}).get("vuids", [])
        samples[code] = [row["vuid"] for row in rows[:limit]]
    samples[EXTRA_VUIDS] = [row["vuid"] for row in details.get(EXTRA_VUIDS, {}).get("records", [])[:limit]]
    wrong = details.get(WRONG_DISTRICT, {})
    samples[WRONG_DISTRICT] = [row["vuid"] for key in ("in_other_county", "claimed_by_other_county",
                                                       "county_fallback", "district_mismatch")
                               for row in wrong.get(key, [])][:limit]
    return {code: vuids for code, vuids in samples.items() if vuids}
