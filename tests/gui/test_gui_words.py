"""Words users read: times local with their zone, accuracies with %, field names in words, not codes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from turnout_desktop.domain.labels import FIELD_LABELS, accuracy_text, field_label, local_time_text
from turnout_desktop.gui.record_model import format_value
from turnout_desktop.services.upload_preview import MAPPABLE_FIELDS

CENTRAL = ZoneInfo("America/Chicago")


class WindowsZone(dt.tzinfo):
    """A zone that names itself in words, as Windows does."""

    def utcoffset(self, _value: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(hours=-6)

    def dst(self, _value: dt.datetime | None) -> dt.timedelta:
        return dt.timedelta(0)

    def tzname(self, _value: dt.datetime | None) -> str:
        return "Central Standard Time"


def test_stored_utc_times_show_local_with_their_zone() -> None:
    stored = dt.datetime(2026, 3, 4, 10, 0)  # naive: UTC, as the database keeps it
    assert local_time_text(stored, zone=CENTRAL) == "2026-03-04 04:00 CST"
    assert local_time_text(dt.datetime(2026, 7, 4, 10, 0), zone=CENTRAL) == "2026-07-04 05:00 CDT"
    assert local_time_text(stored, zone=WindowsZone()) == "2026-03-04 04:00 UTC-06:00"
    assert local_time_text(stored.replace(tzinfo=dt.UTC), zone=dt.UTC) == "2026-03-04 10:00 UTC"


def test_table_cells_show_times_in_this_computers_zone(central_time: None) -> None:
    assert format_value(dt.datetime(2026, 3, 4, 10, 0)) == "2026-03-04 04:00 CST"


def test_accuracy_always_has_its_percent_sign() -> None:
    assert accuracy_text(99.5) == "99.50%"
    assert accuracy_text(100) == "100.00%"
    assert accuracy_text(None) == ""


def test_every_upload_field_has_words() -> None:
    assert set(MAPPABLE_FIELDS) <= set(FIELD_LABELS)  # the wizard's mapping rows and quality bars
    assert field_label("voting_method") == "Voting method" and field_label("vote_date") == "Vote date"
    assert all(field_label(name)[0].isupper() and "_" not in field_label(name) for name in MAPPABLE_FIELDS)
