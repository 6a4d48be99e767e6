from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "gbvwatch.reference"
    label = "reference"
    verbose_name = "Reference data: standards, key figures, public holidays"
