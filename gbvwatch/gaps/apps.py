from django.apps import AppConfig


class GapsConfig(AppConfig):
    name = "gbvwatch.gaps"
    label = "gaps"
    verbose_name = "Service-gap analysis"
