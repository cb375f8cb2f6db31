"""The county map: counties painted in the overview's status colours, a hover tooltip with the figures, a click
that emits the county, and in the main window a click that opens the county as a double-click in the overview does."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from service_records import record
from test_gui_main_window import open_window

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.gui import record_model
from turnout_desktop.gui.county_map import CountyMapWidget, map_states, tooltip_text
from turnout_desktop.gui.details_dialog import DetailsDialog
from turnout_desktop.services.county_overview import overview_lines
from turnout_desktop.services.reconciliation_results import CountyOverviewRow

KENT_REP = record(CountyOverviewRow, county="KENT", party="REP", expected_total=42, actual_total=40,
                  accuracy_pct=95.24, confirmed_total=38, confirmed_accuracy_pct=90.48, status="ESCALATED",
                  last_log_id=7)
KENT_DEM = record(CountyOverviewRow, county="KENT", party="DEM", expected_total=10, actual_total=10,
                  accuracy_pct=100.0, confirmed_total=10, confirmed_accuracy_pct=100.0, status="RESOLVED",
                  last_log_id=8)
HARRIS_REP = record(CountyOverviewRow, county="HARRIS", party="REP", expected_total=1_234_567,
                    actual_total=1_234_567, accuracy_pct=100.0, confirmed_total=1_234_000,
                    confirmed_accuracy_pct=99.95, status="RESOLVED", last_log_id=9)


def shown_map(qtbot) -> CountyMapWidget:
    widget = CountyMapWidget()
    qtbot.addWidget(widget)
    widget.resize(700, 700)
    widget.set_states(map_states(overview_lines([KENT_REP, KENT_DEM, HARRIS_REP])))
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def colour_at(widget: CountyMapWidget, point: QPointF) -> QColor:
    image = widget.grab().toImage()
    ratio = image.devicePixelRatio()
    return QColor(image.pixel(round(point.x() * ratio), round(point.y() * ratio)))


def test_a_county_takes_the_colour_of_its_worst_party(qtbot):
    widget = shown_map(qtbot)
    kent, harris, anderson = (widget.interior_point(name) for name in ("KENT", "HARRIS", "ANDERSON"))
    assert widget.county_at(kent) == "KENT" and widget.county_at(harris) == "HARRIS"
    escalated = QColor(record_model.STATUS_COLOURS[DisplayStatus.ESCALATED])
    assert colour_at(widget, kent) == escalated  # escalated REP outweighs verified DEM
    assert colour_at(widget, harris) == QColor(record_model.STATUS_COLOURS[DisplayStatus.VERIFIED])
    assert colour_at(widget, anderson) == QColor(record_model.STATUS_COLOURS[DisplayStatus.NO_UPLOAD])
    assert escalated != QColor(record_model.STATUS_COLOURS[DisplayStatus.VERIFIED])


def test_every_county_can_be_found_under_the_mouse(qtbot):
    widget = shown_map(qtbot)
    found = {widget.county_at(widget.interior_point(shape.name, clearance=0.5)) for shape in widget.shapes.counties}
    assert len(found) == 254 and None not in found


def test_hover_tooltip_shows_the_figures_and_status(qtbot):
    widget = shown_map(qtbot)
    text = widget.tooltip_at(widget.interior_point("KENT"))
    lines = text.splitlines()
    assert lines[0] == "Kent: ! Escalated"
    assert "REP \N{MIDDLE DOT} official 42 \N{MIDDLE DOT} statewide-confirmed 38 \N{MIDDLE DOT} accuracy 95.24%" \
           " \N{MIDDLE DOT} Escalated" in lines
    assert any(line.startswith("DEM") and line.endswith("Verified") for line in lines)
    assert lines.index(next(line for line in lines if line.startswith("REP"))) == 1  # worst party first
    assert widget.tooltip_at(widget.interior_point("HARRIS")).splitlines()[1].startswith(
        "REP \N{MIDDLE DOT} official 1,234,567 \N{MIDDLE DOT} statewide-confirmed 1,234,000")
    assert widget.tooltip_at(widget.interior_point("ANDERSON")) == "Anderson: \N{EN DASH} No upload yet"
    assert widget.tooltip_at(QPointF(2, 2)) == ""  # outside Texas


def test_the_tooltip_event_shows_the_text(qtbot):
    widget = shown_map(qtbot)
    where = widget.interior_point("KENT").toPoint()
    QApplication.sendEvent(widget, QHelpEvent(QHelpEvent.Type.ToolTip, where, widget.mapToGlobal(where)))
    qtbot.waitUntil(QToolTip.isVisible, timeout=2_000)
    assert QToolTip.text().startswith("Kent: ! Escalated")
    QToolTip.hideText()


def test_click_emits_the_county(qtbot):
    widget = shown_map(qtbot)
    with qtbot.waitSignal(widget.county_clicked, timeout=2_000) as clicked:
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.interior_point("LOVING").toPoint())
    assert clicked.args == ["LOVING"]
    with qtbot.assertNotEmitted(widget.county_clicked):
        qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(2, 2))


def test_tooltip_of_a_county_without_state():
    assert tooltip_text("Loving", None) == "Loving: \N{EN DASH} No upload yet"


def test_clicking_the_map_in_the_window_opens_the_county(qtbot, admin_spec):
    window = open_window(qtbot, admin_spec)
    tabs = window.county_map.parentWidget().parentWidget()
    tabs.setCurrentWidget(window.county_map)
    qtbot.waitExposed(window.county_map)
    assert window.county_map.state("KENT") is not None  # filled from the loaded dashboard
    qtbot.mouseClick(window.county_map, Qt.MouseButton.LeftButton,
                     pos=window.county_map.interior_point("LOVING").toPoint())
    qtbot.waitUntil(lambda: isinstance(window.session.last_dialog, DetailsDialog), timeout=10_000)
    assert window.session.last_dialog.detail.county == "LOVING"
    window.session.last_dialog.close()
    qtbot.mouseClick(window.county_map, Qt.MouseButton.LeftButton,
                     pos=window.county_map.interior_point("ANDERSON").toPoint())
    assert window.banner.text() == "ANDERSON: no reconciliation yet (no upload, or not checked)."
