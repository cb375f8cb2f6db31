"""Colours follow the palette (dark mode stays readable) and stay apart for colour-blind users, doubled by marks."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from colour_vision import MACHADO_2009, delta_e
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.labels import STATUS_MARKS, status_mark
from turnout_desktop.gui.activity_model import ACTIVITY_COLUMNS
from turnout_desktop.gui.county_overview import OVERVIEW_COLUMNS
from turnout_desktop.gui.icons import stylesheet
from turnout_desktop.gui.record_model import STATUS_COLOURS, Column, RecordTableModel, key
from turnout_desktop.gui.theme import (
    MIN_CONTRAST,
    QUALITY_COLOURS,
    contrast_ratio,
    dark_palette,
    relative_luminance,
    stylesheet_colours,
)
from turnout_desktop.gui.wizard_widgets import QualityBar
from turnout_desktop.services.column_quality import ColumnQuality

KEY_STATES = (DisplayStatus.ESCALATED, DisplayStatus.VERIFIED, DisplayStatus.WITHIN, DisplayStatus.FAILED)
MIN_DELTA_E = 10.0  # CIE76: clearly different side by side (2.3 is "just noticeable")


class StatusRows(RecordTableModel):
    """One row per display state, coloured the way the overview and activity tables colour theirs."""

    def __init__(self) -> None:
        super().__init__((Column("County", key("county")), Column("Status", key("category"), marked=True)),
                         [{"county": f"C{n}", "category": c} for n, c in enumerate(DisplayStatus)])

    def row_category(self, record: dict[str, Any]) -> str | None:
        return record["category"]


@pytest.fixture(params=["light", "dark"])
def palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[QPalette]:
    """The application running under a light (the default) or a dark system palette."""
    original = QApplication.palette()
    chosen = dark_palette() if request.param == "dark" else QPalette(original)
    QApplication.setPalette(chosen)
    yield QApplication.palette()
    QApplication.setPalette(original)


def test_every_status_row_is_readable_under_the_system_palette(palette: QPalette) -> None:
    model = StatusRows()
    text = palette.color(QPalette.ColorRole.Text)
    dark = relative_luminance(palette.color(QPalette.ColorRole.Base)) < 0.2
    for row, category in enumerate(DisplayStatus):
        cell = model.index(row, 0)
        background = cell.data(Qt.ItemDataRole.BackgroundRole).color()
        foreground = cell.data(Qt.ItemDataRole.ForegroundRole).color()
        assert contrast_ratio(foreground, background) >= MIN_CONTRAST, (category, background.name())
        assert contrast_ratio(text, background) >= MIN_CONTRAST, (category, background.name())
        assert (relative_luminance(background) < 0.2) == dark, (category, background.name())  # follows the theme
        assert background.name() == STATUS_COLOURS[category]


def test_key_states_differ_under_deuteranopia_and_protanopia(palette: QPalette) -> None:
    colours = {category: QColor(STATUS_COLOURS[category]) for category in KEY_STATES}
    for deficiency in MACHADO_2009:
        for first, second in itertools.combinations(KEY_STATES, 2):
            distance = delta_e(colours[first], colours[second], deficiency)
            assert distance >= MIN_DELTA_E, (deficiency, first, second, round(distance, 1))


def test_quality_bar_segments_differ_under_deuteranopia_and_protanopia() -> None:
    for deficiency in MACHADO_2009:
        for (first, one), (second, other) in itertools.combinations(QUALITY_COLOURS, 2):
            distance = delta_e(QColor(one), QColor(other), deficiency)
            assert distance >= 25.0, (deficiency, first, second, round(distance, 1))  # solid fills: far apart


def test_every_status_cell_carries_its_mark(palette: QPalette) -> None:
    assert [status_mark(c) for c in KEY_STATES] == ["!", "\N{CHECK MARK}", "\N{ALMOST EQUAL TO}",
                                                    "\N{MULTIPLICATION X}"]
    assert len(set(STATUS_MARKS.values())) == len(DisplayStatus) and set(STATUS_MARKS) == set(DisplayStatus)
    model = StatusRows()
    images: dict[str, QImage] = {}
    for row, category in enumerate(DisplayStatus):
        assert model.index(row, 0).data(Qt.ItemDataRole.DecorationRole) is None  # only the status cell
        icon = model.index(row, 1).data(Qt.ItemDataRole.DecorationRole)
        assert icon is not None and not icon.isNull(), category
        images[category] = icon.pixmap(16, 16).toImage()
    for first, second in itertools.combinations(KEY_STATES, 2):
        assert images[first] != images[second], (first, second)
    assert [c.header for c in OVERVIEW_COLUMNS if c.marked] == ["Status"]
    assert [c.header for c in ACTIVITY_COLUMNS if c.marked] == ["Status"]


def test_quality_bar_labels_follow_the_palette(qtbot, palette: QPalette) -> None:
    bar = QualityBar()
    qtbot.addWidget(bar)
    bar.resize(420, 60)
    bar.set_profiles([ColumnQuality("voting_method", valid=30, repaired=5, error=1, empty=4, column="How Voted")])
    assert bar.toolTip().startswith("Voting method (How Voted): 30 valid")
    image = bar.grab().toImage()
    label_text = [QColor(image.pixel(x, y)) for x in range(0, int(QualityBar.LABEL_WIDTH) - 6)
                  for y in range(0, QualityBar.ROW_HEIGHT)]
    window = palette.color(QPalette.ColorRole.Window)
    readable = [c for c in label_text if contrast_ratio(c, window) >= MIN_CONTRAST]
    assert len(readable) > 20  # "Voting method" drawn in a colour that reads on this palette's window


def test_panel_banner_and_problem_colours_read_under_the_palette(palette: QPalette) -> None:
    colours = {name: QColor(value) for name, value in stylesheet_colours(palette).items()}
    window, window_text = palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText)
    assert contrast_ratio(window_text, colours["panel_background"]) >= MIN_CONTRAST  # the status panel figures
    assert contrast_ratio(colours["caption_text"], colours["panel_background"]) >= MIN_CONTRAST
    assert contrast_ratio(colours["problem_text"], window) >= MIN_CONTRAST
    for banner in ("banner_background", "next_step_background"):
        assert contrast_ratio(window_text, colours[banner]) >= MIN_CONTRAST, banner
    sheet = stylesheet()
    assert "QFrame#statusPanel" in sheet and "@" not in sheet
    assert f"background: {colours['panel_background'].name()};" in sheet  # the palette's, not a fixed light one
