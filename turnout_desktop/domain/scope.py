"""What a service call is about: one election, optionally one county and one party."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    """An election, narrowed to a county and/or a party (None: all of them)."""

    election: dt.date
    county: str | None = None
    party: str | None = None

    def narrowed(self, *, county: str | None = None, party: str | None = None) -> Scope:
        """The same election with ``county``/``party`` set where given (others kept)."""
        return Scope(self.election, county if county is not None else self.county,
                     party if party is not None else self.party)
