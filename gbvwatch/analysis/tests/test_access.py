import math

import numpy as np
import pytest

from gbvwatch.analysis.access import (
    EARTH_RADIUS_KM,
    RoadGraphError,
    nearest_services,
    nearest_services_bruteforce,
    nearest_services_by_road,
    road_graph_from_csv,
    women_beyond_km,
)
from gbvwatch.analysis.geo import haversine_km

ONE_DEGREE_KM = 2 * math.pi * EARTH_RADIUS_KM / 360  # 111.195 km along the equator
BOTH = pytest.mark.parametrize("find", [nearest_services, nearest_services_bruteforce])

# A-B-C-D is a road along the equator; E-F is a road nobody can drive to from A; G stands alone.
NODES = """id,lat,lon
A,0,0
B,0,1
C,0,2
D,0,3
E,0.5,0
F,0.5,0.5
G,10,10
"""
EDGES = """from,to,km
A,B,120
B,C,130
C,D,100
E,F,
"""


def test_one_degree_of_longitude_at_the_equator_is_111_195_km() -> None:
    assert abs(ONE_DEGREE_KM - 111.195) < 1e-3


@BOTH
def test_each_point_gets_its_nearest_service(find) -> None:
    result = find([0, 0, 0], [0, 1, 2.4], ["main"] * 3, [0, 0], [0, 3], ["main"] * 2, circuity=1.0)
    assert result.service_index.tolist() == [0, 0, 1]
    assert result.straight_km == pytest.approx([0.0, ONE_DEGREE_KM, 0.6 * ONE_DEGREE_KM])
    assert result.road_km == pytest.approx(result.straight_km)


@BOTH
def test_road_km_is_straight_km_times_circuity(find) -> None:
    result = find([0], [1], [1], [0], [0], [1], circuity=1.3)
    assert result.straight_km[0] == pytest.approx(ONE_DEGREE_KM)
    assert result.road_km[0] == pytest.approx(1.3 * ONE_DEGREE_KM)
    assert result.road_km[0] == pytest.approx(144.554, abs=1e-3)


@BOTH
def test_point_on_a_component_without_services_is_unreachable(find) -> None:
    # Nakhchivan is closer to Baku in a straight line than many of Azerbaijan's own villages,
    # but no road goes there without crossing a closed border.
    result = find([39.2, 40.4], [45.4, 49.8], ["nakhchivan", "main"], [40.4], [49.9], ["main"])
    assert result.road_km[0] == math.inf
    assert result.straight_km[0] == math.inf
    assert result.service_index[0] == -1
    assert result.service_index[1] == 0
    assert math.isfinite(result.road_km[1])


@BOTH
def test_zero_services_leave_every_point_unreachable(find) -> None:
    result = find([40, 41], [49, 50], ["main", "main"], [], [], [])
    assert result.road_km.tolist() == [math.inf, math.inf]
    assert result.straight_km.tolist() == [math.inf, math.inf]
    assert result.service_index.tolist() == [-1, -1]
    assert result.service_index.dtype == np.int64


@BOTH
def test_circuity_below_one_is_rejected(find) -> None:
    with pytest.raises(ValueError, match="circuity"):
        find([0], [0], [0], [0], [1], [0], circuity=0.9)


def test_kdtree_agrees_with_brute_force_on_random_points() -> None:
    rng = np.random.default_rng(20241125)
    p_lat, p_lon = rng.uniform(38, 42, 2000), rng.uniform(44, 51, 2000)
    s_lat, s_lon = rng.uniform(38, 42, 50), rng.uniform(44, 51, 50)
    p_comp = rng.choice(["main", "nakhchivan", "island", "nobody"], 2000)
    s_comp = rng.choice(["main", "nakhchivan", "island"], 50)
    fast = nearest_services(p_lat, p_lon, p_comp, s_lat, s_lon, s_comp)
    slow = nearest_services_bruteforce(p_lat, p_lon, p_comp, s_lat, s_lon, s_comp)
    reachable = np.isfinite(slow.road_km)
    assert reachable.sum() > 1000 and (~reachable).sum() > 100
    np.testing.assert_array_equal(fast.service_index, slow.service_index)
    np.testing.assert_array_equal(np.isfinite(fast.road_km), reachable)
    np.testing.assert_allclose(fast.road_km[reachable], slow.road_km[reachable], rtol=0, atol=1e-6)
    np.testing.assert_allclose(
        fast.straight_km[reachable], slow.straight_km[reachable], rtol=0, atol=1e-6
    )


def test_kdtree_agrees_with_brute_force_across_the_globe() -> None:
    rng = np.random.default_rng(7)
    p_lat, p_lon = np.degrees(np.arcsin(rng.uniform(-1, 1, 500))), rng.uniform(-180, 180, 500)
    s_lat, s_lon = np.degrees(np.arcsin(rng.uniform(-1, 1, 20))), rng.uniform(-180, 180, 20)
    fast = nearest_services(p_lat, p_lon, np.zeros(500), s_lat, s_lon, np.zeros(20))
    slow = nearest_services_bruteforce(p_lat, p_lon, np.zeros(500), s_lat, s_lon, np.zeros(20))
    np.testing.assert_array_equal(fast.service_index, slow.service_index)
    np.testing.assert_allclose(fast.straight_km, slow.straight_km, rtol=0, atol=1e-6)


def test_women_beyond_km_counts_unreachable_beyond_every_threshold() -> None:
    beyond = women_beyond_km([10.0, 60.0, 150.0, math.inf], [1.0, 2.0, 3.0, 4.0])
    assert beyond == {50: 9.0, 100: 7.0, 200: 4.0, 300: 4.0}


def test_women_beyond_km_is_strictly_beyond_and_takes_custom_thresholds() -> None:
    assert women_beyond_km([50.0, 50.5], [10, 20], thresholds_km=(50,)) == {50: 20.0}


def test_women_beyond_km_rejects_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="shape"):
        women_beyond_km([1.0, 2.0], [1.0])


def test_road_graph_reads_nodes_edges_and_components() -> None:
    graph = road_graph_from_csv(NODES, EDGES)
    assert graph.node_ids == ("A", "B", "C", "D", "E", "F", "G")
    assert graph.matrix[0, 1] == graph.matrix[1, 0] == 120.0
    # A blank km is the great-circle length of the edge.
    assert graph.matrix[4, 5] == pytest.approx(haversine_km(0.5, 0, 0.5, 0.5))
    labels = graph.components.tolist()
    assert labels[0] == labels[1] == labels[2] == labels[3]
    assert labels[4] == labels[5] != labels[0]
    assert len(set(labels)) == 3


def test_road_graph_keeps_the_shortest_of_parallel_edges() -> None:
    graph = road_graph_from_csv("id,lat,lon\nA,0,0\nB,0,1\n", "from,to,km\nA,B,90\nB,A,80\n")
    assert graph.matrix[0, 1] == graph.matrix[1, 0] == 80.0


def test_road_distance_follows_the_network_from_the_snapped_node() -> None:
    graph = road_graph_from_csv(NODES, EDGES)
    # The point is 0.1 degree north of A; the service sits on D; the service at E is nearer in a
    # straight line but on a road that does not connect to A.
    result = nearest_services_by_road(graph, [0.1], [0.0], [0.0, 0.5], [3.0, 0.0])
    snap_km = 0.1 * ONE_DEGREE_KM
    assert result.service_index.tolist() == [0]
    assert result.road_km[0] == pytest.approx(snap_km * 1.3 + 120 + 130 + 100)
    assert result.road_km[0] == pytest.approx(364.455, abs=1e-3)
    assert result.straight_km[0] == pytest.approx(haversine_km(0.1, 0.0, 0.0, 3.0))


def test_road_distance_adds_the_service_snap_distance() -> None:
    graph = road_graph_from_csv(NODES, EDGES)
    # Service 1 is 0.2 degree south of B: 120 km + its snap beats service 0 on D at 350 km.
    result = nearest_services_by_road(
        graph, [0.0], [0.0], [0.0, -0.2], [3.0, 1.0], snap_circuity=1.0
    )
    assert result.service_index.tolist() == [1]
    assert result.road_km[0] == pytest.approx(120 + 0.2 * ONE_DEGREE_KM)


def test_point_on_a_disconnected_road_component_is_unreachable() -> None:
    graph = road_graph_from_csv(NODES, EDGES)
    result = nearest_services_by_road(graph, [10.0, 0.5], [10.1, 0.6], [0.0], [3.0])
    assert result.road_km[0] == math.inf
    assert result.straight_km[0] == math.inf
    assert result.service_index[0] == -1
    assert result.service_index[1] == -1  # E-F has no service either


def test_road_distance_with_no_services_is_unreachable() -> None:
    graph = road_graph_from_csv(NODES, EDGES)
    result = nearest_services_by_road(graph, [0.0, 1.0], [0.0, 1.0], [], [])
    assert result.road_km.tolist() == [math.inf, math.inf]
    assert result.service_index.tolist() == [-1, -1]


def test_snap_circuity_below_one_is_rejected() -> None:
    graph = road_graph_from_csv(NODES, EDGES)
    with pytest.raises(ValueError, match="snap_circuity"):
        nearest_services_by_road(graph, [0], [0], [0], [3], snap_circuity=0.5)


def test_csv_problems_are_reported_together_with_line_and_field() -> None:
    nodes = "id,lat,lon\nA,0,0\nB,north,1\nC,95,2\nA,1,1\n"
    edges = "from,to,km\nA,X,10\nA,B,-5\n"
    with pytest.raises(RoadGraphError) as caught:
        road_graph_from_csv(nodes, edges)
    message = str(caught.value)
    assert "nodes line 3, field lat: 'north' is not a number" in message
    assert "nodes line 4, field lat" in message
    assert "nodes line 5, field id: duplicate id 'A' (first on line 2)" in message
    assert "edges line 2, field to: unknown node id 'X'" in message
    assert "edges line 3, field km" in message
    assert len(caught.value.problems) == 5
    assert isinstance(caught.value, ValueError)


def test_csv_missing_column_is_reported_on_the_header_line() -> None:
    with pytest.raises(RoadGraphError, match="nodes line 1, field lon: the column is missing"):
        road_graph_from_csv("id,lat\nA,0\n", "from,to\n")
