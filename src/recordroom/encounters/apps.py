from django.apps import AppConfig


class EncountersConfig(AppConfig):
    name = "recordroom.encounters"
    label = "encounters"
    verbose_name = "Encounters (ADT)"

    def ready(self) -> None:
        from recordroom.audit.registry import register_event_types
        from recordroom.encounters.audit_events import EncounterEvent
        from recordroom.patients.linkage import register_patient_link

        register_event_types(EncounterEvent)
        register_patient_link("encounters.Encounter")
        register_patient_link("encounters.ReportedCondition")
        register_patient_link("encounters.ReportedProcedure")
