"""`gbvwatch gaps`: the service-gap analysis (standards, distance, capacity, availability)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from gbvwatch.gaps.params import ParameterError, parameters_from, with_road_graph
from gbvwatch.gaps.report import gaps_report


class Command(BaseCommand):
    help = (
        "Measure support services against the standards, travel distance to the nearest "
        "accepting service, turn-away probability, and hours without service."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--year", help="calendar year for availability (default: this year)")
        parser.add_argument("--circuity", help="road distance / straight-line distance (1.3)")
        parser.add_argument("--profile", help="comma-separated profiles (default: all)")
        parser.add_argument("--family-size", help="persons per family place (2)")
        parser.add_argument("--stay-days", help="mean length of a shelter stay in days (90)")
        parser.add_argument("--arrivals", help="survivors needing a place per year")
        parser.add_argument("--target", help="turn-away probability to plan for (0.05)")
        parser.add_argument("--threshold-km", help="travel threshold for availability (100)")
        parser.add_argument("--unknown-accepts", action="store_true")
        parser.add_argument("--road-nodes", type=Path, help="road graph nodes CSV: id,lat,lon")
        parser.add_argument("--road-edges", type=Path, help="road graph edges CSV: from,to,km")
        parser.add_argument("-o", "--output", type=Path, help="write the report to this file")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            params = parameters_from(options)
            if bool(options["road_nodes"]) != bool(options["road_edges"]):
                raise ParameterError("--road-nodes and --road-edges go together")
            if options["road_nodes"]:
                params = with_road_graph(params, options["road_nodes"], options["road_edges"])
        except ParameterError as exc:
            raise CommandError(str(exc)) from exc
        report = gaps_report(params)
        text = (
            json.dumps(report, indent=2, ensure_ascii=False, default=str)
            if options["format"] == "json"
            else summary_text(report)
        )
        if options["output"]:
            options["output"].write_text(text + "\n", encoding="utf-8")
        else:
            self.stdout.write(text)


def summary_text(report: dict[str, Any]) -> str:
    """A readable summary of the report for the terminal."""
    lines = ["Standards (required / available, basis):"]
    for s in report["standards"]:
        lines.append(
            f"  {s['standard']:<24} {s['required']:>9.1f} / {s['available']:<7g} "
            f"shortfall {s['shortfall']:.1f}  ({s['available_basis']}: {s['available_note']})"
        )
    lines.append("Women beyond 50 / 100 / 200 / 300 km of the nearest accepting service:")
    for a in report["access"]:
        far = a["women_beyond_km"]
        tail = (
            "no service"
            if a["no_service"]
            else ", ".join(f"{f['unit_id']} {f['road_km']:.0f} km" for f in a["farthest"][:2])
        )
        lines.append(
            f"  {a['service_kind']:<22} {a['profile']:<18} "
            f"{far['50']:>9,} {far['100']:>9,} {far['200']:>9,} {far['300']:>9,}  {tail}"
        )
    c = report["capacity"]
    lines.append(
        f"Capacity: {c['places']} places, {c['arrivals_per_year']:g} arrivals/year, "
        f"{c['mean_stay_days']:g}-day stays -> turned away {c['turn_away_probability']:.1%}; "
        f"{c['places_for_5_percent']} places for 5%"
    )
    lines.append("Availability (hours without service; longest stretch):")
    for v in report["availability"]:
        lines.append(
            f"  {v['service_kind']:<22} {v['year']} {v['hours_without_service']:>5} h; "
            f"{v['longest_gap_days']} days from {v['longest_gap_start']}"
        )
    return "\n".join(lines)
