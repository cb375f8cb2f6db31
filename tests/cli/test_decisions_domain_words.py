"""``turnout log --trigger`` and ``turnout review --state`` take their values from the domain enums
(domain/status.py Trigger, domain/decisions.py ReviewState), printed and parsed as the plain stored strings."""

from __future__ import annotations

import argparse

from turnout_desktop.cli import cmd_decisions
from turnout_desktop.services.fixes import review_state_of


def test_the_cli_lists_the_enums_values():
    assert cmd_decisions.TRIGGERS == ("AUTO_CHECK", "COUNTY_UPLOAD", "MANUAL")  # sorted, as --help always showed
    assert cmd_decisions.parse_trigger(" auto_check ") == "AUTO_CHECK"
    parser = argparse.ArgumentParser()
    cmd_decisions.register(parser.add_subparsers())
    review = parser.parse_args(["review", "7", "--state", "wont-fix", "--reason", "r"])
    assert review.state == "wont-fix" and type(review.state) is str


def test_legacy_review_states_read_as_the_new_ones():
    assert [review_state_of(s) for s in ("open", "contacted_county", "accepted", "wont-fix", None)] == [
        None, "investigating", "resolved", "wont-fix", None]
