from django.apps import AppConfig


class AccountabilityConfig(AppConfig):
    name = "gbvwatch.accountability"
    label = "accountability"
    verbose_name = "Complaints and redress"

    def ready(self) -> None:
        from gbvwatch.accountability.models import Complaint, ComplaintResponse
        from gbvwatch.core.rotation import register_sealed_model

        register_sealed_model(Complaint)
        register_sealed_model(ComplaintResponse)
