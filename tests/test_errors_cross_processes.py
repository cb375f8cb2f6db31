"""Errors cross the process boundary intact: the desktop's heavy jobs run in a worker process
(gui/process_worker.py) and send the error back pickled; one that cannot be rebuilt became a crash dialog
("SignInFailed.__init__() missing 1 required keyword-only argument") instead of "Work offline"."""

from __future__ import annotations

import importlib
import pickle
import pkgutil

import pytest

import turnout_desktop
from turnout_desktop.errors import Certified, ImportRejected, SignInFailed, TurnoutError


def _all_error_classes() -> list[type[TurnoutError]]:
    for module in pkgutil.walk_packages(turnout_desktop.__path__, "turnout_desktop."):
        if not any(part in module.name for part in (".gui", ".migrations", "__main__")):
            importlib.import_module(module.name)
    found: list[type[TurnoutError]] = []
    pending = [TurnoutError]
    while pending:
        cls = pending.pop()
        found.append(cls)
        pending.extend(cls.__subclasses__())
    return found


def test_a_failed_sign_in_survives_pickling_with_its_reason_and_exit_code() -> None:
    for reason, exit_code in (("unreachable", 2), ("password", 2), ("no_role", 4)):
        error = pickle.loads(pickle.dumps(SignInFailed("server away", reason=reason)))
        assert isinstance(error, SignInFailed)
        assert (str(error), error.reason, error.exit_code) == ("server away", reason, exit_code)


def test_where_an_import_failed_survives_pickling() -> None:
    error = pickle.loads(pickle.dumps(ImportRejected("No VUID column", reason="no_vuid_column", file="a.csv", row=3)))
    assert (str(error), error.reason, error.file, error.row) == \
        ("No VUID column (file a.csv, row 3)", "no_vuid_column", "a.csv", 3)
    certified = pickle.loads(pickle.dumps(Certified("HARRIS is certified", county="HARRIS", certified_by="jdoe")))
    assert (certified.county, certified.certified_by, certified.exit_code) == ("HARRIS", "jdoe", 4)


@pytest.mark.parametrize("cls", _all_error_classes(), ids=lambda cls: cls.__name__)
def test_every_user_facing_error_round_trips(cls: type[TurnoutError]) -> None:
    error = cls.__new__(cls)
    Exception.__init__(error, "what went wrong")
    error.detail = "kept"  # type: ignore[attr-defined]
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls
    assert (str(copy), copy.detail, copy.exit_code) == ("what went wrong", "kept", error.exit_code)
