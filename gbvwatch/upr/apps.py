from django.apps import AppConfig


class UprConfig(AppConfig):
    name = "gbvwatch.upr"
    label = "upr"
    verbose_name = "UPR recommendations"
