"""The codes the program stores and its JSON carries, derived from the code that defines them, and a check
that a text people read shows none of them as it is (domain/labels.py turns each into words).

Shared by tests/domain/test_user_facing_labels.py and the leak tests of the wizard, the details dialog, the
CLI's text output and the PDF report. A new trigger, review state, method, evidence kind or CLI table column
joins these lists by itself, so the tests fail until the label table names it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from turnout_desktop.cli.cmd_engine import TABLE_COLUMNS
from turnout_desktop.domain.codes import VotingMethod
from turnout_desktop.domain.decisions import ReviewState
from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.status import AttemptOutcome, Status, Trigger
from turnout_desktop.engine.diagnose import WRONG_DISTRICT_KINDS
from turnout_desktop.engine.results import CHECK_RECONCILED, CHECK_UNCHANGED
from turnout_desktop.engine.types import DIAGNOSIS_CODES
from turnout_desktop.services import field_sources, upload_preview
from turnout_desktop.strategies import default_strategies

TRIGGER_CODES = tuple(str(trigger) for trigger in Trigger)
REVIEW_STATES = tuple(str(state) for state in ReviewState)
METHOD_CODES = tuple(str(method) for method in VotingMethod)
EVIDENCE_KINDS = WRONG_DISTRICT_KINDS
ROW_KINDS = (upload_preview.BANNER, upload_preview.HEADER, upload_preview.DATA, upload_preview.FOOTER,
             upload_preview.BLANK)
FIELD_SOURCES = (field_sources.MAPPED, field_sources.DETECTED, field_sources.SHEET_NAME, field_sources.FILE_NAME,
                 field_sources.OPTION, field_sources.NOT_FOUND)
CHECK_RESULTS = (CHECK_UNCHANGED, CHECK_RECONCILED)
STRATEGY_NAMES = tuple(strategy.name for strategy in default_strategies())
CLI_COLUMNS = tuple(dict.fromkeys(TABLE_COLUMNS))

# Every code above; "resolved" (a review state) and RESOLVED (a status) are both codes, "Resolved" is a word.
ALL_CODES = frozenset({*Status, *DisplayStatus, *AttemptOutcome, *DIAGNOSIS_CODES, *TRIGGER_CODES, *REVIEW_STATES,
                       *METHOD_CODES, *EVIDENCE_KINDS, *ROW_KINDS, *FIELD_SOURCES, *CHECK_RESULTS, *STRATEGY_NAMES,
                       *CLI_COLUMNS})

# Codes that read as an English word in lower case ("verified", "within", "data", "check") are words in a
# sentence too ("Gate: verified >= 99.9%"); a text is checked for the codes no sentence would contain.
UNMISTAKABLE_CODES = frozenset(code for code in ALL_CODES
                               if "_" in code or "-" in code or (code.isupper() and len(code) > 2)
                               or code in (*REVIEW_STATES, *TRIGGER_CODES))
ORDINARY_WORDS = frozenset({"resolved"})  # a review state, and the word of a sentence ("is resolved")


def leaked_codes(text: str, codes: Iterable[str] = UNMISTAKABLE_CODES) -> list[str]:
    """The codes that ``text`` shows as a whole token (case as stored: ``ESCALATED`` is a code, ``Escalated``
    a word), sorted."""
    return sorted(code for code in set(codes) - ORDINARY_WORDS
                  if re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", text))
