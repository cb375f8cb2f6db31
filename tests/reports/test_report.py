"""The report model from a real database (SQLite and PostgreSQL) and its CSV/XLSX/PDF renderings."""

from __future__ import annotations

import hashlib
import io
import re
import subprocess
import unicodedata
from pathlib import Path

import openpyxl
import pytest
from report_election_data import ANDERSON_MISSING, AS_OF, ELECTION, GENERATED_AT
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from turnout_desktop.cli.main import main as cli_main
from turnout_desktop.db.audit import head_hash, verify_chain
from turnout_desktop.db.models import AuditEvent, CountyTurnoutReference
from turnout_desktop.domain.labels import method_label
from turnout_desktop.errors import PermissionDenied
from turnout_desktop.reports.csv_export import read_report_csv, write_report_csv
from turnout_desktop.reports.model import build_report, report_tables
from turnout_desktop.reports.pdf import render_report_pdf_bytes
from turnout_desktop.reports.safe_io import export_cell
from turnout_desktop.reports.xlsx_export import decode_xlsx_text, write_report_xlsx
from turnout_desktop.services.context import AppContext
from turnout_desktop.services.reporting import export_report


def _report(engine: Engine, **scope: object):
    with Session(engine) as session:
        return build_report(session, election=ELECTION, user="tester", generated_at=GENERATED_AT, **scope)


def _pdf_text(data: bytes, tmp_path: Path) -> tuple[str, int]:
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    return unicodedata.normalize("NFKC", text), pages  # pdftotext may print ligatures (U+FB00)


def test_model_exact_values(populated) -> None:
    engine, ids = populated
    report = _report(engine)
    s = report.summary
    counts = (s.counties_in_scope, s.verified, s.within, s.in_progress, s.escalated, s.no_upload)
    assert counts == (254, 3, 0, 0, 1, 250)
    assert (s.expected_total, s.actual_total) == (2489 + 406 + 4 + 7, 2418 + 406 + 4 + 6)
    assert report.as_of == AS_OF
    assert report.statewide_snapshot.startswith("2 statewide file(s), newest STATEWIDE_EV_58315.csv")
    assert (report.gate_verified_pct, report.gate_within_pct) == (99.9, 99.0)
    with Session(engine) as session:
        assert report.audit_head == head_hash(session)
    totals = {(t.party, t.method): (t.expected, t.actual, t.off_by, t.records_all_counties) for t in report.totals}
    assert totals[("ALL", "early-voting")] == (2795, 2795, 0, 2796)  # HARDEMAN has a record but no upload
    assert totals[("ALL", "mail-in")] == (111, 39, -72, 39)
    rows = {(c.county, c.method): c for c in report.counties}
    anderson = rows[("ANDERSON", "TOTAL")]
    assert (anderson.official, anderson.database, anderson.off_by, anderson.status, anderson.public) == (
        2489, 2418, -71, "ESCALATED", False)
    assert anderson.accuracy_pct == 97.1474  # 100 * (1 - 71/2489) = 97.14745... rounded to 4 places
    assert rows[("ANDERSON", "mail-in")].accuracy_pct == 28.2828
    assert rows[("ANDREWS", "TOTAL")].status == "RESOLVED"  # newest run, not the earlier IN_PROGRESS one
    hogg = rows[("JIM HOGG", "TOTAL")]
    assert (hogg.status, hogg.public, hogg.override_by) == ("OVERRIDDEN", True, "admin.ruiz")
    assert hogg.override_reason == "-1 late mail ballot confirmed by phone"
    assert rows[("KENT", "TOTAL")].override_reason is None  # the revoked override does not count
    assert ("HARDEMAN", "TOTAL") not in rows
    by_id = {d.log_id: d for d in report.discrepancies}
    assert sorted(by_id) == sorted([ids["anderson"], ids["andrews"], ids["hogg"]])
    escalated = by_id[ids["anderson"]]
    assert escalated.evidence_total == 71
    vuid_rows = [e for e in escalated.evidence if e.vuid]
    assert [e.vuid for e in vuid_rows] == ANDERSON_MISSING
    assert (vuid_rows[0].precinct, vuid_rows[0].source_file, vuid_rows[0].row_no) == (
        "P101", "Anderson_EV_roster.xlsx", 2)
    assert [(a.strategy, a.outcome, a.before_actual, a.after_actual) for a in escalated.attempts] == [
        ("refetch_statewide", "no_change", 2418, 2418), ("fill_gaps", "error", 2418, 2418)]
    assert escalated.resolution == "Escalated after 2 attempt(s). Statewide file lacks 71 mail ballots"
    assert by_id[ids["andrews"]].resolution == (
        f"Resolved by fill_gaps. fix {ids['fix']} fill_gaps: inserted 7 county-sourced records")
    assert by_id[ids["hogg"]].override == "-1 late mail ballot confirmed by phone (by admin.ruiz)"


def test_scopes(populated) -> None:
    engine, ids = populated
    county = _report(engine, county="ANDREWS")
    assert {c.county for c in county.counties} == {"ANDREWS"}
    assert (county.summary.counties_in_scope, county.summary.verified, county.summary.no_upload) == (1, 1, 0)
    one = _report(engine, escalation_id=ids["anderson"])
    assert [d.log_id for d in one.discrepancies] == [ids["anderson"]]
    assert {c.county for c in one.counties} == {"ANDERSON"}
    assert one.scope == f"escalation {ids['anderson']} (ANDERSON ALL)"


def _expected_cells(value: object) -> str:
    return export_cell(value)


def test_csv_and_xlsx_equal_the_model(populated, tmp_path: Path) -> None:
    engine, _ = populated
    report = _report(engine)
    tables = report_tables(report)
    write_report_csv(report, tmp_path / "r.csv")
    sections = read_report_csv(tmp_path / "r.csv")
    assert list(sections) == [t.name for t in tables]
    for table in tables:
        assert sections[table.name][0] == table.header
        assert sections[table.name][1:] == [[_expected_cells(v) for v in row] for row in table.rows]
    assert len(sections["evidence"]) == 1 + 1 + 71  # header, the count note, every failing VUID
    attempt_messages = [row[-1] for row in sections["attempts"][1:]]
    assert "'=HYPERLINK(\"http://x\")" in attempt_messages

    write_report_xlsx(report, tmp_path / "r.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "r.xlsx")
    assert workbook.sheetnames == [t.name for t in tables]
    for table in tables:
        sheet = workbook[table.name]
        assert sheet.freeze_panes == "A2"
        values = [[decode_xlsx_text(c) if isinstance(c, str) else c for c in row]
                  for row in sheet.iter_rows(values_only=True)]
        assert values[0] == tuple(table.header) or list(values[0]) == table.header
        expected = [[_xlsx_value(v) for v in row] for row in table.rows]
        assert [list(row) for row in values[1:]] == expected


def _xlsx_value(value: object) -> object:
    if value is None or isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return export_cell(value)


def test_pdf_reads_back(populated, tmp_path: Path) -> None:
    engine, _ = populated
    report = _report(engine)
    text, pages = _pdf_text(render_report_pdf_bytes(report), tmp_path)
    for needle in ("ANDERSON", "ANDREWS", "JIM HOGG", "KENT", "2,489", "2,418", "Escalated", "Verified",
                   "Overridden", "97.15", "1100000000", "Anderson_EV_roster.xlsx", "Showing 25 of 71",
                   "admin.ruiz", report.audit_head, f"page 1 of {pages}", f"page {pages} of {pages}",
                   "election 2024-11-05", "by tester"):
        assert needle in text, needle
    assert "1100000070" not in text  # capped in the PDF, listed in the CSV


def test_pdf_pages_grow_with_counties(db_engine: Engine, tmp_path: Path) -> None:
    from turnout_desktop.domain.counties import all_counties

    def pages_for(count: int) -> int:
        with Session(db_engine) as session:
            have = {c for c in session.scalars(select(CountyTurnoutReference.county).distinct())}
            for county in all_counties()[:count]:
                if county.sos_name not in have:
                    for method in ("early-voting", "mail-in", "TOTAL"):
                        session.add(CountyTurnoutReference(county=county.sos_name, election_date=ELECTION,
                                                           party="ALL", voting_method=method, official_count=10))
            session.commit()
            report = build_report(session, election=ELECTION, generated_at=GENERATED_AT)
        assert len({c.county for c in report.counties}) == count
        return _pdf_text(render_report_pdf_bytes(report), tmp_path)[1]

    small, large = pages_for(3), pages_for(80)
    assert large > small
    # _pdf_text left the 80-county PDF in tmp_path: every page of the county table repeats its header line.
    header = re.compile(r"^\s*County\s+Party\s+Method\s+Official\s+Database\s+Off by\s+Accuracy %\s+Status"
                        r"\s+Public\s+Override\s*$")
    shown_methods = "|".join(method_label(m) for m in ("early-voting", "mail-in", "TOTAL"))  # the PDF words methods
    county_row = re.compile(rf"^\s*[A-Z][A-Z .'-]*?\s+ALL\s+({shown_methods})\s+10\s")
    table_pages = 0
    rows_seen = 0
    for page in range(1, large + 1):
        lines = unicodedata.normalize("NFKC", subprocess.run(
            ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(tmp_path / "r.pdf"), "-"],
            capture_output=True, text=True, check=True).stdout).splitlines()
        rows = [n for n, line in enumerate(lines) if county_row.match(line)]
        if not rows:
            continue
        table_pages += 1
        rows_seen += len(rows)
        headers = [n for n, line in enumerate(lines) if header.match(line)]
        assert len(headers) == 1 and headers[0] < rows[0], f"page {page}: table header missing or misplaced"
    assert rows_seen == 80 * 3
    assert table_pages >= 2


def test_export_service_audits_sha256(populated, tmp_path: Path) -> None:
    engine, _ = populated
    ctx = AppContext(engine, user="admin.ruiz", role="admin")
    written = []
    for fmt in ("pdf", "csv", "xlsx"):
        path = export_report(ctx, election=ELECTION, fmt=fmt, out=tmp_path, county="ANDERSON")
        assert path.parent == tmp_path.resolve()
        assert path.name == f"turnout-report_2024-11-05_ANDERSON.{fmt}"
        written.append(path)
    with Session(engine) as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.event_type == "export")
                                 .order_by(AuditEvent.seq)).all()
        assert verify_chain(session) is None
    assert [e.disposition for e in events] == ["success"] * 3
    for event, path in zip(events, written, strict=True):
        assert event.details["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    clerk = AppContext(engine, user="clerk.a", role="clerk", county="KENT")
    with pytest.raises(PermissionDenied):
        export_report(clerk, election=ELECTION, fmt="csv", out=tmp_path, county="ANDERSON")
    with Session(engine) as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.disposition == "failure")).all()
    assert [e.event_type for e in failed] == ["export"]
    own = export_report(clerk, election=ELECTION, fmt="csv", out=tmp_path / "x.csv")
    assert {row[0] for row in read_report_csv(own)["counties"][1:]} == {"KENT"}


def test_cli_report(populated, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    engine, ids = populated
    url = engine.url.render_as_string(hide_password=False)
    code = cli_main(["--db", url, "report", "--election", "2024-11-05", "--escalation", str(ids["anderson"]),
                     "--format", "xlsx", "--out", str(tmp_path / "My report: <ANDERSON>.xlsx")])
    assert code == 0
    written = Path(capsys.readouterr().out.strip())
    assert written == tmp_path.resolve() / "My_report_ANDERSON.xlsx"
    workbook = openpyxl.load_workbook(io.BytesIO(written.read_bytes()))
    assert workbook["discrepancies"].cell(row=2, column=1).value == ids["anderson"]
    code = cli_main(["--db", url, "report", "--election", "2024-11-05", "--format", "csv",
                     "--out", str(tmp_path / "missing" / "r.csv")])
    assert code == 2
