from django.apps import AppConfig


class SitingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "gbvwatch.siting"
    verbose_name = "Siting planner"
