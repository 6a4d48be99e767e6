import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from gbvwatch.analysis.svgmap import project

NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
SQUARE_AT_EQUATOR = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
DONUT = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}
ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[20, 0], [22, 0], [22, 2], [20, 2], [20, 0]]],
        [[[30, 0], [32, 0], [32, 2], [30, 2], [30, 0]]],
    ],
}


def test_square_at_the_equator_stays_square_inside_the_margins() -> None:
    svg = project([SQUARE_AT_EQUATOR], [], 120, margin_px=10)
    assert svg.view_box == "0 0 120 120"
    assert svg.height_px == pytest.approx(120, abs=0.1)


def test_longitude_is_shrunk_by_the_cosine_of_the_middle_latitude() -> None:
    square_at_60n = {
        "type": "Polygon",
        "coordinates": [[[0, 59.5], [1, 59.5], [1, 60.5], [0, 60.5]]],
    }
    svg = project([square_at_60n], [], 100, margin_px=0)
    assert svg.height_px == pytest.approx(100 / math.cos(math.radians(60)), rel=1e-3)


def test_north_is_up_and_points_use_the_same_transform() -> None:
    svg = project([SQUARE_AT_EQUATOR], [(0.0, 1.0), (1.0, 0.0), (0.5, 0.5)], 120, margin_px=10)
    assert svg.points_xy == ((10.0, 10.0), (110.0, 110.0), (60.0, 60.0))


def test_points_outside_the_features_widen_the_map() -> None:
    svg = project([SQUARE_AT_EQUATOR], [(3.0, 0.5)], 320, margin_px=10)
    assert svg.points_xy[0] == (310.0, 60.0)


def test_each_ring_becomes_a_closed_subpath() -> None:
    svg = project([DONUT, ISLANDS], [], 400)
    donut_d, islands_d = svg.paths_d
    assert donut_d.count("M") == 2
    assert donut_d.count("Z") == 2
    assert islands_d.count("M") == 2
    assert islands_d.startswith("M")
    assert islands_d.endswith("Z")


def test_coordinates_are_rounded_to_one_decimal_and_never_negative_zero() -> None:
    svg = project([DONUT, ISLANDS], [(5.0, 5.0)], 333)
    numbers = NUMBER.findall(" ".join(svg.paths_d))
    assert numbers
    assert all(re.fullmatch(r"\d+\.\d", n) for n in numbers)
    assert "-0.0" not in " ".join(svg.paths_d)


def test_vertices_merged_by_rounding_are_dropped() -> None:
    wiggly = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1e-9, 0], [10, 0], [10, 10], [0, 10], [0, 0]]],
    }
    svg = project([wiggly], [], 100)
    assert len(NUMBER.findall(svg.paths_d[0])) == 8


def test_fit_maps_lon_lat_back_to_the_same_points() -> None:
    svg = project([DONUT], [(2.5, 7.5)], 500)
    fit = svg.fit
    x, y = svg.points_xy[0]
    assert fit.min_lon + (x - fit.margin_px) / fit.x_px_per_deg == pytest.approx(2.5, abs=0.01)
    assert fit.max_lat - (y - fit.margin_px) / fit.y_px_per_deg == pytest.approx(7.5, abs=0.01)


def test_nothing_to_draw_is_an_error() -> None:
    with pytest.raises(ValueError, match="nothing to project"):
        project([], [], 100)


def test_width_must_leave_room_inside_the_margins() -> None:
    with pytest.raises(ValueError, match="no room"):
        project([SQUARE_AT_EQUATOR], [], 20, margin_px=10)


def district_like_polygons(count: int, vertices_each: int) -> list[dict[str, object]]:
    rng = np.random.default_rng(79)
    polygons: list[dict[str, object]] = []
    for i in range(count):
        centre_lon, centre_lat = 45.0 + (i % 10) * 0.6, 39.0 + (i // 10) * 0.4
        angles = np.linspace(0, 2 * np.pi, vertices_each, endpoint=False)
        radii = 0.2 * (1 + 0.3 * rng.random(vertices_each))
        ring = np.column_stack(
            [centre_lon + radii * np.cos(angles), centre_lat + radii * np.sin(angles)]
        )
        polygons.append({"type": "Polygon", "coordinates": [[*ring.tolist(), ring[0].tolist()]]})
    return polygons


def test_a_country_of_79_districts_projects_every_polygon() -> None:
    # Speed is measured by `make bench` (the map page), never asserted here.
    polygons = district_like_polygons(79, 70)  # 79 x 71 = 5,609 vertices
    svg = project(polygons, [(46.0, 40.0), (49.8, 40.4)], 800)
    assert len(svg.paths_d) == 79 and len(svg.points_xy) == 2


def test_shipped_azerbaijan_districts_project_to_one_path_each() -> None:
    path = Path(__file__).resolve().parents[2] / "datasets" / "az" / "az_adm2_boundaries.geojson"
    geometries = [feature["geometry"] for feature in json.loads(path.read_text())["features"]]
    svg = project(geometries, [(49.8671, 40.4093)], 800)
    assert len(svg.paths_d) == len(geometries) == 79
    assert all(d.startswith("M") for d in svg.paths_d)
