from django.apps import AppConfig


class DirectoryConfig(AppConfig):
    name = "gbvwatch.directory"
    label = "directory"
    verbose_name = "Support service directory"
