"""Limits the readers and the database share: the text columns PostgreSQL enforces (SQLite enforces none),
and the default size limit of a JSON upload.

A longer value passes on SQLite and aborts a PostgreSQL import in the middle of its transaction, so readers
and services check these first and say which row and column is too long. ``tests/architecture`` keeps them
equal to the model columns.
"""

from __future__ import annotations

MAX_PRECINCT = 40     # county_roster_row, turnout_record, precinct_district .precinct
MAX_DISTRICT = 100    # turnout_record, precinct_district .district
MAX_USER_NAME = 100   # submitted_by, uploaded_by, created_by, undone_by, audit user_name

# The size limit of an uploaded JSON file (Civix envelope) when the shared setting json_envelope_max_mb is not
# set: defined here because both the reader (ingest/readers/safety.py) and the setting (db/settings_store.py) need it.
DEFAULT_JSON_MAX_MB = 100
