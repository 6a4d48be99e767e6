"""Administrative units, their boundaries, and settlements of a country's dataset."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class AdminUnit(models.Model):
    """A district, city or region with its population and a centre point."""

    country = models.CharField(_("country"), max_length=2, db_index=True)
    code = models.SlugField(_("code"), max_length=60, unique=True)
    iso_3166_2 = models.CharField(_("ISO 3166-2"), max_length=10, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_local = models.CharField(_("name (local)"), max_length=120, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    unit_type = models.CharField(_("type"), max_length=40)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    women = models.PositiveIntegerField(_("women"), null=True, blank=True)
    women_estimated = models.BooleanField(_("women figure estimated"), default=False)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    counted_in_national_total = models.BooleanField(default=True)
    centre_name = models.CharField(_("administrative centre"), max_length=120, blank=True)
    centre_lat = models.FloatField(_("centre latitude"))
    centre_lon = models.FloatField(_("centre longitude"))
    # Units on different components have no road between them (Nakhchivan AR and the mainland).
    road_component = models.CharField(_("road-network component"), max_length=40, default="main")
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["name_en"]

    def __str__(self) -> str:
        return self.name_en

    @property
    def display_name(self) -> str:
        """The name in the active language: local (az), Russian, else English."""
        language = (get_language() or "en")[:2]
        if language == "ru" and self.name_ru:
            return self.name_ru
        if language not in {"en", "ru"} and self.name_local:
            return self.name_local
        return self.name_en


class Boundary(models.Model):
    """One polygon feature of a unit (a unit may have several), as GeoJSON geometry text."""

    unit = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="boundaries")
    source_id = models.CharField(max_length=80, blank=True)
    geometry = models.JSONField()

    class Meta:
        ordering = ["unit", "source_id"]


class Settlement(models.Model):
    """A populated place with coordinates and population."""

    country = models.CharField(max_length=2, db_index=True)
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    lat = models.FloatField()
    lon = models.FloatField()
    population = models.PositiveIntegerField(null=True, blank=True)
    unit = models.ForeignKey(AdminUnit, on_delete=models.PROTECT, related_name="settlements")

    class Meta:
        ordering = ["-population", "name"]

    def __str__(self) -> str:
        return self.name
