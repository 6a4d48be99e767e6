from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "gbvwatch.stats"
    label = "stats"
    verbose_name = "Coalition statistics"
