"""The report as a PDF, with QtGui only (QTextDocument laid out in pages, painted on a QPdfWriter).

Every page gets a header (title, election, "page n of m") and a footer (generation time, user,
gate thresholds, data as-of time, audit head sha256). Tables use ``<thead>`` so Qt repeats their
header row on every page they span. Failing VUIDs are capped per discrepancy; the CSV has them all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from html import escape

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QPointF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from turnout_desktop.domain.codes import TOTAL
from turnout_desktop.domain.display import DisplayStatus, status_category
from turnout_desktop.domain.labels import (
    accuracy_text,
    diagnoses_text,
    diagnosis_label,
    display_label,
    local_time_text,
    method_label,
    outcome_label,
    status_mark,
    trigger_label,
)
from turnout_desktop.reports.chart import Bar, draw_accuracy_chart
from turnout_desktop.reports.model import CountyRow, Discrepancy, Report

EVIDENCE_CAP = 25  # failing VUIDs listed per discrepancy in the PDF
BARS_PER_CHART = 60
_RESOLUTION = 96  # layout units = pixels at 96 dpi, as QTextDocument measures fonts
_MARGIN, _HEADER, _FOOTER = 36, 44, 40
# The summary's county groups (reports/model.py Summary), headed with the words the GUI uses for them.
_SUMMARY_STATES = (DisplayStatus.VERIFIED, DisplayStatus.WITHIN, DisplayStatus.IN_PROGRESS, DisplayStatus.ESCALATED,
                   DisplayStatus.NO_UPLOAD)
_app: QGuiApplication | None = None  # kept alive for the process when we had to create it


def ensure_gui_application() -> None:
    """Fonts and text layout need a QGuiApplication; create an offscreen one when none exists."""
    global _app
    existing = QGuiApplication.instance()
    if existing is not None:
        if not isinstance(existing, QGuiApplication):
            raise RuntimeError("PDF rendering needs a QGuiApplication, but a QCoreApplication is running")
        return
    headless = not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    if headless and sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    _app = QGuiApplication([sys.argv[0] if sys.argv else "turnout"])


def facts_text(note: str | None) -> str:
    """An evidence note as words: ``{"missing": 3, "statewide_total": 5}`` reads "Missing: 3 · Statewide total: 5".

    The evidence keeps the engine's facts as JSON (the CSV export carries it as data); people read the PDF.
    A note that is not a JSON object (free text, a list) is shown as it is.
    """
    try:
        facts = json.loads(note or "")
    except ValueError:
        return note or ""
    if not isinstance(facts, dict):
        return note or ""
    return " \N{MIDDLE DOT} ".join(f"{str(key).replace('_', ' ').capitalize()}: {_fact_value(value)}"
                                   for key, value in facts.items())


def _fact_value(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _fmt(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return escape(local_time_text(value))  # stored UTC, printed local with its zone
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return escape(str(value))


def _marked_status(rows: list[CountyRow]) -> dict[tuple[str, str], str]:
    """Each (county, party)'s status cell as the GUI shows it: its mark (✓ ! ✕ ...) before its words.

    The party's TOTAL row carries the accuracy the words were chosen by (reports/build.py ``_county_rows``), so
    its method rows take the same mark; DejaVu Sans, the report's font, has every mark.
    """
    return {(c.county, c.party): f"{status_mark(status_category(c.status, c.accuracy_pct))} {c.status_label}"
            for c in rows if c.method == TOTAL}


def _table(header: list[str], rows: list[list[object]], *, numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{escape(name)}</th>" for name in header)
    body = []
    for row in rows:
        cells = "".join(f'<td align="right">{_fmt(v)}</td>' if i in numeric else f"<td>{_fmt(v)}</td>"
                        for i, v in enumerate(row))
        body.append(f"<tr>{cells}</tr>")
    return (f'<table border="1" cellspacing="0" cellpadding="2" width="100%"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def _discrepancy_html(item: Discrepancy) -> str:
    parts = [f"<h3>{escape(item.county)} {escape(item.party)}: {escape(item.status_label)} (log {item.log_id})</h3>",
             f"<p>Expected {_fmt(item.expected)}, database {_fmt(item.actual)}, off by {_fmt(item.discrepancy)}"
             f" ({_fmt(item.discrepancy_pct)}%). Started by: {escape(trigger_label(item.trigger))}.<br/>"
             f"Diagnosis: {escape(diagnoses_text(item.diagnosis))}.<br/>"
             f"Outcome: {escape(item.resolution)}</p>"]
    if item.override:
        parts.append(f"<p><b>Manual override:</b> {escape(item.override)}</p>")
    if item.attempts:
        parts.append(_table(
            ["#", "Strategy", "Outcome", "Before", "After", "Accuracy before", "Accuracy after", "Message"],
            [[a.attempt_no, a.strategy_label, outcome_label(a.outcome), a.before_actual, a.after_actual,
              accuracy_text(a.before_accuracy_pct), accuracy_text(a.after_accuracy_pct), a.message]
             for a in item.attempts], numeric={0, 3, 4, 5, 6}))
    vuid_rows = [e for e in item.evidence if e.vuid is not None]
    notes = [e for e in item.evidence if e.vuid is None]
    for note in notes:
        parts.append(f"<p>{escape(diagnosis_label(note.code))}: {escape(facts_text(note.note))}</p>")
    if vuid_rows:
        shown = vuid_rows[:EVIDENCE_CAP]
        parts.append(_table(["Cause", "VUID", "Precinct", "Source file", "Row"],
                            [[diagnosis_label(e.code), e.vuid, e.precinct, e.source_file, e.row_no] for e in shown],
                            numeric={4}))
        if item.evidence_total > len(shown):
            parts.append(f"<p>Showing {len(shown)} of {item.evidence_total:,} failing VUIDs; "
                         "the CSV export lists all of them.</p>")
    return "".join(parts)


def _html(report: Report, chart_names: list[str], chart_width: int) -> str:
    s = report.summary
    parts = [
        f"<h1>{escape(report.title)}</h1>",
        f"<p>Election {report.election.isoformat()} &middot; scope: {escape(report.scope)} &middot; "
        f"<b>{escape(report.certification)}</b><br/>"
        f"Data as of {_fmt(report.as_of) or 'unknown'} &middot; {escape(report.statewide_snapshot)}<br/>"
        f"Gate: verified &ge; {report.gate_verified_pct:g}%, within &ge; {report.gate_within_pct:g}%</p>",
        "<h2>Summary</h2>",
        _table(["Counties", *(display_label(state) for state in _SUMMARY_STATES), "Expected", "Actual"],
               [[s.counties_in_scope, s.verified, s.within, s.in_progress, s.escalated, s.no_upload,
                 s.expected_total, s.actual_total]], numeric=set(range(8))),
        "<h2>Totals by party and method</h2>",
        _table(["Party", "Method", "Expected", "Actual", "Off by", "Records (all counties)"],
               [[t.party, method_label(t.method), t.expected, t.actual, t.off_by, t.records_all_counties]
                for t in report.totals],
               numeric={2, 3, 4, 5}),
    ]
    if chart_names:
        parts.append("<h2>Accuracy by county and party</h2>")
        parts.extend(f'<p><img src="{name}" width="{chart_width}"/></p>' for name in chart_names)
    parts.append('<h2 style="page-break-before: always">Counties</h2>')
    marked = _marked_status(report.counties)
    parts.append(_table(
        ["County", "Party", "Method", "Official", "Database", "Off by", "Accuracy %", "Status", "Public",
         "Override"],
        [[c.county, c.party, method_label(c.method), c.official, c.database, c.off_by, accuracy_text(c.accuracy_pct),
          marked.get((c.county, c.party), c.status_label),
          "yes" if c.public else "no",
          f"{c.override_reason} (by {c.override_by})" if c.override_reason else ""] for c in report.counties],
        numeric={3, 4, 5, 6}))
    if report.discrepancies:
        parts.append('<h2 style="page-break-before: always">Discrepancies</h2>')
        parts.extend(_discrepancy_html(item) for item in report.discrepancies)
    return "".join(parts)


def _document(report: Report, body: QSizeF) -> QTextDocument:
    document = QTextDocument()
    font = QFont("DejaVu Sans")
    font.setPointSizeF(7.5)
    document.setDefaultFont(font)
    document.setDefaultStyleSheet("th { background-color: #e0e0e0; } h1 { font-size: 14pt; } "
                                  "h2 { font-size: 11pt; } h3 { font-size: 9pt; }")
    chart_width = int(body.width()) - 16
    bars = [Bar(f"{c.county} {c.party}", c.accuracy_pct) for c in report.counties if c.method == "TOTAL"]
    names = []
    for start in range(0, len(bars), BARS_PER_CHART):
        image = draw_accuracy_chart(bars[start:start + BARS_PER_CHART], width=chart_width,
                                    verified_pct=report.gate_verified_pct, within_pct=report.gate_within_pct)
        name = f"chart{start // BARS_PER_CHART}.png"
        document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        names.append(name)
    document.setHtml(_html(report, names, chart_width))
    document.setPageSize(body)
    return document


def _decorate(painter: QPainter, report: Report, page: int, pages: int, width: float, height: float) -> None:
    font = QFont("DejaVu Sans")
    font.setStyleStrategy(QFont.StyleStrategy.PreferNoShaping)  # no "ff" ligature inside the audit hash
    font.setPixelSize(10)
    painter.setFont(font)
    header = QRectF(_MARGIN, 12, width - 2 * _MARGIN, _HEADER - 16)
    painter.drawText(header, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"{report.title} - election {report.election.isoformat()} ({report.scope}) - "
                     f"{report.certification.upper()}")
    painter.drawText(header, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, f"page {page} of {pages}")
    painter.drawLine(QPointF(_MARGIN, _HEADER - 2), QPointF(width - _MARGIN, _HEADER - 2))
    font.setPixelSize(8)
    painter.setFont(font)
    footer = QRectF(_MARGIN, height - _FOOTER + 4, width - 2 * _MARGIN, _FOOTER - 8)
    painter.drawLine(QPointF(_MARGIN, height - _FOOTER + 2), QPointF(width - _MARGIN, height - _FOOTER + 2))
    painter.drawText(footer, Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap,
                     f"Generated {report.generated_at.isoformat(sep=' ')} UTC by {report.user or 'unknown'}; "
                     f"data as of {_fmt(report.as_of) or 'unknown'}; gate {report.gate_verified_pct:g}% / "
                     f"{report.gate_within_pct:g}%\naudit head sha256 {report.audit_head}")


def paint_report(report: Report, device: QPagedPaintDevice) -> int:
    """Paint ``report`` onto any paged device (a QPdfWriter, or a QPrinter for printing and preview).

    The layout is computed in 96-dpi units and the painter is scaled to the device's resolution,
    so every device gets the same pages; the device's own page size and margins are used.

    Returns:
        The number of pages painted.
    """
    ensure_gui_application()
    scale = device.logicalDpiX() / _RESOLUTION
    width, height = device.width() / scale, device.height() / scale
    body = QSizeF(width - 2 * _MARGIN, height - _HEADER - _FOOTER)
    document = _document(report, body)
    pages = document.pageCount()
    painter = QPainter(device)
    if not painter.isActive():  # e.g. a printer that cannot be opened
        raise RuntimeError("Cannot paint on this device (the printer could not be opened)")
    try:
        painter.scale(scale, scale)
        for index in range(pages):
            if index:
                device.newPage()
            _decorate(painter, report, index + 1, pages, width, height)
            painter.save()
            painter.setClipRect(QRectF(_MARGIN, _HEADER, body.width(), body.height()))
            painter.translate(_MARGIN, _HEADER - index * body.height())
            document.drawContents(painter, QRectF(0, index * body.height(), body.width(), body.height()))
            painter.restore()
    finally:
        painter.end()
    return pages


def report_page_layout() -> QPageLayout:
    """US Letter, landscape, no extra margins (the report draws its own)."""
    return QPageLayout(QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Landscape,
                       QMarginsF(0, 0, 0, 0))


def render_report_pdf_bytes(report: Report) -> bytes:
    """Render ``report`` to PDF bytes (US Letter, landscape).

    Creates an offscreen QGuiApplication when none is running; safe to call from a worker thread
    once one exists.
    """
    ensure_gui_application()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(_RESOLUTION)
    writer.setPageLayout(report_page_layout())
    writer.setTitle(f"{report.title} {report.election.isoformat()}")
    writer.setCreator("Turnout Desktop")
    try:
        paint_report(report, writer)
    finally:
        buffer.close()
    return bytes(data.data())
