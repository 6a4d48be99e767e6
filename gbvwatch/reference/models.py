"""Reference data the analyses use: standards, published key figures, public holidays."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Standard(models.Model):
    """A minimum standard for a kind of service, e.g. 1 family place per 10,000 population."""

    class Denominator(models.TextChoices):
        POPULATION = "population", _("population")
        WOMEN = "women", _("women")
        NATIONAL = "national", _("per country")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    title = models.CharField(_("standard"), max_length=300)
    service_kinds = models.CharField(_("service kinds counted"), max_length=200)
    capacity_unit = models.CharField(_("what is counted"), max_length=30)
    amount = models.FloatField(_("amount"), default=1)
    per = models.PositiveIntegerField(_("per"), default=1)
    denominator = models.CharField(max_length=20, choices=Denominator.choices)
    version = models.CharField(_("version"), max_length=40, default="2008")
    source = models.TextField(_("source"))
    source_url = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    is_builtin = models.BooleanField(default=False)
    # Set by any edit in the app, so that reloading the dataset never overwrites it.
    locally_modified = models.BooleanField(default=False)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.title


class KeyFigure(models.Model):
    """A published figure (registered crimes, contacts, places claimed) with its source."""

    country = models.CharField(max_length=2, db_index=True)
    indicator = models.CharField(max_length=80)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.FloatField()
    unit = models.CharField(max_length=60)
    definition = models.TextField(blank=True)
    source = models.TextField()
    source_url = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "indicator", "year", "source_url"], name="uniq_key_figure"
            )
        ]


class PublicHoliday(models.Model):
    """A day off or a transferred working day, from the `holidays` package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("public holiday")
        OBSERVED = "observed", _("observed holiday")
        SUBSTITUTED = "substituted_day_off", _("transferred day off")
        WEEKEND_WORKDAY = "weekend_workday", _("weekend working day")
        OTHER = "other", _("other observance")

    country = models.CharField(max_length=2, db_index=True)
    date = models.DateField()
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=Kind.choices)
    is_working_day = models.BooleanField(default=False)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["country", "date", "kind"], name="uniq_holiday")
        ]
