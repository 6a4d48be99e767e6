from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "gbvwatch.cases"
    label = "cases"
    verbose_name = "Secure case records"

    def ready(self) -> None:
        from gbvwatch.cases.models import (
            Attack,
            BlindIndexKey,
            Campaign,
            CaseNote,
            Evidence,
            Incident,
        )
        from gbvwatch.core.rotation import register_sealed_model

        register_sealed_model(Incident)
        register_sealed_model(Attack)
        register_sealed_model(Campaign)
        register_sealed_model(BlindIndexKey, "sealed_key")
        register_sealed_model(Evidence)
        register_sealed_model(CaseNote)
