"""Escaping, safe names and atomic writes (docs/reliability.md T5, T6, T16) on real files."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from turnout_desktop.reports.model import Table
from turnout_desktop.reports.safe_io import (
    FORMULA_TRIGGERS,
    atomic_write_bytes,
    escape_text_cell,
    safe_filename,
    safe_output_path,
    write_csv_atomic,
)
from turnout_desktop.reports.xlsx_export import decode_xlsx_text, tables_to_xlsx_bytes

TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "\n"]
SAFE_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,120}$")
HOSTILE_NAMES = [
    "../../x", "..\\..\\x", "C:\\Windows\\x", "/etc/x", "CON", "a\x00b", "x" * 300, "trailing.", "trailing ",
    "a\u2215b", "..", ".", "", "NUL.txt", "lpt1", "com9", "~/x", "%2e%2e%2fx", "x/../../../y", "\u202ereport",
]


def _read_csv(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def _unescaped_ok(original: str, cell: str) -> bool:
    """The cell is the original, or the original after exactly one added apostrophe."""
    if original and original[0] in FORMULA_TRIGGERS:
        return cell == "'" + original
    return cell == original


@pytest.mark.parametrize("trigger", TRIGGERS)
@pytest.mark.parametrize("template", ["{t}cmd|' /C calc'!A0", 'a","{t}cmd', "a\n{t}cmd"])
def test_trigger_table(tmp_path: Path, trigger: str, template: str) -> None:
    text = template.format(t=trigger)
    write_csv_atomic(tmp_path / "t.csv", ["h"], [[text]])
    cell = _read_csv(tmp_path / "t.csv")[1][0]
    assert cell[:1] not in FORMULA_TRIGGERS
    assert _unescaped_ok(text, cell)
    assert cell == (("'" + text) if text[0] == trigger else text)


def test_nul_and_numbers(tmp_path: Path) -> None:
    assert escape_text_cell("\x00x") == "'\x00x"
    assert escape_text_cell("x\x00") == "x\x00"
    assert escape_text_cell("'=already") == "'=already"
    digest = write_csv_atomic(tmp_path / "n.csv", ["a", "b", "c", "d"], [[-5, 1.5, None, "-5"]])
    raw = (tmp_path / "n.csv").read_bytes()
    assert raw == b'\xef\xbb\xbf"a","b","c","d"\r\n"-5","1.5","","\'-5"\r\n'
    import hashlib
    assert digest == hashlib.sha256(raw).hexdigest()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=6))
def test_csv_cells_never_start_a_formula(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    folder = tmp_path_factory.mktemp("csv")
    write_csv_atomic(folder / "h.csv", ["h"] * len(texts), [texts, [len(texts)] + texts[1:]])
    rows = _read_csv(folder / "h.csv")
    for original, cell in zip(texts, rows[1], strict=True):
        assert cell[:1] not in FORMULA_TRIGGERS
        assert _unescaped_ok(original, cell)
    assert rows[2][0] == str(len(texts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=6))
def test_xlsx_cells_are_strings_never_formulas(texts: list[str]) -> None:
    data = tables_to_xlsx_bytes([Table("s", ["h"] * len(texts), [texts, [-7] + texts[1:]])])
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert sum(archive.read(name).count(b"<f") for name in sheets) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(data))["s"]
    cells = [cell for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    for original, cell in zip(texts, cells, strict=True):
        shown = decode_xlsx_text(cell.value or "")
        assert cell.data_type == "s" or (original == "" and cell.value is None)
        assert shown[:1] not in FORMULA_TRIGGERS
        assert _unescaped_ok(original, shown)
    assert sheet.cell(row=3, column=1).value == -7


def test_hostile_names_stay_inside(tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())
    assert len(HOSTILE_NAMES) == 20
    for index, hostile in enumerate(HOSTILE_NAMES):
        name = safe_filename(hostile, str(index), suffix=".csv")
        assert SAFE_NAME.match(name), name
        target = safe_output_path(folder, name)
        assert target.parent == folder.resolve()
        write_csv_atomic(target, ["h"], [[hostile]])
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert len(list(folder.iterdir())) == 20
    assert safe_filename("CON", suffix=".pdf") == "CON_file.pdf"
    assert len(safe_filename("x" * 300, suffix=".pdf")) == 120


@pytest.mark.parametrize("name", ["../x.csv", "CON.csv", "a/b.csv", "..", "x y.csv", "nul"])
def test_safe_output_path_refuses(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError):
        safe_output_path(tmp_path, name)


def test_atomic_write_replaces_whole_file(tmp_path: Path) -> None:
    target = tmp_path / "r.pdf"
    first = atomic_write_bytes(target, b"old")
    second = atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert first != second
    assert [p.name for p in tmp_path.iterdir()] == ["r.pdf"]  # no temp file left behind


def test_before_replace_runs_with_the_final_hash_while_the_old_file_is_still_there(tmp_path: Path) -> None:
    # docs/reliability.md T16: the export's audit event is committed in this hook, so it must see the finished
    # file's sha256 before the rename; a hook that fails leaves the old file and no temp file.
    import hashlib

    target = tmp_path / "public.csv"
    atomic_write_bytes(target, b"old")
    seen: list[tuple[str, bytes]] = []
    digest = atomic_write_bytes(target, b"new", before_replace=lambda sha: seen.append((sha, target.read_bytes())))
    assert seen == [(hashlib.sha256(b"new").hexdigest(), b"old")] and digest == seen[0][0]

    def refuse(_sha: str) -> None:
        raise RuntimeError("audit trail unavailable")

    for write in (lambda: atomic_write_bytes(target, b"newer", before_replace=refuse),
                  lambda: write_csv_atomic(target, ["a"], [["b"]], before_replace=refuse)):
        with pytest.raises(RuntimeError):
            write()
        assert target.read_bytes() == b"new"
        assert [p.name for p in tmp_path.iterdir()] == ["public.csv"]
