from django.apps import AppConfig


class GeographyConfig(AppConfig):
    name = "gbvwatch.geography"
    label = "geography"
    verbose_name = "Administrative units and settlements"
