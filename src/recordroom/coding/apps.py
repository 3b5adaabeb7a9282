from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "recordroom.coding"
    label = "coding"
    verbose_name = "Coding: code sets, edits and MS-DRG"

    def ready(self) -> None:
        from recordroom.audit.registry import register_event_types
        from recordroom.coding.audit_events import CodingEvent

        register_event_types(CodingEvent)
