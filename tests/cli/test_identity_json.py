"""`turnout whoami --json` prints the Identity record itself: the keys and values it always printed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from turnout_desktop.cli.common import print_json
from turnout_desktop.cli.main import main
from turnout_desktop.db.identity import Identity
from turnout_desktop.domain.permissions import Role


def test_a_clerk_prints_its_counties_sorted(capsys: pytest.CaptureFixture[str]) -> None:
    print_json(Identity(user="carl", role=Role.CLERK, counties=frozenset({"LOVING", "KENT", "KING"}),
                        backend="postgresql"))
    assert capsys.readouterr().out == json.dumps(
        {"user": "carl", "role": "clerk", "counties": ["KENT", "KING", "LOVING"], "backend": "postgresql"},
        indent=2) + "\n"


def test_every_county_prints_null(capsys: pytest.CaptureFixture[str]) -> None:
    print_json(Identity(user="ada", role=Role.ADMIN, counties=None, backend="postgresql"))
    assert json.loads(capsys.readouterr().out) == {"user": "ada", "role": "admin", "counties": None,
                                                   "backend": "postgresql"}


def test_whoami_json_on_a_local_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'local.db'}"
    assert main(["--db", url, "init"]) == 0
    capsys.readouterr()
    assert main(["--db", url, "whoami", "--json"]) == 0
    assert capsys.readouterr().out == ('{\n  "user": "local",\n  "role": "local",\n  "counties": null,\n'
                                       '  "backend": "sqlite"\n}\n')
