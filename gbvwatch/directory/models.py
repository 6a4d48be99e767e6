"""Support services: who runs them, where, for whom, when, and on what evidence."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    SHELTER_DV = "shelter_dv", _("Shelter for survivors of domestic violence")
    SHELTER_GENERAL = "shelter_general", _("General shelter (vulnerable groups)")
    SHELTER_TRAFFICKING = "shelter_trafficking", _("Shelter for victims of trafficking")
    CRISIS_CENTRE = "crisis_centre_dv", _("Crisis centre for domestic violence")
    RAPE_CRISIS_CENTRE = "rape_crisis_centre", _("Rape crisis centre")
    SEXUAL_ASSAULT_CENTRE = "sexual_assault_centre", _("Sexual assault referral centre")
    FORENSIC_MEDICAL = "forensic_medical", _("Forensic medical examination")
    COUNSELLING = "counselling", _("Women's counselling centre")
    HELPLINE = "helpline", _("Helpline")
    HELPLINE_REPORTING = "helpline_reporting", _("Reporting line")
    LEGAL_AID = "legal_aid", _("Legal aid")
    MEDICAL = "medical", _("Medical care (PEP, emergency contraception)")
    PSYCHOSOCIAL = "psychosocial", _("Psychosocial support")


class Status(models.TextChoices):
    OPERATING = "operating", _("Operating")
    PLANNED = "planned", _("Planned")
    ANNOUNCED = "announced", _("Announced")
    CLOSED = "closed", _("Closed")


class Tri(models.TextChoices):
    """Yes / no / not known: 'not known' is a finding in itself, never silently 'no'."""

    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", _("Not known")


class CapacityUnit(models.TextChoices):
    PLACES = "places", _("places (persons)")
    FAMILY_PLACES = "family_places", _("family places")
    BEDS = "beds", _("beds")
    NONE = "", _("not stated")


class LocationPrecision(models.TextChoices):
    EXACT = "exact", _("exact address")
    SETTLEMENT = "settlement", _("settlement")
    CITY = "city", _("city")
    UNIT = "unit", _("district")
    NATIONAL = "national", _("national (no location)")


# Fields anyone may read (public API and public export); everything else is for members only.
PUBLIC_FIELDS = (
    "code", "name", "kind", "operator", "unit", "city", "lat", "lon", "location_precision",
    "address", "capacity", "capacity_unit", "accepts_women", "accepts_children", "boys_max_age",
    "accepts_men", "accepts_transgender", "wheelchair_access", "languages", "open_24_7", "hours",
    "closes_on_public_holidays", "status", "opened", "phone", "website", "sources",
)  # fmt: skip


class Service(models.Model):
    """One support service of the directory."""

    code = models.SlugField(_("identifier"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=40, choices=Kind.choices)
    operator = models.CharField(_("operator"), max_length=300, blank=True)
    sector = models.CharField(_("sector"), max_length=200, blank=True)
    # The organisation that maintains this entry; empty for entries of the shared dataset.
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "geography.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
        verbose_name=_("district"),
    )
    city = models.CharField(_("city or settlement"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    location_precision = models.CharField(
        _("location precision"), max_length=20, choices=LocationPrecision.choices
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    address_confidential = models.BooleanField(_("address is confidential"), default=True)
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    capacity_unit = models.CharField(
        _("capacity unit"), max_length=20, choices=CapacityUnit.choices, blank=True
    )
    accepts_women = models.CharField(_("accepts women"), max_length=8, choices=Tri.choices)
    accepts_children = models.CharField(_("accepts children"), max_length=8, choices=Tri.choices)
    boys_max_age = models.PositiveSmallIntegerField(
        _("accepts boys up to age"), null=True, blank=True
    )
    accepts_men = models.CharField(_("accepts men"), max_length=8, choices=Tri.choices)
    accepts_transgender = models.CharField(
        _("accepts transgender and gender-diverse people"), max_length=8, choices=Tri.choices
    )
    wheelchair_access = models.CharField(_("wheelchair access"), max_length=8, choices=Tri.choices)
    languages = models.CharField(_("languages"), max_length=100, blank=True)
    open_24_7 = models.BooleanField(_("open 24/7"), default=False)
    hours = models.CharField(_("weekly opening hours"), max_length=200, blank=True)
    closes_on_public_holidays = models.CharField(
        _("closed on public holidays"), max_length=8, choices=Tri.choices
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    opened = models.CharField(_("opened"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    target_group = models.CharField(_("target group as described"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    original = models.JSONField(_("original source text"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateField(_("closed on"), null=True, blank=True)
    # Set by any edit through the app, so that reloading the dataset never overwrites it.
    locally_modified = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Source(models.Model):
    """Evidence for a service entry: a citation, its address and its date."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="sources")
    citation = models.TextField(_("citation"))
    url = models.URLField(_("address"), max_length=500, blank=True)
    date = models.CharField(_("date"), max_length=40, blank=True)

    class Meta:
        ordering = ["service", "id"]
