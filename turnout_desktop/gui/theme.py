"""Colours derived from the application palette: status rows, status marks, quality-bar text.

Nothing here is a fixed light colour. Each status has an accent from the Okabe-Ito colour-blind-safe set
(verified bluish green, within sky blue, escalated yellow, failed vermillion: four hues that stay apart under
deuteranopia and protanopia); a row's background is that accent blended into the palette's ``Base`` only as
far as the palette's ``Text`` keeps a WCAG contrast of at least 4.5 on it. So a dark system theme gets dark
tinted rows with light text, a light theme light rows with dark text, and the colour never carries meaning
alone: every status cell also shows the status's mark (``domain/labels.py`` ``status_mark``) as an icon.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPainter, QPalette, QPen, QPixmap

from turnout_desktop.domain.display import DisplayStatus
from turnout_desktop.domain.labels import status_mark

MIN_CONTRAST = 4.5  # WCAG AA for normal text
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
OKABE_ITO = {
    "orange": "#e69f00", "sky_blue": "#56b4e9", "bluish_green": "#009e73", "yellow": "#f0e442",
    "blue": "#0072b2", "vermillion": "#d55e00", "reddish_purple": "#cc79a7", "grey": "#999999",
}
STATUS_ACCENTS: Mapping[str, str] = {
    DisplayStatus.VERIFIED: OKABE_ITO["bluish_green"],
    DisplayStatus.WITHIN: OKABE_ITO["sky_blue"],
    DisplayStatus.IN_PROGRESS: OKABE_ITO["orange"],
    DisplayStatus.ESCALATED: OKABE_ITO["yellow"],
    DisplayStatus.FAILED: OKABE_ITO["vermillion"],
    DisplayStatus.OVERRIDDEN: OKABE_ITO["reddish_purple"],
    DisplayStatus.NO_UPLOAD: OKABE_ITO["grey"],
}
# How much accent a row takes at most; light rows need more to show, grey rows (no upload) less to stay quiet.
_TINT = {True: 0.55, False: 0.45}  # keyed by "the palette is dark"
_NO_UPLOAD_TINT = 0.25
# The upload quality bar's segments: solid fills, so they differ by lightness as well as by hue.
QUALITY_COLOURS = (("valid", OKABE_ITO["blue"]), ("repaired", OKABE_ITO["yellow"]),
                   ("error", OKABE_ITO["vermillion"]), ("empty", OKABE_ITO["grey"]))
_ICON_SIZE = 16


def relative_luminance(colour: QColor) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return (0.2126 * linear(colour.redF()) + 0.7152 * linear(colour.greenF())
            + 0.0722 * linear(colour.blueF()))


def contrast_ratio(first: QColor, second: QColor) -> float:
    """WCAG 2 contrast ratio (1 .. 21) between two colours."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def blend(base: QColor, accent: QColor, amount: float) -> QColor:
    """``amount`` of ``accent`` over ``base`` (0: base, 1: accent), rounded to 8-bit channels."""
    return QColor(*(round(b * (1.0 - amount) + a * amount) for b, a in
                    ((base.red(), accent.red()), (base.green(), accent.green()), (base.blue(), accent.blue()))))


def current_palette() -> QPalette:
    return QGuiApplication.palette()


def is_dark(palette: QPalette) -> bool:
    """A dark theme: the view background is darker than its text."""
    return relative_luminance(palette.color(QPalette.ColorRole.Base)) < relative_luminance(
        palette.color(QPalette.ColorRole.Text))


def _palette_key(palette: QPalette) -> tuple[int, int]:
    return palette.color(QPalette.ColorRole.Base).rgba(), palette.color(QPalette.ColorRole.Text).rgba()


@lru_cache(maxsize=128)
def _tint(accent_name: str, amount: float | None, base_rgba: int, text_rgba: int) -> str:
    base, text, accent = QColor.fromRgba(base_rgba), QColor.fromRgba(text_rgba), QColor(accent_name)
    if amount is None:
        amount = _TINT[relative_luminance(base) < relative_luminance(text)]
    colour = blend(base, accent, amount)
    while amount > 0 and contrast_ratio(colour, text) < MIN_CONTRAST:  # fade towards Base until readable
        amount = max(0.0, amount - 0.02)
        colour = blend(base, accent, amount)
    return colour.name()


def tinted(accent: str, palette: QPalette | None = None, *, amount: float | None = None) -> QColor:
    """``accent`` blended into the palette's Base (at most ``amount``, default by light/dark) so Text stays readable."""
    return QColor(_tint(accent, amount, *_palette_key(palette or current_palette())))


def status_background(category: str, palette: QPalette | None = None) -> QColor:
    """The row background of a display state under ``palette`` (default: the application's)."""
    amount = _NO_UPLOAD_TINT if category == DisplayStatus.NO_UPLOAD else None
    return tinted(STATUS_ACCENTS[category], palette, amount=amount)


def text_on(fill: QColor, palette: QPalette | None = None) -> QColor:
    """The palette's text colour on ``fill`` when it is readable there, else black or white, whichever reads."""
    text = (palette or current_palette()).color(QPalette.ColorRole.Text)
    if contrast_ratio(text, fill) >= MIN_CONTRAST:
        return text
    black, white = QColor("black"), QColor("white")
    return black if contrast_ratio(black, fill) >= contrast_ratio(white, fill) else white


class PaletteStatusColours(Mapping[str, str]):
    """``STATUS_COLOURS[category]``: the row colour (``#rrggbb``) under the application's palette *now*.

    Read at paint time, so a palette change (the system switching to dark) shows on the next repaint.
    """

    def __getitem__(self, category: str) -> str:
        if category not in STATUS_ACCENTS:
            raise KeyError(category)
        return status_background(category).name()

    def __iter__(self) -> Iterator[str]:
        return iter(STATUS_ACCENTS)

    def __len__(self) -> int:
        return len(STATUS_ACCENTS)


@lru_cache(maxsize=64)
def _status_icon(category: str, base_rgba: int, text_rgba: int, ratio: float) -> QIcon:
    accent = QColor(STATUS_ACCENTS[category])
    pixmap = QPixmap(round(_ICON_SIZE * ratio), round(_ICON_SIZE * ratio))
    pixmap.setDevicePixelRatio(ratio)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor.fromRgba(text_rgba), 1.0))  # the ring shows the disc on any row colour
        painter.setBrush(accent)
        painter.drawEllipse(QRectF(1.0, 1.0, _ICON_SIZE - 2.0, _ICON_SIZE - 2.0))
        font = QFont()
        font.setBold(True)
        font.setPixelSize(11)
        painter.setFont(font)
        painter.setPen(text_on(accent, _palette_with(base_rgba, text_rgba)))
        painter.drawText(QRectF(QPointF(0, 0), QPointF(_ICON_SIZE, _ICON_SIZE)),
                         int(Qt.AlignmentFlag.AlignCenter), status_mark(category))
    finally:
        painter.end()
    return QIcon(pixmap)


def _palette_with(base_rgba: int, text_rgba: int) -> QPalette:
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Base, QColor.fromRgba(base_rgba))
    palette.setColor(QPalette.ColorRole.Text, QColor.fromRgba(text_rgba))
    return palette


def status_icon(category: str) -> QIcon:
    """A disc in the status's accent with its mark (✓ ! ✕ ...): the status without relying on colour."""
    app = QGuiApplication.instance()
    ratio = app.devicePixelRatio() if isinstance(app, QGuiApplication) else 1.0
    return _status_icon(str(category), *_palette_key(current_palette()), float(ratio))


def _readable(colour: QColor, background: QColor, toward: QColor) -> QColor:
    """``colour`` moved toward ``toward`` (the text colour) until it reads on ``background``."""
    amount = 0.0
    result = QColor(colour)
    while amount < 1.0 and contrast_ratio(result, background) < MIN_CONTRAST:
        amount = min(1.0, amount + 0.05)
        result = blend(colour, toward, amount)
    return result


def stylesheet_colours(palette: QPalette | None = None) -> dict[str, str]:
    """The ``@name`` colours ``resources/style.qss`` uses, for ``palette``: panels, captions, banners, problems."""
    palette = palette or current_palette()
    window = palette.color(QPalette.ColorRole.Window)
    window_text = palette.color(QPalette.ColorRole.WindowText)
    base, text = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    return {
        "panel_background": blend(window, window_text, 0.04).name(),
        "panel_border": blend(window, window_text, 0.2).name(),
        "caption_text": _readable(blend(window_text, window, 0.35), blend(window, window_text, 0.04),
                                  window_text).name(),
        "banner_background": tinted(OKABE_ITO["yellow"], palette, amount=0.3).name(),
        "banner_border": OKABE_ITO["orange"],
        "next_step_background": tinted(OKABE_ITO["sky_blue"], palette, amount=0.25).name(),
        "problem_text": _readable(QColor(OKABE_ITO["vermillion"]), window, window_text).name(),
        "grid_line": blend(base, text, 0.15).name(),
    }


def themed_stylesheet(template: str, palette: QPalette | None = None) -> str:
    """``template`` with each ``@name`` colour replaced by its value under ``palette`` (longest names first)."""
    for name, value in sorted(stylesheet_colours(palette).items(), key=lambda item: -len(item[0])):
        template = template.replace(f"@{name}", value)
    return template


def dark_palette() -> QPalette:
    """A dark palette (Fusion's colours, as Qt's dark scheme uses): for ``--dark`` screenshots and tests."""
    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#323232"), (roles.WindowText, "#f0f0f0"), (roles.Base, "#1e1e1e"),
                         (roles.AlternateBase, "#2a2a2a"), (roles.Text, "#f0f0f0"), (roles.Button, "#3c3c3c"),
                         (roles.ButtonText, "#f0f0f0"), (roles.ToolTipBase, "#3c3c3c"),
                         (roles.ToolTipText, "#f0f0f0"), (roles.PlaceholderText, "#a0a0a0"),
                         (roles.Highlight, "#2f65ca"), (roles.HighlightedText, "#ffffff"), (roles.Link, "#8ab4f8"),
                         (roles.Light, "#505050"), (roles.Midlight, "#404040"), (roles.Mid, "#2c2c2c"),
                         (roles.Dark, "#1a1a1a"), (roles.Shadow, "#000000")):
        palette.setColor(role, QColor(colour))
    return palette
