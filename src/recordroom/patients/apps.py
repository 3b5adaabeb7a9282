from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "recordroom.patients"
    label = "patients"
    verbose_name = "Master patient index"

    def ready(self) -> None:
        from recordroom.audit.registry import register_event_types
        from recordroom.patients.audit_events import PatientEvent

        register_event_types(PatientEvent)
