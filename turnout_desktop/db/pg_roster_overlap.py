"""Whether an upload's VUIDs are mostly another county's statewide records, asked without reading them.

Row-level security keeps a clerk from every other county's ``turnout_record`` rows, so the wizard's
"this file is mostly another county's roster" check (``services/upload_risks.py``) would find nothing for
a clerk on PostgreSQL. Two SECURITY DEFINER functions of the owner answer it:

* ``turnout_roster_overlap(election, vuids)`` takes between ``ROSTER_OVERLAP_MIN_VUIDS`` and
  ``ROSTER_OVERLAP_MAX_VUIDS`` distinct VUIDs, writes the call to ``roster_overlap_probe`` (login, election,
  number of distinct VUIDs, their SHA-256, the verdict) and returns the probe's id and the number of
  distinct VUIDs sent, no count of records. It refuses (SQLSTATE 54000) a login that already made
  ``ROSTER_OVERLAP_MAX_PER_HOUR`` probes in the last hour.
* ``turnout_roster_overlap_verdict(probe_id)`` returns the verdict of one of the login's own probes once
  that probe is committed: the other county holding more than half of the distinct VUIDs sent (and at
  least ``ROSTER_OVERLAP_MIN_VUIDS`` of them), else NULL. Asking for the verdict inside the probe's own
  transaction is refused, so a probe cannot be rolled back (with its log row and its place in the rate
  limit) after its answer was read.

What this protects, and what it does not: a clerk learns one verdict per probe (no majority county, or
the one county holding the majority: in effect one bit), at most ``ROSTER_OVERLAP_MAX_PER_HOUR`` probes
per hour per login, and every probe is kept for admins and auditors to read. Exact counts are never
returned, so two probes differing by one VUID give the same answer unless that VUID tips the majority; a
clerk who builds arrays right at the majority threshold can still learn about single voters at the rate
the limit allows, and the log is how such probing is seen.

``turnout admin setup`` (``db/pg_security.py``) creates both functions and grants them to clerks and
admins only; nobody but the functions writes ``roster_overlap_probe``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text

ROSTER_OVERLAP_MIN_VUIDS = 20  # fewer distinct VUIDs could single out a voter
ROSTER_OVERLAP_MAX_VUIDS = 10_000  # the wizard sends a sample of at most 2,000; more is not an upload check
ROSTER_OVERLAP_MAX_PER_HOUR = 30  # probes per login and hour: a wizard session needs a handful
ROSTER_OVERLAP_FUNCTION = "turnout_roster_overlap(date, text[])"
ROSTER_OVERLAP_VERDICT_FUNCTION = "turnout_roster_overlap_verdict(integer)"
ROSTER_OVERLAP_GROUPS = ("turnout_clerk", "turnout_admin")
PROBE_TABLE = "roster_overlap_probe"  # migration 0010
PROBE_READERS = ("turnout_admin", "turnout_auditor")
PROBE_LOCK_KEY = 0x524F5354  # with hashtext(login): one login's probes are counted one at a time
RATE_LIMITED = "54000"  # SQLSTATE of a refused probe (program_limit_exceeded)


@dataclass(frozen=True, slots=True)
class RosterOverlap:
    """The verdict for one array of VUIDs."""

    distinct_given: int  # distinct VUIDs sent
    majority_county: str | None  # another county holding more than half of them; None: no such county


def vuids_sha256(vuids: Iterable[str]) -> str:
    """The hash the probe log keeps: SHA-256 of the sorted distinct VUIDs joined by commas."""
    return hashlib.sha256(",".join(sorted(set(vuids))).encode("utf-8")).hexdigest()


def create_roster_overlap_function(run: Callable[[str], None], schema: str) -> None:
    """Create (or replace) both functions, the probe table's rights and policies; in ``apply_privileges``."""
    least, most, per_hour = ROSTER_OVERLAP_MIN_VUIDS, ROSTER_OVERLAP_MAX_VUIDS, ROSTER_OVERLAP_MAX_PER_HOUR
    role_check = """IF coalesce(turnout_role() NOT IN ('clerk', 'admin'), true) THEN
    RAISE EXCEPTION USING ERRCODE = '42501',
      MESSAGE = 'only a clerk or an admin compares an upload with the statewide records';
  END IF;"""
    # An earlier version returned counts: a function's result type cannot be replaced, only dropped.
    run(f"DROP FUNCTION IF EXISTS {ROSTER_OVERLAP_FUNCTION}")
    run(f"""CREATE FUNCTION turnout_roster_overlap(election date, vuids text[])
RETURNS TABLE (probe_id integer, distinct_given integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = {schema}, pg_catalog, pg_temp AS $$
DECLARE
  mine text[] := turnout_my_counties();
  sorted_vuids text[];
  recent integer;
  majority text;
BEGIN
  {role_check}
  sorted_vuids := ARRAY(SELECT v FROM unnest(vuids) AS v WHERE v IS NOT NULL GROUP BY v ORDER BY v COLLATE "C");
  distinct_given := cardinality(sorted_vuids);
  IF distinct_given < {least} OR distinct_given > {most} THEN
    RAISE EXCEPTION USING ERRCODE = '22023', MESSAGE = 'an upload is compared with the statewide records by '
      || 'between {least} and {most} distinct VUIDs, not ' || distinct_given;
  END IF;
  PERFORM pg_advisory_xact_lock({PROBE_LOCK_KEY}, hashtext(session_user::text));
  SELECT count(*)::integer INTO recent FROM {PROBE_TABLE} p
   WHERE p.login = session_user::text AND p.probed_at > now() - interval '1 hour';
  IF recent >= {per_hour} THEN
    RAISE EXCEPTION USING ERRCODE = '{RATE_LIMITED}',
      MESSAGE = 'roster overlap check refused: ' || session_user || ' already made ' || recent
        || ' probes in the last hour (at most {per_hour})';
  END IF;
  SELECT r.county INTO majority
    FROM turnout_record r
   WHERE r.election_date = election AND r.source = 'statewide' AND r.removed_at IS NULL
     AND r.vuid = ANY (sorted_vuids) AND r.county <> ALL (mine)
   GROUP BY r.county
  HAVING count(DISTINCT r.vuid) * 2 > distinct_given AND count(DISTINCT r.vuid) >= {least};
  INSERT INTO {PROBE_TABLE} (login, election_date, distinct_vuids, vuids_sha256, verdict, probed_at)
  VALUES (session_user::text, election, distinct_given,
          encode(sha256(convert_to(array_to_string(sorted_vuids, ','), 'UTF8')), 'hex'), majority, now())
  RETURNING id INTO probe_id;
  RETURN NEXT;
END $$""")  # noqa: S608 - DDL from constants and quote_ident
    run(f"""CREATE OR REPLACE FUNCTION turnout_roster_overlap_verdict(probe integer) RETURNS text
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = {schema}, pg_catalog, pg_temp AS $$
DECLARE
  asked {PROBE_TABLE}%ROWTYPE;
BEGIN
  {role_check}
  SELECT * INTO asked FROM {PROBE_TABLE} p WHERE p.id = probe AND p.login = session_user::text;
  -- A visible row from another transaction is committed; now() equals probed_at only in the probe's own.
  IF NOT FOUND OR asked.probed_at = now() THEN
    RAISE EXCEPTION USING ERRCODE = '55000', MESSAGE = 'roster overlap probe ' || probe
      || ' has no verdict for ' || session_user || ': only the login that made it reads it, after it is committed';
  END IF;
  RETURN asked.verdict;
END $$""")  # noqa: S608 - DDL from constants and quote_ident
    everyone = "turnout_clerk, turnout_admin, turnout_auditor, turnout_service"
    for function in (ROSTER_OVERLAP_FUNCTION, ROSTER_OVERLAP_VERDICT_FUNCTION):
        run(f"REVOKE ALL ON FUNCTION {function} FROM PUBLIC")
        run(f"GRANT EXECUTE ON FUNCTION {function} TO {', '.join(ROSTER_OVERLAP_GROUPS)}")
    # The probe log: admins and auditors read it; only the function above (as the owner) writes it.
    run(f"REVOKE ALL ON {PROBE_TABLE} FROM {everyone}")
    run(f"REVOKE ALL ON SEQUENCE {PROBE_TABLE}_id_seq FROM {everyone}")
    run(f"GRANT SELECT ON {PROBE_TABLE} TO {', '.join(PROBE_READERS)}")
    for name in ("turnout_read", "turnout_insert", "turnout_update", "turnout_delete"):
        run(f"DROP POLICY IF EXISTS {name} ON {PROBE_TABLE}")
    run(f"ALTER TABLE {PROBE_TABLE} ENABLE ROW LEVEL SECURITY")
    run(f"ALTER TABLE {PROBE_TABLE} FORCE ROW LEVEL SECURITY")
    run(f"CREATE POLICY turnout_read ON {PROBE_TABLE} FOR SELECT USING (turnout_is_owner(current_user) OR "
        "coalesce(turnout_role() IN ('admin', 'auditor'), false))")
    run(f"CREATE POLICY turnout_insert ON {PROBE_TABLE} FOR INSERT WITH CHECK (turnout_is_owner(current_user))")


def roster_overlap(connection: Connection, election: dt.date, vuids: Iterable[str]) -> RosterOverlap | None:
    """The verdict for ``vuids``; None when they are fewer than the minimum (the function would refuse).

    Commits ``connection``'s transaction between the probe and its verdict: the database gives the
    verdict only for a committed (logged, counted) probe. A refused probe raises ``DBAPIError``.
    """
    distinct = sorted(set(vuids))
    if len(distinct) < ROSTER_OVERLAP_MIN_VUIDS:
        return None
    probe = connection.execute(text("SELECT probe_id, distinct_given "
                                    "FROM turnout_roster_overlap(:election, CAST(:vuids AS text[]))"),
                               {"election": election, "vuids": distinct}).one()
    connection.commit()
    verdict = connection.execute(text("SELECT turnout_roster_overlap_verdict(:probe)"),
                                 {"probe": probe.probe_id}).scalar()
    return RosterOverlap(int(probe.distinct_given), None if verdict is None else str(verdict))
