"""Every voting method (domain/codes.py) has words for people in the one label table."""

from __future__ import annotations

from turnout_desktop.domain.codes import METHODS, TOTAL, VotingMethod
from turnout_desktop.domain.labels import METHOD_LABELS, method_label


def test_every_method_code_has_a_label() -> None:
    assert set(METHODS) == set(VotingMethod)
    missing = [method for method in METHODS if method not in METHOD_LABELS]
    assert missing == [], f"no label for {missing}"
    for method in METHODS:
        assert method_label(method) == METHOD_LABELS[method] != method.value
    assert len(set(METHOD_LABELS.values())) == len(METHOD_LABELS)  # no two methods read the same


def test_unknown_codes_and_the_total_row_show_as_they_are() -> None:
    assert method_label("early-voting") == "Early voting"
    assert method_label("curbside??") == "curbside??"
    assert method_label(TOTAL) == "TOTAL"
    assert method_label(None) == ""
