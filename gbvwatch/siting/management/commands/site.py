"""`gbvwatch site`: where K new services should go, with a proven bound on how good that is."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.gaps.params import ParameterError
from gbvwatch.siting.matrix import matrix_report
from gbvwatch.siting.params import OBJECTIVE_CODES, SITING_KINDS, siting_parameters_from
from gbvwatch.siting.report import siting_report


class Command(BaseCommand):
    help = (
        "Choose K new sites for a kind of service: most women within a radius (coverage), least "
        "women-weighted travel (median), shortest longest trip (center), fewest sites to reach "
        "everyone (cover-all) or most women served within capacity (capacity)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--kind", choices=SITING_KINDS, default="shelter")
        parser.add_argument("--objective", choices=OBJECTIVE_CODES, default="coverage")
        parser.add_argument("--add", help="number of new sites K (default 5)")
        parser.add_argument("--p", dest="p", help="same as --add (with --costs)")
        # With --costs, --lock and --remove take 0-based column numbers of the matrix.
        parser.add_argument("--radius-km", help="travel threshold in km (default 100)")
        parser.add_argument("--profile", help="who is looking for help (default: woman)")
        parser.add_argument("--demand", choices=["units", "settlements"], help="(units)")
        parser.add_argument("--circuity", help="road km / straight-line km (1.3)")
        parser.add_argument("--unknown-accepts", action="store_true")
        parser.add_argument("--heuristic", action="store_true", help="greedy + swaps, with a bound")
        parser.add_argument("--time-limit", help="seconds for the exact solver (60)")
        parser.add_argument("--site", action="append", default=[], help="add lat,lon[,name]")
        parser.add_argument(
            "--remove",
            help="comma-separated unit codes (site-N: the N-th --site) not to consider",
        )
        parser.add_argument(
            "--lock", help="comma-separated unit codes (site-N: the N-th --site) to be chosen"
        )
        parser.add_argument(
            "--places",
            help="places per new site (capacity objective; default: the family-place "
            "standard's shortfall shared by the new sites)",
        )
        parser.add_argument("--stay-days", help="mean stay in days (capacity objective, 90)")
        parser.add_argument("--arrivals", help="survivors needing a place per year")
        parser.add_argument("--target", help="turn-away probability to plan for (0.05)")
        parser.add_argument("--road-nodes", type=Path, help="road graph nodes CSV: id,lat,lon")
        parser.add_argument("--road-edges", type=Path, help="road graph edges CSV: from,to,km")
        parser.add_argument("--costs", type=Path, help="cost matrix (.npy or CSV), rows = points")
        parser.add_argument("--weights", type=Path, help="weights (.npy or CSV), one per row")
        parser.add_argument("-o", "--output", type=Path, help="write the report to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = self._report(options)
        except ParameterError as exc:
            raise CommandError(str(exc)) from exc
        text = (
            json.dumps(report, indent=2, ensure_ascii=False, default=str)
            if options["format"] == "json"
            else summary_text(report)
        )
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)

    def _report(self, options: dict[str, Any]) -> dict[str, Any]:
        if options["p"] and options["add"] and options["p"] != options["add"]:
            raise ParameterError("--p and --add disagree; give one")
        raw = {
            "kind": options["kind"],
            "objective": options["objective"],
            "add": options["add"] or options["p"],
            "radius_km": options["radius_km"],
            "profile": options["profile"],
            "demand": options["demand"],
            "circuity": options["circuity"],
            "unknown_accepts": options["unknown_accepts"],
            "heuristic": options["heuristic"],
            "time_limit": options["time_limit"],
            "sites": "\n".join(options["site"]),
            "remove": options["remove"],
            "lock": options["lock"],
            "places": options["places"],
            "stay_days": options["stay_days"],
            "arrivals": options["arrivals"],
            "target": options["target"],
        }
        if bool(options["costs"]) != bool(options["weights"]):
            raise ParameterError("--costs and --weights go together")
        if options["costs"]:
            return _matrix_report(options, raw)
        params = siting_parameters_from(raw)
        if bool(options["road_nodes"]) != bool(options["road_edges"]):
            raise ParameterError("--road-nodes and --road-edges go together")
        if options["road_nodes"]:
            params = _with_graph(params, options["road_nodes"], options["road_edges"])
        return siting_report(params)


def _with_graph(params: Any, nodes: Path, edges: Path) -> Any:
    from dataclasses import replace

    from gbvwatch.analysis.access import RoadGraphError, road_graph_from_csv

    try:
        graph = road_graph_from_csv(nodes.read_text("utf-8"), edges.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, RoadGraphError) as exc:
        raise ParameterError(str(exc)) from exc
    return replace(params, road_graph=graph, road_graph_name=f"{nodes.name} + {edges.name}")


DATASET_ONLY = (
    "site", "profile", "demand", "circuity", "unknown_accepts", "road_nodes", "road_edges",
    "places", "stay_days", "arrivals", "target",
)  # fmt: skip


def _matrix_report(options: dict[str, Any], raw: dict[str, Any]) -> dict[str, Any]:
    """The report on a cost matrix file; options that describe the dataset's places are
    refused rather than ignored, and --lock / --remove name columns."""
    given = [f"--{name.replace('_', '-')}" for name in DATASET_ONLY if options.get(name)]
    if given:
        raise ParameterError(
            f"{', '.join(given)}: these describe the dataset's places and services; with "
            "--costs the matrix is the whole input (--lock and --remove take column numbers)"
        )
    params = siting_parameters_from(raw)
    return matrix_report(
        costs=options["costs"],
        weights=options["weights"],
        objective=params.objective,
        k=params.add,
        radius=params.radius_km if options["radius_km"] not in (None, "") else None,
        exact=params.exact,
        time_limit_s=params.time_limit_s,
        locked=params.locked,
        removed=params.removed,
    )


def summary_text(report: dict[str, Any]) -> str:
    """A readable summary of the report for the terminal."""
    gap = report["gap"]
    lines = [
        f"Objective {report['objective']}: value {report['objective_value']:,.1f}, "
        f"bound {report['bound']:,.1f}, gap {gap:.4%} ({report['status']}, {report['method']}, "
        f"{report['seconds']:.2f} s)",
        f"Sites in order (gain: {report['gain_unit']}):",
    ]
    for site in report["sites"]:
        gain = site["marginal_gain"]
        label = site.get("name") or f"column {site.get('column')}"
        lines.append(
            f"  {site['rank']:>3}. {site.get('code', ''):<24} {label:<30} "
            f"{'new reach' if gain is None else f'{gain:,.1f}'}"
            + ("  (locked)" if site.get("locked") else "")
        )
    if "before" in report:
        b, a = report["before"], report["after"]
        lines.append(
            f"Women within the radius: {b['women_within_radius']:,} -> {a['women_within_radius']:,}"
            f" (+{report['women_newly_within_radius']:,}); farthest km {b['farthest_km']} -> "
            f"{a['farthest_km']}; mean km {b['mean_km']} -> {a['mean_km']}"
        )
    for row in report.get("per_profile", []):
        b, a = row["before"], row["after"]
        lines.append(
            f"  {row['label']} ({row['services']} services now): within the radius "
            f"{b['women_within_radius']:,} -> {a['women_within_radius']:,}; farthest km "
            f"{b['farthest_km']} -> {a['farthest_km']}; with no service "
            f"{b['women_without_any_service']:,} -> {a['women_without_any_service']:,}"
        )
    lines.extend(f"Note: {n}" for n in report["notes"])
    if not math.isfinite(float(report["bound"])):
        lines.append("No finite bound.")
    return "\n".join(lines)
