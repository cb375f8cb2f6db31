"""Axis labels of the accuracy chart never print over each other (99 / 99.9 / 100 are close on 90-100)."""

from __future__ import annotations

import itertools

import pytest
from colour_vision import MACHADO_2009, delta_e
from PySide6.QtGui import QColor

from turnout_desktop.reports.chart import (
    BLOCKED_COLOUR,
    SCALE,
    VERIFIED_COLOUR,
    WITHIN_COLOUR,
    Bar,
    axis_x_mapper,
    chart_axis_labels,
    draw_accuracy_chart,
    place_axis_labels,
)


def six_per_char(text: str) -> float:
    return 6.0 * len(text)


def test_close_thresholds_move_to_the_second_line_or_drop() -> None:
    # width 400: plot from x=216, 134 px for 90..100, so 99 -> 336.6, 99.9 -> 348.66, 100 -> 350.
    _left, _width, x_of = axis_x_mapper(400, 90.0)
    labels = place_axis_labels((99.9, 99.0, 90.0, 100.0), x_of, six_per_char, left=0.0, right=400.0)
    assert [(lab.text, round(lab.left, 2), round(lab.right, 2), lab.line) for lab in labels] == [
        ("90", 210.0, 222.0, 0), ("99.9", 336.66, 360.66, 0), ("99", 330.6, 342.6, 1)]  # 100: no room left


def test_wide_axis_keeps_every_label_on_the_first_line() -> None:
    labels = place_axis_labels((99.9, 99.0, 90.0, 100.0), lambda v: (v - 90.0) * 100.0, six_per_char,
                               left=0.0, right=1200.0)
    assert [(lab.text, round(lab.left, 2), lab.line) for lab in labels] == [
        ("90", 0.0, 0), ("99", 894.0, 0), ("99.9", 978.0, 0), ("100", 991.0, 1)]


def test_labels_stay_inside_and_equal_texts_are_drawn_once() -> None:
    labels = place_axis_labels((100.0, 100.0, 95.0), lambda v: v * 2.0, six_per_char, left=0.0, right=201.0)
    assert [(lab.text, lab.left, lab.right, lab.line) for lab in labels] == [
        ("100", 183.0, 201.0, 0), ("95", 184.0, 196.0, 1)]


@pytest.mark.parametrize("width", [300, 400, 540, 800])
@pytest.mark.parametrize(("verified", "within"), [(99.9, 99.0), (99.5, 99.4), (100.0, 99.99)])
def test_drawn_labels_never_overlap(qapp, width: int, verified: float, within: float) -> None:
    labels = chart_axis_labels(width, verified_pct=verified, within_pct=within, floor_pct=90.0)
    assert labels and all(0.0 <= lab.left < lab.right <= width for lab in labels)
    for first in labels:
        for second in labels:
            if first is not second and first.line == second.line:
                assert first.right <= second.left or second.right <= first.left, (first, second)
    texts = [lab.text for lab in labels]
    assert texts[0] == "90" and f"{verified:g}" in texts  # the floor and the verified gate always show


def test_rendered_chart_draws_every_placed_label(qapp) -> None:
    bars = [Bar("LOVING DEM", 99.95), Bar("KENT REP", 97.0), Bar("NO DATA", None)]
    image = draw_accuracy_chart(bars, width=540, verified_pct=99.9, within_pct=99.0, floor_pct=90.0)
    labels = chart_axis_labels(540, verified_pct=99.9, within_pct=99.0, floor_pct=90.0)
    assert [(lab.text, lab.line) for lab in labels] == [("90", 0), ("99", 0), ("99.9", 0), ("100", 1)]
    assert image.width() == 540 * SCALE
    axis_y = 3 * 14 + 2  # three bars of 14 px, then the axis
    line_height = (image.height() / SCALE - axis_y - 2) / 2
    for label in labels:
        top = axis_y + 2 + label.line * line_height
        dark = sum(1 for x in range(int(label.left * SCALE), int(label.right * SCALE))
                   for y in range(int(top * SCALE), int((top + line_height) * SCALE))
                   if QColor(image.pixel(x, y)).lightness() < 128)
        assert dark > 10, label.text  # the label's text is really in its box


def bar_length(image, row: int) -> int:
    """Pixels of bar colour (neither white nor grey text) along the middle of bar ``row`` (image pixels)."""
    y = int((row * 14 + 2 + 7) * SCALE)
    return sum(1 for x in range(216 * SCALE, image.width())
               if QColor(image.pixel(x, y)).saturation() > 80)


def test_the_axis_starts_at_zero_so_bar_lengths_compare(qapp) -> None:
    bars = [Bar("A DEM", 33.0), Bar("B DEM", 66.0), Bar("C DEM", 99.0)]
    image = draw_accuracy_chart(bars, width=540, verified_pct=99.9, within_pct=99.0)
    short, long, full = (bar_length(image, row) for row in range(3))
    assert short > 0 and long == pytest.approx(2 * short, rel=0.05) and full == pytest.approx(3 * short, rel=0.05)
    texts = [label.text for label in chart_axis_labels(540, verified_pct=99.9, within_pct=99.0)]
    assert texts[0] == "0" and "50" in texts and "99.9" in texts  # 0 % and the middle are labelled


def test_bar_colours_differ_under_deuteranopia_and_protanopia() -> None:
    for deficiency in MACHADO_2009:
        for first, second in itertools.combinations((VERIFIED_COLOUR, WITHIN_COLOUR, BLOCKED_COLOUR), 2):
            assert delta_e(first, second, deficiency) >= 25.0, (deficiency, first.name(), second.name())
