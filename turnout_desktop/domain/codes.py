"""Parties and voting methods: canonical codes and the many labels real files use for them."""

from __future__ import annotations

import re
from enum import StrEnum


class VotingMethod(StrEnum):
    """The three ways a vote is cast; ``TOTAL`` rows in the reference table sum them."""

    EARLY_VOTING = "early-voting"
    ELECTION_DAY = "election-day"
    MAIL_IN = "mail-in"


TOTAL = "TOTAL"
METHODS: tuple[VotingMethod, ...] = tuple(VotingMethod)

DEM = "DEM"
REP = "REP"
NO_PARTY = "ALL"  # a non-partisan election (general) or a feed with no party at all
KNOWN_PARTIES = (DEM, REP, "LIB", "GRN", NO_PARTY)
# Texas parties above the primary threshold nominate in primaries; the others (LIB, GRN) nominate by
# convention, so a primary roster (docs/data-formats.md: one sheet or file per primary party) has no voters of theirs.
PRIMARY_PARTIES = (DEM, REP)


def holds_primary(party: str) -> bool:
    """True for a party whose voters a primary roster can hold (``NO_PARTY`` is no party, so not one)."""
    return party in PRIMARY_PARTIES

_PARTY_WORDS: dict[str, str] = {
    "DEM": DEM, "D": DEM, "DEMOCRAT": DEM, "DEMOCRATIC": DEM, "DEMOCRATS": DEM,
    "DEMOCRATICPARTY": DEM, "DEMOCRATICPRIMARY": DEM,
    "REP": REP, "R": REP, "REPUBLICAN": REP, "REPUBLICANS": REP, "GOP": REP,
    "REPUBLICANPARTY": REP, "REPUBLICANPRIMARY": REP,
    "LIB": "LIB", "L": "LIB", "LIBERTARIAN": "LIB",
    "GRN": "GRN", "G": "GRN", "GREEN": "GRN",
    "ALL": NO_PARTY, "NONE": NO_PARTY, "NONPARTISAN": NO_PARTY, "GENERAL": NO_PARTY,
}
# Values that say "the party is not in this cell; look at the sheet or file name".
_PARTY_DEFERRED = {"NPA", "", "UNKNOWN", "N/A", "NA", "-"}

_METHOD_WORDS: dict[str, VotingMethod] = {
    "EARLYVOTING": VotingMethod.EARLY_VOTING, "EARLY": VotingMethod.EARLY_VOTING,
    "EV": VotingMethod.EARLY_VOTING, "E": VotingMethod.EARLY_VOTING, "F": VotingMethod.EARLY_VOTING,
    "E1": VotingMethod.EARLY_VOTING, "E3": VotingMethod.EARLY_VOTING,
    "EARLYVOTE": VotingMethod.EARLY_VOTING, "EARLYINPERSON": VotingMethod.EARLY_VOTING,
    "EARLYVOTINGINPERSON": VotingMethod.EARLY_VOTING, "PERSONALAPPEARANCE": VotingMethod.EARLY_VOTING,
    "INPERSONEARLY": VotingMethod.EARLY_VOTING,
    "ELECTIONDAY": VotingMethod.ELECTION_DAY, "ED": VotingMethod.ELECTION_DAY,
    "Y": VotingMethod.ELECTION_DAY, "Z": VotingMethod.ELECTION_DAY, "ELECTIONDAYONLY": VotingMethod.ELECTION_DAY,
    "ELECTIONDAYINPERSON": VotingMethod.ELECTION_DAY, "EDAY": VotingMethod.ELECTION_DAY,
    "MAILIN": VotingMethod.MAIL_IN, "MAIL": VotingMethod.MAIL_IN, "BBM": VotingMethod.MAIL_IN,
    "ABBM": VotingMethod.MAIL_IN, "A": VotingMethod.MAIL_IN, "ABSENTEE": VotingMethod.MAIL_IN,
    "BALLOTBYMAIL": VotingMethod.MAIL_IN, "BYMAIL": VotingMethod.MAIL_IN, "MAILBALLOT": VotingMethod.MAIL_IN,
    "MAILBALLOTS": VotingMethod.MAIL_IN, "M": VotingMethod.MAIL_IN, "MAILINBALLOT": VotingMethod.MAIL_IN,
}
# SOS rows say IN-PERSON for both early and election-day votes: the feed decides (see docs/data-formats.md 2.2).
# Montgomery and Tarrant write L for a limited ballot cast in person, early or on election day alike.
IN_PERSON_WORDS = {"INPERSON", "GE", "PERSON", "L", "LIMITED", "LIMITEDBALLOT"}

_NON_ALNUM = re.compile(r"[^A-Z0-9]")


def _letters(text: object) -> str:
    return _NON_ALNUM.sub("", str(text or "").upper())


def parse_party(value: object) -> str | None:
    """Canonical party for a cell value (``Democratic`` -> ``DEM``); None when it says nothing."""
    key = _letters(value)
    if key in _PARTY_DEFERRED or str(value or "").strip().upper() in _PARTY_DEFERRED:
        return None
    if key in _PARTY_WORDS:
        return _PARTY_WORDS[key]
    if key.startswith("BS") or key.startswith("BALLOTSTYLE"):
        return None  # Hidalgo ballot styles carry no party by themselves
    for word, party in (("DEMOCRAT", DEM), ("REPUBLICAN", REP), ("LIBERTARIAN", "LIB")):
        if word in key:
            return party
    return None


def is_deferred_party(value: object) -> bool:
    """True for NPA/blank: the party must come from the sheet or file name instead."""
    return _letters(value) in _PARTY_DEFERRED


def parse_method(value: object) -> VotingMethod | None:
    """Canonical method for a cell label (``BBM`` -> mail-in); None for unknown or IN-PERSON."""
    key = _letters(value)
    if not key:
        return None
    if key in _METHOD_WORDS:
        return _METHOD_WORDS[key]
    try:
        return VotingMethod(str(value).strip().lower())
    except ValueError:
        return None


def is_in_person(value: object) -> bool:
    """SOS ``IN-PERSON``: early or election day depending on which roster it came from."""
    return _letters(value) in IN_PERSON_WORDS


_NAME_TOKENS = re.compile(r"[A-Za-z]+")
_NAME_METHOD_PATTERNS: list[tuple[re.Pattern[str], VotingMethod]] = [
    (re.compile(r"ballot[\s_-]*by[\s_-]*mail|\bbbm\b|\babbm\b|mail|absentee|reqexp|"
                # "received" also as misspelt in real names (`nov-3rd-2025-ballots-recevied-10.8.26`)
                r"rec(?:ei|ie|e)v(?:ie|e)d[\s_-]*ballots|ballots[\s_-]*rec(?:ei|ie|e)v(?:ie|e)d", re.IGNORECASE),
     VotingMethod.MAIL_IN),
    (re.compile(r"election[\s_-]*day|\bed\b|(?<![a-z])ed(?=[_\s\d-])|ed_vtrex|electionday", re.IGNORECASE),
     VotingMethod.ELECTION_DAY),
    (re.compile(r"early[\s_-]*vot|\bev\b|(?<![a-z])ev(?=[_\s\d-])|ev_vtrex|\bevr\b|early|in[\s_-]*person|"
                r"personal[\s_-]*appearance", re.IGNORECASE), VotingMethod.EARLY_VOTING),
]
# A name saying only "in person" (Brazoria ``2026-03-03-IN PERSON-REP``): early voting before election day,
# election day on it; "early"/"EV" or "personal appearance" (early voting by law) settle it on their own.
_IN_PERSON_NAME = re.compile(r"in[\s_-]*person", re.IGNORECASE)
_EARLY_NAME = re.compile(r"early|(?<![a-z])ev(?![a-z])|personal[\s_-]*appearance", re.IGNORECASE)


def method_from_name(name: str) -> VotingMethod | None:
    """Voting method named by a file or sheet name (``Cumulative_BBM_1126.zip`` -> mail-in)."""
    spaced = re.sub(r"[_.]", " ", name)
    for pattern, method in _NAME_METHOD_PATTERNS:
        if pattern.search(name) or pattern.search(spaced):
            return method
    return None


def is_in_person_only_name(name: str) -> bool:
    """True when a name calls its method just "in person" (no early-voting word): the day decides."""
    return bool(_IN_PERSON_NAME.search(name)) and not _EARLY_NAME.search(name) \
        and method_from_name(name) == VotingMethod.EARLY_VOTING


# Whole words of a file or sheet name that name a Texas party (docs/data-formats.md: sheets per party).
# "Green" only as a word of its own: a name such as "Greenville EV" names a place, not the party.
_NAME_PARTY_WORDS: dict[str, str] = {
    "DEM": DEM, "DEMOCRAT": DEM, "DEMOCRATIC": DEM, "DEMOCRATS": DEM,
    "REP": REP, "REPUBLICAN": REP, "REPUBLICANS": REP, "GOP": REP,
    "LIB": "LIB", "LIBERTARIAN": "LIB", "LIBERTARIANS": "LIB",
    "GRN": "GRN", "GREEN": "GRN", "GREENS": "GRN", "GREENPARTY": "GRN",
}
# Inside a longer word ("DemocraticParty", "RepublicanPrimary2026"): full names that are no place's name.
_NAME_PARTY_STEMS = (("DEMOCRAT", DEM), ("REPUBLICAN", REP), ("LIBERTARIAN", "LIB"))


def party_from_name(name: str) -> str | None:
    """Party named by a file or sheet name (``..._Dem.txt``, ``Republican``, ``Green``, ``EV DEM Roster``)."""
    for token in _NAME_TOKENS.findall(name):
        party = _NAME_PARTY_WORDS.get(token.upper())
        if party:
            return party
    upper_name = name.upper()
    return next((party for stem, party in _NAME_PARTY_STEMS if stem in upper_name), None)
