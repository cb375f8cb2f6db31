"""What file and sheet names tell: county, party, method, corrections that supersede originals."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import PurePath

from turnout_desktop.domain.codes import method_from_name, party_from_name
from turnout_desktop.domain.counties import county_key, find_county
from turnout_desktop.ingest.interpret.dates import datetime_at_start

__all__ = ["as_of_from_name", "county_from_name", "county_named", "has_as_of_marker", "method_from_name",
           "party_from_name", "superseded_by_updates"]

_WORDS = re.compile(r"[A-Za-z]+")
# "<name> County", also abbreviated "Co"/"Co."/"Cnty" ("King Co EV.csv").
_NAMED_COUNTY = re.compile(r"([A-Za-z]+(?:[\s_\-]+[A-Za-z]+){0,2})[\s_\-]+(?:county|cnty|co)(?![A-Za-z])",
                           re.IGNORECASE)
# "asof", "as_of", "as-of", "as of" (any case) as a word of its own: not the "as" ending "Texas".
_AS_OF_MARKER = re.compile(r"(?<![a-z])as[\s._\-]?of(?![a-z])[\s._\-]*", re.IGNORECASE)
_UPDATED = re.compile(r"[\s_\-]*updated?$", re.IGNORECASE)
# Words that are county names but also ordinary words in roster file names: only trusted as "X County".
_AMBIGUOUS_WORDS = {"REAL", "KING", "HALL", "HILL", "WOOD", "YOUNG", "JACK", "CLAY", "BELL", "LAMB", "MILLS",
                    "ROBERTS", "JONES", "BROWN", "STARR", "TERRY", "RAINS", "ORANGE", "HOUSTON", "GARZA",
                    "PARKER", "CONCHO", "LIVE", "OAK", "JIM", "FRIO", "GRAY", "COOKE", "COLLIN", "CROSBY"}


def county_from_name(name: str) -> str | None:
    """The canonical county a file name names (``Harris County EV.csv`` -> ``HARRIS``), else None.

    ``<name> County`` wins; otherwise single words and two- or three-word runs are matched, and
    a name that matches two different counties says nothing.
    """
    stem = PurePath(name).stem
    named = county_named(stem)
    if named:
        return named
    words = _WORDS.findall(stem)
    found: set[str] = set()
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            run = words[start:start + size]
            if size == 1 and (run[0].upper() in _AMBIGUOUS_WORDS or len(run[0]) < 4):
                continue
            county = find_county(county_key("".join(run)))
            if county:
                found.add(county.sos_name)
    return found.pop() if len(found) == 1 else None


def county_named(text: str) -> str | None:
    """The county a text names as ``<name> County`` (a banner "Travis County Early Vote Roster"), else None.

    Only the explicit form is trusted, so ambiguous county names (Real, King, Hall) are found too.
    """
    for match in _NAMED_COUNTY.finditer(text):
        words = _WORDS.findall(match.group(1))
        for start in range(len(words)):
            county = find_county("".join(words[start:]))
            if county:
                return county.sos_name
    return None


def as_of_from_name(name: str) -> dt.datetime | None:
    """The snapshot time an ``as of`` marker gives (``statewide_2026-03-03_asof_2026-03-01.csv`` -> 03-01), else None.

    Only the date right after the marker counts: any other date in a name (often the election's) is no as-of.
    """
    for marker in _AS_OF_MARKER.finditer(name):
        found = datetime_at_start(name[marker.end():])
        if found is not None:
            return found
    return None


def has_as_of_marker(name: str) -> bool:
    """True when a name says "as of", whether or not a readable date follows."""
    return _AS_OF_MARKER.search(name) is not None


def _original_stem(name: str) -> str:
    path = PurePath(name)
    return _UPDATED.sub("", path.stem).lower() + path.suffix.lower()


def is_update(name: str) -> bool:
    """``10.30.2020 Early Vote_Updated.xlsx`` corrects ``10.30.2020 Early Vote.xlsx``."""
    return bool(_UPDATED.search(PurePath(name).stem))


def superseded_by_updates(names: Sequence[str]) -> dict[str, str]:
    """Originals that an ``_Updated`` file of the same name replaces: original -> correction."""
    updates = {_original_stem(n): n for n in names if is_update(n)}
    return {n: updates[_original_stem(n)] for n in names
            if not is_update(n) and _original_stem(n) in updates}
