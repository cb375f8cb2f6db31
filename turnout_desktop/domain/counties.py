"""The closed list of the 254 Texas counties, matched case-, space- and punctuation-insensitively.

SOS files write ``DEWITT``, ``LASALLE``, ``MCLENNAN``; other sources write ``De Witt``,
``La Salle``, ``McLennan``. All of them compare equal on their letters only, case-folded.
There is deliberately no fuzzy matching: an unknown name stays unknown.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import cache

from turnout_desktop.errors import InvalidRequest
from turnout_desktop.resources_path import resource_path

_NON_LETTERS = re.compile(r"[^A-Z]")
_COUNTY_SUFFIX = re.compile(r"\s+COUNTY\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class County:
    """One Texas county: Civix/SOS id (1-254, alphabetical ignoring spaces) and names."""

    county_id: int
    sos_name: str
    display_name: str

    @property
    def key(self) -> str:
        return county_key(self.sos_name)


def county_key(text: str) -> str:
    """Letters only, upper-cased: ``De Witt`` -> ``DEWITT``."""
    folded = unicodedata.normalize("NFKC", text).upper()
    folded = _COUNTY_SUFFIX.sub("", folded.strip())
    return _NON_LETTERS.sub("", folded)


@cache
def all_counties() -> tuple[County, ...]:
    """All 254 counties ordered by id."""
    with resource_path("texas_counties.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return tuple(
        County(int(r["county_id"]), r["sos_name"], r["display_name"])
        for r in sorted(rows, key=lambda r: int(r["county_id"]))
    )


@cache
def _by_key() -> dict[str, County]:
    index = {c.key: c for c in all_counties()}
    for county in all_counties():
        index.setdefault(county_key(county.display_name), county)
    return index


def find_county(text: object) -> County | None:
    """Canonical county for a name (any spelling of its letters) or a numeric id; else None."""
    if text is None:
        return None
    raw = str(text).strip()
    if not raw:
        return None
    if raw.isdigit():
        number = int(raw)
        return all_counties()[number - 1] if 1 <= number <= 254 else None
    return _by_key().get(county_key(raw))


def canonical_county_name(text: object) -> str | None:
    """The SOS spelling used everywhere in the database (``DEWITT``), or None when unknown."""
    county = find_county(text)
    return county.sos_name if county else None


def known_county_name(text: object) -> str:
    """The SOS spelling of the county a request names; InvalidRequest (exit 2) naming it when it is none of the 254.

    Every command and service that takes a county from a person refuses an unknown one through this one check,
    so ``report --county Nowhere`` fails like ``reconcile --county Nowhere`` instead of reporting nothing.
    """
    name = canonical_county_name(text)
    if name is None:
        raise InvalidRequest(f"Unknown Texas county {text!r}.")
    return name


def is_pseudo_county(text: object) -> bool:
    """``TOTAL`` / ``STATEWIDE`` rows of state tables, which are not counties."""
    return county_key(str(text or "")) in {"TOTAL", "TOTALS", "STATEWIDE", "STATE", "GRANDTOTAL"}
