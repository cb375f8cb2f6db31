"""The one JSON form the audit hash covers, also used to store every JSON column.

Sorted keys, no spaces, ASCII escapes, ``str`` for values JSON lacks. Because ``db.session`` gives it to
both engines as their JSON serializer, the stored text of ``audit_event.details`` is exactly the text
the row's hash covered, and ``audit verify`` can hash it without decoding and re-encoding.
"""

from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
