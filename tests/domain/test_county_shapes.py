"""The county map's shapes: the bundled resource holds the 254 counties of ``domain/counties.py``, and
``tools/make_texas_counties.py`` decodes TopoJSON (quantized, delta-encoded, shared and reversed arcs) into it."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

from turnout_desktop.domain.counties import all_counties
from turnout_desktop.domain.county_shapes import county_shapes, parse_shapes
from turnout_desktop.resources_path import resource_path

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location("make_texas_counties", ROOT / "tools" / "make_texas_counties.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("make_texas_counties", module)
    spec.loader.exec_module(module)
    return module


make = _script()


def test_the_resource_has_the_254_counties_of_the_county_list() -> None:
    shapes = county_shapes()
    assert len(shapes.counties) == 254
    assert sorted(c.name for c in shapes.counties) == sorted(c.sos_name for c in all_counties())
    assert len({c.fips for c in shapes.counties}) == 254
    assert {c.fips for c in shapes.counties} == set(range(48001, 48508, 2))


def test_every_polygon_is_non_empty_and_inside_the_box() -> None:
    shapes = county_shapes()
    for county in shapes.counties:
        assert county.rings, county.name
        for ring in county.rings:
            assert len(set(ring)) >= 3, county.name
            assert all(0 <= x <= shapes.width and 0 <= y <= shapes.height for x, y in ring), county.name
            twice_area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
            assert twice_area != 0, county.name


def test_the_resource_is_small_and_names_its_licence() -> None:
    path = resource_path("texas_counties.json")
    assert path.stat().st_size < 300_000
    head = json.loads(path.read_text(encoding="utf-8"))
    licence = resource_path(head["licence"]).read_text(encoding="utf-8")
    assert "BSD" in licence and "vega-datasets" in licence and "Census" in licence


def _centre(name: str) -> tuple[float, float]:
    (shape,) = [c for c in county_shapes().counties if c.name == name]
    points = [p for ring in shape.rings for p in ring]
    return sum(x for x, _ in points) / len(points), sum(y for _, y in points) / len(points)


def test_counties_sit_where_they_are() -> None:
    """The FIPS -> name mapping is right: El Paso is the far west, Orange the east, Cameron the south,
    Dallam the north-west corner (y grows southwards)."""
    centres = {c.name: _centre(c.name) for c in county_shapes().counties}
    assert min(centres, key=lambda n: centres[n][0]) == "EL PASO"
    assert max(centres, key=lambda n: centres[n][0]) in {"ORANGE", "NEWTON", "JEFFERSON", "SABINE"}
    assert max(centres, key=lambda n: centres[n][1]) == "CAMERON"
    assert min(centres, key=lambda n: centres[n][1] + centres[n][0] * 0.1) == "DALLAM"


def test_fips_follow_the_census_order_where_it_differs_from_the_sos_ids() -> None:
    names = make.texas_fips_names([c.sos_name for c in all_counties()])
    by_name = {name: fips for fips, name in names.items()}
    assert by_name["ANDERSON"] == 48001 and by_name["ZAVALA"] == 48507
    assert (by_name["MCCULLOCH"], by_name["MCLENNAN"], by_name["MCMULLEN"], by_name["MADISON"]) == (
        48307, 48309, 48311, 48313)
    assert (by_name["DEAF SMITH"], by_name["DEWITT"], by_name["ELLIS"], by_name["EL PASO"]) == (
        48117, 48123, 48139, 48141)
    assert (by_name["HARRIS"], by_name["KENT"], by_name["LOVING"], by_name["TRAVIS"]) == (48201, 48263, 48301, 48453)


# Two unit squares side by side sharing their middle edge (arc 1), quantized with a transform: county 48001
# walks arcs 0 then 1; county 48003 walks arc 1 reversed (~1 == -2) then arc 2.
TINY = {
    "type": "Topology",
    "transform": {"scale": [0.5, 0.25], "translate": [-101.0, 30.0]},
    "objects": {"counties": {"type": "GeometryCollection", "geometries": [
        {"type": "Polygon", "id": 48001, "arcs": [[0, 1]]},
        {"type": "MultiPolygon", "id": "48003", "arcs": [[[-2, 2]]]},
        {"type": "Polygon", "id": 22001, "arcs": [[3]]},
    ]}},
    "arcs": [
        [[2, 4], [-2, 0], [0, -4], [2, 0]],  # (2,4) (0,4) (0,0) (2,0): the left square but its shared edge
        [[2, 0], [0, 4]],  # (2,0) (2,4): the shared edge, upwards
        [[2, 0], [2, 0], [0, 4], [-2, 0]],  # (2,0) (4,0) (4,4) (2,4)
        [[9, 9], [1, 0], [0, 1], [-1, 0], [0, -1]],  # another state's county
    ],
}
TINY_NAMES = {48001: "LEFT", 48003: "RIGHT"}


def test_arcs_are_delta_decoded_and_transformed() -> None:
    arcs = make.decode_arcs(TINY)
    assert arcs[0] == [(-100.0, 31.0), (-101.0, 31.0), (-101.0, 30.0), (-100.0, 30.0)]
    assert arcs[1] == [(-100.0, 30.0), (-100.0, 31.0)]


def test_the_tiny_topology_becomes_two_squares_sharing_one_border() -> None:
    resource = make.build_resource(TINY, TINY_NAMES, width=100)
    shapes = parse_shapes(make.render(resource, "sha"))
    assert [(c.fips, c.name) for c in shapes.counties] == [(48001, "LEFT"), (48003, "RIGHT")]
    left, right = (c.rings[0] for c in shapes.counties)
    assert len(left) == len(right) == 4
    assert max(x for x, _ in left) == min(x for x, _ in right) == 50  # the shared border, in the middle
    shared = set(left) & set(right)
    assert len(shared) == 2 and {x for x, _ in shared} == {50}
    assert min(x for x, _ in left) == 0 and max(x for x, _ in right) == 100
    # Two degrees of longitude by one of latitude: near 30N a degree of longitude is about 0.86 of one of
    # latitude, so the box is 100 wide and about 100 / (2 * 0.86) high.
    assert 55 <= shapes.height <= 61


def test_rendering_is_reproducible() -> None:
    first = make.render(make.build_resource(TINY, TINY_NAMES), "sha")
    again = make.render(make.build_resource(json.loads(json.dumps(TINY)), dict(TINY_NAMES)), "sha")
    assert first == again


def test_the_script_writes_the_resource_file(tmp_path: Path) -> None:
    source, out = tmp_path / "us-10m.json", tmp_path / "texas.json"
    counties = TINY["objects"]["counties"]["geometries"]
    names = make.texas_fips_names([c.sos_name for c in all_counties()])
    # Every Texas county gets the left square: the script insists on all 254.
    topology = {**TINY, "objects": {"counties": {"type": "GeometryCollection", "geometries": [
        {**counties[0], "id": fips} for fips in names]}}}
    source.write_text(json.dumps(topology), encoding="utf-8")
    assert make.main([str(source), str(out)]) == 0
    shapes = parse_shapes(out.read_text(encoding="utf-8"))
    assert sorted(c.name for c in shapes.counties) == sorted(c.sos_name for c in all_counties())


def test_a_missing_county_is_a_clear_error() -> None:
    with pytest.raises(make.TopologyError, match=r"1 counties are not in the TopoJSON, e.g. FIPS \[48005\]"):
        make.build_resource(TINY, {**TINY_NAMES, 48005: "ABSENT"})
    with pytest.raises(make.TopologyError, match="no objects.counties"):
        make.build_resource({"arcs": []}, TINY_NAMES)


def test_simplify_keeps_end_points_and_drops_only_near_points() -> None:
    line = [(0.0, 0.0), (1.0, 0.1), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    assert make.simplify(line, 0.5) == [(0.0, 0.0), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
    closed = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)]
    assert len(set(make.simplify(closed, 10.0))) >= 3  # a closed ring keeps an area
