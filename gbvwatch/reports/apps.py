from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "gbvwatch.reports"
    label = "reports"
    verbose_name = "Reports"
