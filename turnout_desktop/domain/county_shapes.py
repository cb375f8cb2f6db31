"""The shapes of the 254 Texas counties for the county map, read from ``resources/texas_counties.json``.

That file is generated once by ``tools/make_texas_counties.py`` from US Census boundaries (licence and
attribution in ``resources/texas_counties.LICENSE``): integer map coordinates in a ``width`` x ``height``
box, y pointing down, each county named by its SOS name as ``domain/counties.py`` spells it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache

from turnout_desktop.resources_path import resource_path

SHAPES_RESOURCE = "texas_counties.json"

Ring = tuple[tuple[int, int], ...]


@dataclass(frozen=True, slots=True)
class CountyShape:
    """One county: its SOS name, Census FIPS code and outline rings (islands are extra rings)."""

    name: str
    fips: int
    rings: tuple[Ring, ...]


@dataclass(frozen=True, slots=True)
class CountyShapes:
    """All counties and the size of the box their coordinates lie in."""

    width: int
    height: int
    counties: tuple[CountyShape, ...]


def parse_shapes(text: str) -> CountyShapes:
    """The shapes in the resource's JSON text (flat ``[x0, y0, x1, y1, ...]`` rings).

    Raises:
        ValueError: the text is not a shapes resource (what is wrong is in the message).
    """
    data = json.loads(text)
    try:
        width, height = int(data["width"]), int(data["height"])
        counties = tuple(
            CountyShape(str(county["name"]), int(county["fips"]),
                        tuple(tuple(zip(ring[0::2], ring[1::2], strict=True)) for ring in county["rings"]))
            for county in data["counties"])
    except (KeyError, TypeError, ValueError) as broken:
        raise ValueError(f"{SHAPES_RESOURCE} is not a county shapes file: {broken}") from broken
    return CountyShapes(width, height, counties)


@cache
def county_shapes() -> CountyShapes:
    """The bundled shapes (read once)."""
    return parse_shapes(resource_path(SHAPES_RESOURCE).read_text(encoding="utf-8"))
