"""Replay every crash input ever found (tests/corpus/): each must give rows or ImportRejected.

An input that once aborted the process (a Rust allocation failure inside calamine) would abort this
test run again if the guard regressed, so the failure cannot go unnoticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from turnout_desktop.errors import ImportRejected
from turnout_desktop.ingest.readers.registry import read_raw

CORPUS = Path(__file__).resolve().parents[2] / "corpus"
EXPECTED_REASONS = {
    "calamine_xls_8gb_alloc.xls": "unreadable",
    "xlsx_far_cell_ref.xlsx": "too_many_cells",
    "xlsx_malformed_attr_far_ref.xlsx": "too_many_columns",
    "ods_truncated_content_hang.ods": "unreadable",
}


@pytest.mark.parametrize("path", sorted(p for p in CORPUS.iterdir() if p.is_file() and p.suffix not in (".md", ".py")),
                         ids=lambda p: p.name)
def test_corpus_input_is_read_or_rejected(path: Path):
    try:
        workbooks = read_raw(path.read_bytes(), path.name)
    except ImportRejected as rejection:
        assert rejection.reason == EXPECTED_REASONS.get(path.name, rejection.reason)
        return
    assert path.name not in EXPECTED_REASONS
    assert all(len({len(c) for c in sheet.columns}) <= 1 for w in workbooks for sheet in w.sheets)


def test_corpus_is_not_empty():
    assert (CORPUS / "calamine_xls_8gb_alloc.xls").is_file()
