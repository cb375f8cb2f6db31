"""The installation self-test (services/self_test.py, ``turnout self-test``): it passes on the shipped samples, and a
broken sample, a roster that does not match, or a file that is no PDF makes it report FAIL and exit 1."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest

from turnout_desktop import resources_path
from turnout_desktop.cli.main import main as turnout_main
from turnout_desktop.services.self_test import (
    SAMPLE_FOLDER,
    SAMPLE_ROSTER,
    SAMPLE_STATEWIDE,
    describe_pdf,
    run_self_test,
)

CHECKS = ["sample files", "database", "migrations", "statewide import", "reconcile", "pdf", "cleanup"]


@pytest.fixture
def temp_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder the self-test makes its own folder in, to see that it is removed."""
    root = tmp_path / "tmp"
    root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(root))
    return root


@pytest.fixture
def samples(tmp_path: Path) -> Path:
    """A copy of the shipped sample files, to break."""
    return Path(shutil.copytree(resources_path.resource_path(SAMPLE_FOLDER), tmp_path / "samples"))


def test_the_self_test_passes_on_the_shipped_samples_and_removes_its_folder(temp_root: Path) -> None:
    seen = []
    result = run_self_test(on_check=seen.append)
    assert result.passed, [check.line() for check in result.checks]
    assert [check.name for check in result.checks] == CHECKS
    assert list(result.checks) == seen  # each reported as it finished
    details = {check.name: check.detail for check in result.checks}
    assert details["statewide import"] == "24 records"
    assert details["reconcile"].endswith("2 verified")
    assert "page" in details["pdf"]
    assert list(temp_root.iterdir()) == []


def test_a_missing_sample_fails_and_the_later_checks_are_not_run(samples: Path, temp_root: Path) -> None:
    (samples / SAMPLE_ROSTER).unlink()
    result = run_self_test(samples=samples)
    assert not result.passed
    lines = [check.line() for check in result.checks]
    assert lines[0] == f"FAIL sample files: FileNotFoundError: {SAMPLE_ROSTER} missing from {samples}"
    assert lines[1] == "FAIL database: not run (sample files failed)"
    assert lines[-1] == "ok  cleanup"
    assert list(temp_root.iterdir()) == []


def test_a_corrupted_statewide_file_fails_the_import(samples: Path, temp_root: Path) -> None:
    (samples / SAMPLE_STATEWIDE).write_bytes(b"\x00\x01PK not a roster\xff" * 10)
    result = run_self_test(samples=samples)
    by_name = {check.name: check for check in result.checks}
    assert not result.passed
    assert by_name["migrations"].ok
    assert not by_name["statewide import"].ok and by_name["statewide import"].detail
    assert by_name["pdf"].detail == "not run (statewide import failed)"


def test_a_roster_the_statewide_file_does_not_support_fails_as_not_verified(samples: Path, temp_root: Path) -> None:
    roster = samples / SAMPLE_ROSTER
    lines = roster.read_text(encoding="utf-8").splitlines(keepends=True)
    roster.write_text("".join(lines[:-8]), encoding="utf-8")  # the statewide roster holds 8 voters it does not list
    result = run_self_test(samples=samples)
    reconcile = next(check for check in result.checks if check.name == "reconcile")
    assert not result.passed
    assert reconcile.line() == ("FAIL reconcile: RuntimeError: not verified: {'LOVING DEM': 'escalated', "
                                "'LOVING REP': 'escalated'}")


def test_describe_pdf_accepts_only_a_pdf_with_pages() -> None:
    assert describe_pdf(b"%PDF-1.4\n1 0 obj << /Type /Pages /Kids [2 0 R] >>\n2 0 obj << /Type /Page >>") \
        .startswith("1 page, ")
    with pytest.raises(ValueError, match="not a PDF"):
        describe_pdf(b"<html>")
    with pytest.raises(ValueError, match="no page"):
        describe_pdf(b"%PDF-1.4\n1 0 obj << /Type /Pages /Count 0 >>")


def test_turnout_self_test_prints_one_line_per_check_and_exits_0(capsys: pytest.CaptureFixture[str],
                                                                temp_root: Path) -> None:
    assert turnout_main(["self-test"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(" (")[0] for line in lines] == [f"ok  {name}" for name in CHECKS]


def test_turnout_self_test_json(capsys: pytest.CaptureFixture[str], temp_root: Path) -> None:
    assert turnout_main(["self-test", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["passed"] is True
    assert [check["name"] for check in shown["checks"]] == CHECKS
    assert set(shown["checks"][0]) == {"name", "ok", "detail"}


def test_turnout_self_test_exits_1_on_a_broken_bundled_sample(bundle_resources: Path, temp_root: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    (bundle_resources / SAMPLE_FOLDER / SAMPLE_ROSTER).write_text("VUID,PARTY\n", encoding="utf-8")
    assert turnout_main(["self-test"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[:4] == ["ok  sample files (" + str(bundle_resources / SAMPLE_FOLDER) + ")",
                         "ok  database (SQLite in a temporary folder)", "ok  migrations (revision "
                         + lines[2].split("revision ")[1], "ok  statewide import (24 records)"]
    assert lines[4] == f"FAIL reconcile: RuntimeError: {SAMPLE_ROSTER} holds no voter rows"
    assert lines[5] == "FAIL pdf: not run (reconcile failed)"
    assert list(temp_root.iterdir()) == []
