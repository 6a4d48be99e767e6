"""District maps drawn as inline SVG from the stored boundaries (no tiles, no requests out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from gbvwatch.analysis.svgmap import project
from gbvwatch.geography.models import Boundary

MAP_WIDTH_PX = 900


@dataclass(frozen=True)
class BoundaryMap:
    """Projected boundaries (one path per polygon feature) and points, in one view box."""

    view_box: str
    shapes: list[tuple[Boundary, str]]
    points_xy: tuple[tuple[float, float], ...]


def boundary_map(points_lonlat: Sequence[tuple[float, float]]) -> BoundaryMap:
    """Every stored boundary as an SVG path, plus the given (lon, lat) points projected alike."""
    boundaries = list(Boundary.objects.select_related("unit").order_by("unit__code", "pk"))
    if not boundaries and not points_lonlat:  # a country loaded without boundaries yet
        return BoundaryMap(view_box=f"0 0 {MAP_WIDTH_PX} 20", shapes=[], points_xy=())
    projection = project(
        [b.geometry for b in boundaries], list(points_lonlat), width_px=MAP_WIDTH_PX
    )
    return BoundaryMap(
        view_box=projection.view_box,
        shapes=list(zip(boundaries, projection.paths_d, strict=True)),
        points_xy=projection.points_xy,
    )
