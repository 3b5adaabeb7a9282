from django.apps import AppConfig


class InteropConfig(AppConfig):
    name = "recordroom.interop"
    label = "interop"
    verbose_name = "Interoperability (FHIR import, synthetic hospital)"

    def ready(self) -> None:
        from recordroom.audit.registry import register_event_types
        from recordroom.interop.audit_events import InteropEvent

        register_event_types(InteropEvent)
