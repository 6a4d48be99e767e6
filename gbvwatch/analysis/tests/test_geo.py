import math

import numpy as np
import pytest

from gbvwatch.analysis.geo import (
    EARTH_RADIUS_KM,
    BBox,
    bbox,
    distance_matrix_km,
    geometry_contains,
    haversine_km,
    locate,
    points_in_geometry,
)

# A 10 x 10 degree square with a 2 x 2 hole in the middle, and an island to its east.
SQUARE_WITH_HOLE = {
    "type": "Polygon",
    "coordinates": [
        [[0, 0], [10, 0], [10, 10], [0, 10], [0, 0]],
        [[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]],
    ],
}
TWO_ISLANDS = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[20, 0], [22, 0], [22, 2], [20, 2], [20, 0]]],
        [[[30, 0], [32, 0], [32, 2], [30, 2], [30, 0]]],
    ],
}
HOLE_FILLER = {"type": "Polygon", "coordinates": [[[4, 4], [6, 4], [6, 6], [4, 6], [4, 4]]]}


def test_one_degree_of_latitude_is_about_111_km() -> None:
    assert haversine_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)


def test_antipodes_are_half_the_circumference_apart() -> None:
    assert haversine_km(0.0, 0.0, 0.0, 180.0) == pytest.approx(math.pi * EARTH_RADIUS_KM)


def test_baku_to_ganja_is_about_300_km() -> None:
    assert haversine_km(40.4093, 49.8671, 40.6828, 46.3606) == pytest.approx(297, abs=3)


def test_haversine_returns_a_float_for_scalars() -> None:
    assert isinstance(haversine_km(40.0, 49.0, 41.0, 48.0), float)


def test_haversine_broadcasts_arrays() -> None:
    lats = np.array([[0.0], [1.0], [2.0]])
    lons = np.array([[0.0, 1.0, 2.0, 3.0]])
    distances = haversine_km(lats, 0.0, 0.0, lons)
    assert distances.shape == (3, 4)
    assert distances[0, 0] == 0.0
    assert distances[1, 0] == pytest.approx(haversine_km(1.0, 0.0, 0.0, 0.0))


def test_distance_matrix_has_one_row_per_a_and_column_per_b() -> None:
    matrix = distance_matrix_km([40.4, 40.7], [49.9, 46.4], [40.4, 40.7, 41.0], [49.9, 46.4, 47.0])
    assert matrix.shape == (2, 3)
    assert matrix[0, 0] == 0.0
    assert matrix[1, 1] == 0.0
    assert matrix[0, 1] == pytest.approx(matrix[1, 0])


def test_polygon_contains_points_inside_but_not_in_its_hole_or_outside() -> None:
    assert geometry_contains(SQUARE_WITH_HOLE, 1.0, 1.0)
    assert not geometry_contains(SQUARE_WITH_HOLE, 5.0, 5.0)
    assert not geometry_contains(SQUARE_WITH_HOLE, 11.0, 5.0)
    assert not geometry_contains(SQUARE_WITH_HOLE, 5.0, -0.5)


def test_multipolygon_contains_points_in_any_of_its_parts() -> None:
    assert geometry_contains(TWO_ISLANDS, 21.0, 1.0)
    assert geometry_contains(TWO_ISLANDS, 31.0, 1.0)
    assert not geometry_contains(TWO_ISLANDS, 25.0, 1.0)


def test_unclosed_rings_and_feature_wrappers_are_accepted() -> None:
    triangle = {"type": "Polygon", "coordinates": [[[0, 0], [4, 0], [0, 4]]]}
    feature = {"type": "Feature", "properties": {}, "geometry": triangle}
    assert geometry_contains(feature, 1.0, 1.0)
    assert not geometry_contains(feature, 3.0, 3.0)


def test_points_in_geometry_agrees_with_one_point_at_a_time() -> None:
    rng = np.random.default_rng(7)
    lons, lats = rng.uniform(-2, 12, 500), rng.uniform(-2, 12, 500)
    vectorised = points_in_geometry(SQUARE_WITH_HOLE, lons, lats)
    one_by_one = [
        geometry_contains(SQUARE_WITH_HOLE, x, y) for x, y in zip(lons, lats, strict=True)
    ]
    assert vectorised.tolist() == one_by_one


def test_non_areal_geometry_is_rejected() -> None:
    with pytest.raises(ValueError, match="Point"):
        geometry_contains({"type": "Point", "coordinates": [0, 0]}, 0.0, 0.0)


def test_bbox_spans_all_parts_of_a_multipolygon() -> None:
    assert bbox(TWO_ISLANDS) == BBox(min_lon=20.0, min_lat=0.0, max_lon=32.0, max_lat=2.0)


def test_locate_reports_the_containing_feature() -> None:
    located = locate([(31.0, 1.0), (1.0, 1.0)], [SQUARE_WITH_HOLE, TWO_ISLANDS])
    assert located.feature_index.tolist() == [1, 0]
    assert located.method == ("contains", "contains")
    assert located.nearest_vertex_km.tolist() == [0.0, 0.0]


def test_locate_puts_a_point_in_a_hole_into_the_feature_filling_it() -> None:
    located = locate([(5.0, 5.0)], [SQUARE_WITH_HOLE, HOLE_FILLER])
    assert located.feature_index.tolist() == [1]


def test_locate_falls_back_to_the_feature_with_the_nearest_vertex() -> None:
    located = locate(np.array([[29.0, 1.9], [10.5, 10.0]]), [SQUARE_WITH_HOLE, TWO_ISLANDS])
    assert located.feature_index.tolist() == [1, 0]
    assert located.method == ("nearest_vertex", "nearest_vertex")
    assert located.nearest_vertex_km[1] == pytest.approx(haversine_km(10.0, 10.5, 10.0, 10.0))


def test_locate_needs_features() -> None:
    with pytest.raises(ValueError, match="at least one feature"):
        locate([(0.0, 0.0)], [])
