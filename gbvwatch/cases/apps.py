from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gbvwatch.cases"
    label = "cases"
    verbose_name = "Secure case records"
