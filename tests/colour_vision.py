"""Colour-vision deficiency simulation for tests: Machado, Oliveira & Fernandes (2009), severity 1.0.

The matrices act on linear RGB ("A Physiologically-based Model for Simulation of Color Vision Deficiency",
IEEE TVCG 15(6), table of severity 1.0); distances are CIE76 ΔE in CIELAB (D65).
"""

from __future__ import annotations

import math

from PySide6.QtGui import QColor

Matrix = tuple[tuple[float, float, float], tuple[float, float, float], tuple[float, float, float]]
MACHADO_2009: dict[str, Matrix] = {
    "normal": ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
}


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def simulated_lab(colour: QColor, deficiency: str) -> tuple[float, float, float]:
    """CIELAB of ``colour`` as seen with ``deficiency`` (a key of MACHADO_2009)."""
    rgb = [_linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF())]
    r, g, b = (min(1.0, max(0.0, sum(w * c for w, c in zip(row, rgb, strict=True))))
               for row in MACHADO_2009[deficiency])
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def delta_e(first: QColor, second: QColor, deficiency: str) -> float:
    """CIE76 colour difference of two colours as seen with ``deficiency``."""
    return math.dist(simulated_lab(first, deficiency), simulated_lab(second, deficiency))
