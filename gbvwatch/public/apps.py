from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "gbvwatch.public"
    label = "public"
    verbose_name = "Find help (public page)"

    def ready(self) -> None:
        from gbvwatch.core.rotation import register_sealed_model
        from gbvwatch.public.models import RefusalReport

        register_sealed_model(RefusalReport)
