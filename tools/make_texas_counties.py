"""Build ``resources/texas_counties.json``, the county map's shapes, from vega-datasets' ``data/us-10m.json``.

Run once, by hand, from the repository root (the application never needs the source file):

    python tools/make_texas_counties.py path/to/us-10m.json [resources/texas_counties.json]

``us-10m.json`` (npm package ``vega-datasets``; US Census cartographic boundaries redistributed as TopoJSON,
licence and attribution in ``resources/texas_counties.LICENSE``) holds every US county in ``objects.counties``,
keyed by its numeric FIPS code. This script keeps the 254 Texas counties (48001-48507, odd), decodes their
quantized, delta-encoded arcs, projects them with the Texas-centric Albers equal-area projection (the one
Texas state agencies map with), lightly simplifies each shared arc once (so neighbouring counties keep
exactly the same border) and writes integer map coordinates, y pointing down, with each county's SOS name.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

Point = tuple[float, float]

TEXAS_STATE_FIPS = 48
COUNTY_COUNT = 254
MAP_WIDTH = 1000  # map units across Texas; the height follows from the projection
SIMPLIFY_TOLERANCE = 0.5  # map units: a point closer than this to the simplified line is dropped
# Texas Centric Albers Equal Area (EPSG:3083): standard parallels, latitude of origin, central meridian.
ALBERS = {"parallel_1": 27.5, "parallel_2": 35.0, "origin_lat": 18.0, "central_lon": -100.0}
PROJECTION_NAME = "Texas Centric Albers Equal Area (EPSG:3083 parameters), scaled to the map box, y down"


class TopologyError(ValueError):
    """The TopoJSON is not what this script expects (with what is wrong in the message)."""


def census_sort_key(sos_name: str) -> str:
    """The order the Census gave county FIPS codes in: alphabetical by letters, ``Mc`` read as ``Mac``.

    So McCulloch (48307), McLennan and McMullen come before Madison (48313); the SOS ids of
    ``domain/counties.py`` sort Madison first, which is why a FIPS code is not simply 2 * id - 1.
    """
    letters = "".join(ch for ch in sos_name.upper() if ch.isalpha())
    return "MAC" + letters[2:] if letters.startswith("MC") else letters


def texas_fips_names(sos_names: Sequence[str]) -> dict[int, str]:
    """FIPS code -> SOS name for the 254 counties: 48001, 48003, ... in the Census order."""
    if len(sos_names) != COUNTY_COUNT:
        raise TopologyError(f"expected {COUNTY_COUNT} county names, got {len(sos_names)}")
    ordered = sorted(sos_names, key=census_sort_key)
    return {TEXAS_STATE_FIPS * 1000 + 2 * index + 1: name for index, name in enumerate(ordered)}


def decode_arcs(topology: Mapping[str, Any]) -> list[list[Point]]:
    """Every arc as absolute (longitude, latitude): delta-decoded and transformed when the file is quantized."""
    arcs = topology.get("arcs")
    if not isinstance(arcs, list):
        raise TopologyError("the TopoJSON has no 'arcs' list")
    transform = topology.get("transform")
    if transform is None:
        return [[(float(x), float(y)) for x, y, *_ in arc] for arc in arcs]
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    decoded: list[list[Point]] = []
    for arc in arcs:
        x = y = 0
        points: list[Point] = []
        for dx, dy, *_ in arc:
            x, y = x + dx, y + dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        decoded.append(points)
    return decoded


def albers(lon: float, lat: float) -> Point:
    """Albers equal-area conic on the unit sphere, x east, y north."""
    phi1, phi2 = math.radians(ALBERS["parallel_1"]), math.radians(ALBERS["parallel_2"])
    n = (math.sin(phi1) + math.sin(phi2)) / 2
    c = math.cos(phi1) ** 2 + 2 * n * math.sin(phi1)
    rho0 = math.sqrt(c - 2 * n * math.sin(math.radians(ALBERS["origin_lat"]))) / n
    rho = math.sqrt(c - 2 * n * math.sin(math.radians(lat))) / n
    theta = n * math.radians(lon - ALBERS["central_lon"])
    return rho * math.sin(theta), rho0 - rho * math.cos(theta)


def simplify(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker; the end points always stay. A closed arc (an island) is cut in three at fixed points,
    so it keeps an area however far it is simplified."""
    if len(points) < 3:
        return list(points)
    if points[0] == points[-1] and len(points) >= 4:
        one, two = len(points) // 3, 2 * len(points) // 3
        return (simplify(points[: one + 1], tolerance)[:-1] + simplify(points[one: two + 1], tolerance)[:-1]
                + simplify(points[two:], tolerance))
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        length = math.hypot(bx - ax, by - ay)
        farthest, distance = first, 0.0
        for index in range(first + 1, last):
            px, py = points[index]
            if length:
                gap = abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length
            else:
                gap = math.hypot(px - ax, py - ay)
            if gap > distance:
                farthest, distance = index, gap
        if distance > tolerance:
            keep[farthest] = True
            stack += [(first, farthest), (farthest, last)]
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _rings_of(geometry: Mapping[str, Any]) -> list[list[int]]:
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["arcs"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["arcs"] for ring in polygon]
    raise TopologyError(f"county {geometry.get('id')}: a {kind!r} is not a polygon")


def _ring(arc_indexes: Sequence[int], arcs: Mapping[int, Sequence[tuple[int, int]]]) -> list[tuple[int, int]]:
    """Stitch a ring from its arcs (``~i``: arc i reversed); each arc after the first repeats its joint point."""
    ring: list[tuple[int, int]] = []
    for index in arc_indexes:
        arc = list(arcs[index]) if index >= 0 else list(reversed(arcs[~index]))
        ring.extend(arc if not ring else arc[1:])
    deduplicated = [point for i, point in enumerate(ring) if i == 0 or point != ring[i - 1]]
    if len(deduplicated) > 1 and deduplicated[0] == deduplicated[-1]:
        deduplicated.pop()  # rings are stored open; the map closes them
    return deduplicated


def build_resource(topology: Mapping[str, Any], names_by_fips: Mapping[int, str], *,
                   width: int = MAP_WIDTH, tolerance: float = SIMPLIFY_TOLERANCE) -> dict[str, Any]:
    """The resource: every county of ``names_by_fips`` (all must be in the topology) as integer map rings."""
    try:
        geometries = topology["objects"]["counties"]["geometries"]
    except (KeyError, TypeError) as missing:
        raise TopologyError("the TopoJSON has no objects.counties.geometries") from missing
    wanted = {int(g["id"]): g for g in geometries if "id" in g and int(g["id"]) in names_by_fips}
    absent = sorted(set(names_by_fips) - set(wanted))
    if absent:
        raise TopologyError(f"{len(absent)} counties are not in the TopoJSON, e.g. FIPS {absent[:5]}")
    lonlat = decode_arcs(topology)
    used = sorted({i if i >= 0 else ~i for g in wanted.values() for ring in _rings_of(g) for i in ring})
    projected = {i: [albers(lon, lat) for lon, lat in lonlat[i]] for i in used}
    xs = [x for arc in projected.values() for x, _ in arc]
    ys = [y for arc in projected.values() for _, y in arc]
    left, top = min(xs), max(ys)
    scale = width / (max(xs) - left)
    height = math.ceil((top - min(ys)) * scale)
    arcs: dict[int, list[tuple[int, int]]] = {}
    for i, arc in projected.items():
        on_map = [((x - left) * scale, (top - y) * scale) for x, y in arc]
        arcs[i] = [(round(x), round(y)) for x, y in simplify(on_map, tolerance)]
    counties = []
    for fips in sorted(wanted):
        rings = [_ring(ring, arcs) for ring in _rings_of(wanted[fips])]
        rings = [ring for ring in rings if len(ring) >= 3]
        if not rings:
            raise TopologyError(f"county {fips} ({names_by_fips[fips]}) has no ring left after simplifying")
        counties.append({"fips": fips, "name": names_by_fips[fips],
                         "rings": [[value for point in ring for value in point] for ring in rings]})
    return {"projection": PROJECTION_NAME, "width": width, "height": height, "counties": counties}


def render(resource: Mapping[str, Any], source_sha1: str) -> str:
    """The resource's text: stable key order, one county a line (readable diffs when regenerated)."""
    head = {"source": "vega-datasets data/us-10m.json", "source_sha1": source_sha1,
            "licence": "texas_counties.LICENSE", **{k: v for k, v in resource.items() if k != "counties"}}
    lines = [json.dumps(county, separators=(",", ":")) for county in resource["counties"]]
    return json.dumps(head, separators=(",", ":"))[:-1] + ',"counties":[\n' + ",\n".join(lines) + "\n]}\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="vega-datasets data/us-10m.json")
    parser.add_argument("output", type=Path, nargs="?",
                        default=Path(__file__).resolve().parents[1] / "resources" / "texas_counties.json")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from turnout_desktop.domain.counties import all_counties

    raw = args.source.read_bytes()
    resource = build_resource(json.loads(raw), texas_fips_names([c.sos_name for c in all_counties()]))
    args.output.write_text(render(resource, hashlib.sha1(raw).hexdigest()), encoding="utf-8")
    print(f"{args.output}: {len(resource['counties'])} counties, {args.output.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
