"""Step 2: name each root cause of a (county, election, party) discrepancy, with evidence.

``Diagnosis.details`` holds complete evidence (every VUID) for the strategies; ``evidence_for_log``
caps the lists for the ``reconciliation_log.diagnosis_details`` column.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy.orm import Session

from turnout_desktop.engine import evidence, repository
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
Pair = evidence.Pair
SUMMARY_KIND = "summary"


def diagnose(session: Session, comparison: Comparison, *, has_statewide_source: bool = False) -> Diagnosis:
    """Diagnose one comparison. An exact match gets no codes and runs no evidence queries.

    Args:
        session: Open session (read only here).
        comparison: The (county, party) comparison to explain.
        has_statewide_source: Whether a statewide source is configured (strategy A can run).

    Returns:
        The diagnosis with its codes in the stable ``DIAGNOSIS_CODES`` order.
    """
    return diagnose_many(session, [comparison], has_statewide_source=has_statewide_source)[0]


def diagnose_many(session: Session, comparisons: Sequence[Comparison], *,
                  has_statewide_source: bool = False) -> list[Diagnosis]:
    """Diagnose many comparisons of one election with one query per cause (``evidence.py``), not per pair.

    Returns:
        One diagnosis per comparison, in the same order.
    """
    if not comparisons:
        return []
    election = comparisons[0].election_date
    scope = evidence.scope_for(session, election, [(c.county, c.party) for c in comparisons])
    diagnoses = [_blank(c, scope, has_statewide_source) for c in comparisons]
    inexact = [(c, d) for c, d in zip(comparisons, diagnoses, strict=True) if not c.exact]
    if not inexact:
        return diagnoses
    scope.pairs = frozenset((c.county, c.party) for c, _d in inexact)
    scope.records = sum(c.actual_total for c, _d in inexact)
    found = _evidence(session, scope)
    for comparison, diagnosis in inexact:
        causes = found.get((comparison.county, comparison.party), {})
        if not any(code in causes for code in (MISSING_VUIDS, EXTRA_VUIDS, DUPLICATE_RECORDS, WRONG_DISTRICT)):
            causes[UNEXPLAINED] = {
                "gap": sum(abs(c.expected - c.actual) for c in comparison.by_method.values()),
                "discrepancy": comparison.discrepancy,
                "by_method": comparison.counts_json(),
                "reason": ("no record-level cause found" if diagnosis.upload_kind == ROSTER_KIND
                           else "summary upload: no VUIDs to compare"),
            }
        diagnosis.codes = [code for code in DIAGNOSIS_CODES if code in causes]
        diagnosis.details.update(causes)
    return diagnoses


def _blank(comparison: Comparison, scope: evidence.EvidenceScope, has_statewide_source: bool) -> Diagnosis:
    """A diagnosis with the comparison's figures and no cause yet."""
    submissions = scope.submissions.get(comparison.county, [])
    diagnosis = Diagnosis(
        county=comparison.county, election_date=comparison.election_date, party=comparison.party,
        expected_total=comparison.expected_total, actual_total=comparison.actual_total,
        by_method=dict(comparison.by_method), accuracy=comparison.accuracy,
        upload_kind=ROSTER_KIND if scope.roster_ids(comparison.county) else SUMMARY_KIND,
        has_statewide_source=has_statewide_source,
    )
    diagnosis.details["submission_ids"] = [s.id for s in submissions]
    return diagnosis


def _evidence(session: Session, scope: evidence.EvidenceScope) -> dict[Pair, dict[str, dict[str, Any]]]:
    """Every cause found, per pair of the scope: ``{pair: {code: evidence}}``."""
    found: dict[Pair, dict[str, dict[str, Any]]] = {pair: {} for pair in scope.pairs}
    missing, elsewhere = evidence.roster_vuids_missing_or_elsewhere(session, scope)
    for pair, rows in missing.items():
        per_method: dict[str, int] = {}
        for row in rows:
            per_method[row["voting_method"]] = per_method.get(row["voting_method"], 0) + 1
        found[pair][MISSING_VUIDS] = {"count": len(rows), "by_method": per_method, "vuids": rows}
    extras = evidence.extra_records(session, scope)
    for pair, rows in extras.items():
        found[pair][EXTRA_VUIDS] = {"count": len(rows), "records": [
            {key: value for key, value in row.items() if key != "county_fallback"} for row in rows]}
    for pair, groups in evidence.duplicate_records(session, scope).items():
        surplus = sum(len(group["records"]) - 1 for group in groups)
        found[pair][DUPLICATE_RECORDS] = {"count": len(groups), "surplus_records": surplus, "vuids": groups}
    wrong = {
        "in_other_county": elsewhere,
        "claimed_by_other_county": evidence.records_claimed_by_other_county(session, scope, extras),
        "county_fallback": evidence.fallback_records(session, scope),
        "district_mismatch": evidence.district_mismatches(session, scope),
    }
    for pair in scope.pairs:
        kinds = {kind: rows.get(pair, []) for kind, rows in wrong.items()}
        count = sum(len(rows) for rows in kinds.values())
        if count:
            found[pair][WRONG_DISTRICT] = {"count": count, **kinds}
    problem_rows = evidence.roster_problem_rows(session, scope)
    for pair in scope.pairs:
        format_evidence = _data_format(scope.submissions.get(pair[0], []), problem_rows.get(pair, []))
        if format_evidence:
            found[pair][DATA_FORMAT] = format_evidence
    _add_timing(session, scope, found)
    return found


# The kinds of wrong-county evidence ``_evidence`` collects under WRONG_DISTRICT (domain/labels.py names them).
WRONG_DISTRICT_KINDS = ("in_other_county", "claimed_by_other_county", "county_fallback", "district_mismatch")
# Upload problems that say a value was read wrongly or had to be repaired. Layout notes (banner, blank
# or footer rows skipped, a footer total that agrees, a repeated row) are not format problems.
_FORMAT_CODES = frozenset({"encoding_fallback", "footer_total_mismatch", "summary_bad_number"})


def is_format_problem(code: object, blocking: bool = False) -> bool:
    """True for refused/repaired VUIDs, encoding fallbacks, totals that disagree, and blocking problems."""
    return isinstance(code, str) and (blocking or code.startswith("vuid_") or code in _FORMAT_CODES)


def _data_format(submissions: list[repository.CurrentSubmission],
                 roster_rows: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Values the upload refused or had to repair (lost zeros, floats, scientific notation, ...)."""
    problems = [p for s in submissions for p in s.problems
                if isinstance(p, dict) and is_format_problem(p.get("code"), bool(p.get("blocking")))]
    rows = [r for r in roster_rows if is_format_problem(r["code"])]
    if not problems and not rows:
        return None
    refused = sum(1 for row in rows if row["vuid"] is None)
    return {"count": len(problems) + len(rows), "refused_rows": refused, "repaired_rows": len(rows) - refused,
            "problems": problems, "rows": rows}


def _add_timing(session: Session, scope: evidence.EvidenceScope,
                found: dict[Pair, dict[str, dict[str, Any]]]) -> None:
    """The county's data is newer than the statewide data for that county, with evidence.

    Evidence is county rows dated after the statewide's latest vote date (or its as-of day), or, for a
    roster without dates, voters missing from the statewide data in a roster uploaded after the snapshot.
    A summary has neither: being uploaded after the snapshot says nothing about which votes it counts.
    """
    pairs = [pair for pair in scope.pairs if scope.roster_ids(pair[0])]
    if not pairs:
        return
    as_of = repository.statewide_as_of(session, scope.election)
    county_latest = evidence.latest_roster_vote_dates(session, scope)
    statewide_latest = evidence.latest_statewide_vote_dates(session, scope) if county_latest else {}
    for pair in pairs:
        timing = _timing(pair, scope, as_of, county_latest.get(pair), statewide_latest.get(pair[0]),
                         MISSING_VUIDS in found[pair])
        if timing:
            found[pair][TIMING] = timing


def _timing(pair: Pair, scope: evidence.EvidenceScope, as_of: dt.datetime | None, county_latest: dt.date | None,
            statewide_latest: dt.date | None, records_missing: bool) -> dict[str, Any] | None:
    if county_latest is not None:
        if statewide_latest is None and as_of is not None:
            statewide_latest = as_of.date()
        if statewide_latest is not None and county_latest > statewide_latest:
            return {"reason": "county votes dated after the latest statewide vote date",
                    "county_latest_vote_date": county_latest.isoformat(),
                    "statewide_latest_vote_date": statewide_latest.isoformat()}
        return None
    roster_ids = scope.roster_ids(pair[0])
    submitted_at = next(s.submitted_at for s in scope.submissions[pair[0]] if s.id in roster_ids)
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
    samples[WRONG_DISTRICT] = [row["vuid"] for key in WRONG_DISTRICT_KINDS for row in wrong.get(key, [])][:limit]
    return {code: vuids for code, vuids in samples.items() if vuids}
