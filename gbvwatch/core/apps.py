from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "gbvwatch.core"
    label = "core"
    verbose_name = "Organisations, members and audit"
