"""Column mapping: which header title holds the VUID, party, method, county, precinct, date, counts.

Titles are compared on their letters and digits only, upper-cased (``SOS Voter ID`` ==
``SOS_VoterID``). County-internal ids (``ID Number``, ``IDNumber``, ``ID``, ``COUNTY VOTER ID``)
are never taken for the VUID. An explicit mapping (``{"vuid": "Voter ID"}``) always wins.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from turnout_desktop.errors import ImportRejected

ROSTER_FIELDS = ("vuid", "county", "party", "voting_method", "precinct", "vote_date", "district")
COUNT_FIELDS = ("early-voting", "election-day", "mail-in", "TOTAL")
# A summary column of in-person votes cast on the report's own date (Civix ``in_person_votes_on_date``,
# SOS ``# In Person On 10/13/2020``). Not a method total: in an election-day report it is the election-day
# count and the cumulative in-person column includes it (see summary.py); in early-voting reports it is one
# day's share of the cumulative early-voting count and is not used.
IN_PERSON_ON_DATE = "in-person-on-date"
SUMMARY_FIELDS = ("county", "party", "voting_method", "count", *COUNT_FIELDS, IN_PERSON_ON_DATE)
ALL_FIELDS = tuple(dict.fromkeys(ROSTER_FIELDS + SUMMARY_FIELDS))

# Aliases users may type in --map (``method`` for ``voting_method`` ...).
FIELD_ALIASES = {"method": "voting_method", "date": "vote_date", "pct": "precinct", "early": "early-voting",
                 "ev": "early-voting", "ed": "election-day", "electionday": "election-day", "mail": "mail-in",
                 "total": "TOTAL"}

_SYNONYMS: dict[str, set[str]] = {
    "vuid": {"VUID", "VUIDNO", "VUIDNUMBER", "IDVOTER", "SOSVOTERID", "SOSVOTERIDNUMBER", "STATEVOTERID",
             "STATEID", "VOTERID", "VOTERUID", "CERT", "CERTIFICATE", "CERTIFICATENUMBER", "CERTNO", "SOSID",
             "TXVUID", "STATEVUID"},
    "county": {"COUNTY", "COUNTYNAME", "TXCOUNTYNAME", "CNTY", "CNTYNAME"},
    "party": {"PARTY", "PARTYOFBALLOTISSUED", "PARTYBALLOT", "BALLOTPARTY", "ELECTIONPARTY", "PARTYCODE",
              "BALLOTSTYLE", "PARTYNAME", "PARTYAFFILIATION"},
    "voting_method": {"VOTETYPE", "VOTINGMETHOD", "METHOD", "VOTEMETHOD", "VOTINGTYPE", "BALLOTTYPE",
                      "VOTEMODE", "TYPEOFVOTE", "METHODOFVOTING"},
    "precinct": {"PRECINCT", "PCT", "PCTCOD", "PCTCODE", "VOTINGPRECINCT", "TXPRECINCTCODE", "PRECINCTNUMBER",
                 "PRECINCTCODE", "PREC", "PRECINCTNO", "PCTNO"},
    "vote_date": {"DATEVOTED", "ACTIVITYDATE", "RETURNDATE", "CHECKIN", "VOTEDATE", "DATE", "VOTEDON",
                  "BALLOTRECEIVEDDATE", "RECEIVEDDATE", "DATERECEIVED", "CHECKINDATE"},
    "district": {"DISTRICT", "DISTRICTCODE", "DISTRICTCODES", "DIST"},
    "count": {"COUNT", "VOTES", "VOTERS", "BALLOTS", "BALLOTSCAST", "TURNOUT", "VOTECOUNT", "NUMBEROFVOTERS"},
}
# Never the VUID, whatever a loose match might suggest (docs/data-formats.md 1.8).
COUNTY_ID_TITLES = {"IDNUMBER", "ID", "COUNTYVOTERID", "COUNTYID", "VOTERIDNUMBER"}
# Party preferred over ballot style when a file has both (Hidalgo has PARTY and BALLOT STYLE).
# A VUID title wins over a certificate or generic "voter id" title: Tarrant's P26 files carry a mostly
# empty trailing ``Certificate`` column beside ``SOS Voter ID`` (Hidalgo's ``CERT`` is used when alone).
_PREFERENCE = {"party": ["PARTY", "PARTYOFBALLOTISSUED", "PARTYBALLOT"], "county": ["COUNTY", "TXCOUNTYNAME"],
               "vuid": ["VUID", "VUIDNO", "VUIDNUMBER", "SOSVOTERID", "SOSVOTERIDNUMBER", "STATEVOTERID", "TXVUID",
                        "STATEVUID", "VOTERUID", "IDVOTER", "SOSID", "STATEID", "VOTERID"]}

_NON_ALNUM = re.compile(r"[^A-Z0-9]")
_EXCLUDED_COUNT_WORDS = ("REGISTERED", "ROSTER", "GAP", "PERCENT", "PCT", "DETAILS", "REPORT", "ONDATE", "RATE",
                         "SHARE")


def header_key(title: object) -> str:
    """``SOS Voter ID`` -> ``SOSVOTERID`` (BOM, spaces, punctuation and case ignored)."""
    return _NON_ALNUM.sub("", str(title or "").replace("\ufeff", "").upper())


def roster_field(title: object) -> str | None:
    """The roster field a header title names, or None."""
    key = header_key(title)
    if not key or key in COUNTY_ID_TITLES:
        return None
    for field, keys in _SYNONYMS.items():
        if key in keys:
            return field
    return None


def count_field(title: object) -> str | None:
    """The method a summary count column holds (``Cumulative By Mail Voters`` -> ``mail-in``), or None.

    Percentages, registered voters, roster/gap columns and "on <date>" daily figures are not
    official cumulative counts and are left out.
    """
    raw = str(title or "")
    key = header_key(raw)
    if not key or "%" in raw or re.search(r"\bon\s+\d", raw, re.IGNORECASE):
        return None
    if any(word in key for word in _EXCLUDED_COUNT_WORDS) and not key.startswith("TOTAL"):
        return None
    if key.startswith("TOTAL") and any(word in key for word in ("REGISTERED", "ONDATE", "PERCENT")):
        return None
    in_person = "INPERSON" in key or "PERSONAL" in key
    mail = "MAIL" in key or "BBM" in key or "ABSENTEE" in key
    if (in_person and mail) or key in {"TOTAL", "TOTALS", "TOTALVOTES", "TOTALVOTERS", "TOTALTURNOUT",
                                       "TURNOUTTOTAL", "ALL", "TOTALBALLOTS", "GRANDTOTAL"}:
        return "TOTAL"
    if mail:
        return "mail-in"
    if "ELECTIONDAY" in key or key in {"ED", "EDAY"}:
        return "election-day"
    if "EARLY" in key or in_person or key in {"EV"}:
        return "early-voting"
    return None


def is_in_person_on_date(title: object) -> bool:
    """True for a column of in-person votes cast on the report date (``in_person_votes_on_date``)."""
    raw = str(title or "")
    key = header_key(raw)
    on_date = "ONDATE" in key or re.search(r"\bon\s+\d", raw, re.IGNORECASE) is not None
    mail = "MAIL" in key or "BBM" in key or "ABSENTEE" in key
    return on_date and "PERSON" in key and not mail and "%" not in raw


def resolve_override(mapping: Mapping[str, str] | None) -> dict[str, str]:
    """Explicit mapping with aliases resolved (``method`` -> ``voting_method``); unknown fields refused."""
    resolved: dict[str, str] = {}
    for field, title in (mapping or {}).items():
        name = FIELD_ALIASES.get(field.strip().lower(), field.strip())
        if name not in ALL_FIELDS:
            raise ImportRejected(f"Unknown field {field!r} in the column mapping; known: {', '.join(ALL_FIELDS)}",
                                 reason="bad_mapping")
        resolved[name] = title
    return resolved


def map_header(titles: Sequence[object], override: Mapping[str, str] | None = None) -> dict[str, int]:
    """Canonical field -> column index for a header row (first synonym match, override first).

    Raises:
        ImportRejected: an override names a column the header does not have.
    """
    keys = [header_key(t) for t in titles]
    result: dict[str, int] = {}
    for field, title in (override or {}).items():
        wanted = header_key(title)
        if wanted not in keys:
            raise ImportRejected(f"The mapping names column {title!r} for {field}, but the header has no such column",
                                 reason="bad_mapping", column=str(title))
        result[field] = keys.index(wanted)
    taken = set(result.values())
    for field in ROSTER_FIELDS + ("count",):
        if field in result:
            continue
        candidates = [i for i, t in enumerate(titles) if i not in taken and roster_field(t) == field]
        preferred = _PREFERENCE.get(field, [])
        candidates.sort(key=lambda i: preferred.index(keys[i]) if keys[i] in preferred else len(preferred))
        if candidates:
            result[field] = candidates[0]
            taken.add(candidates[0])
    if "vuid" not in result:
        for field in COUNT_FIELDS:
            if field in result:
                continue
            matches = [i for i, t in enumerate(titles) if i not in taken and count_field(t) == field]
            if matches:
                result[field] = matches[0]
                taken.add(matches[0])
        on_date = [i for i, t in enumerate(titles) if i not in taken and is_in_person_on_date(t)]
        if on_date and IN_PERSON_ON_DATE not in result:
            result[IN_PERSON_ON_DATE] = on_date[0]
    return result


def header_score(titles: Sequence[object]) -> int:
    """How much a row looks like a header: distinct fields recognised (a VUID title counts double)."""
    fields = {roster_field(t) for t in titles} - {None}
    counts = {count_field(t) for t in titles if roster_field(t) is None} - {None}
    return len(fields) + ("vuid" in fields) + len(counts)
