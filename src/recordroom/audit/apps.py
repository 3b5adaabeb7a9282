from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "recordroom.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from recordroom.audit import checks  # noqa: F401  (registers the system check)
        from recordroom.audit.audit_events import AuditTrailEvent, SystemEvent
        from recordroom.audit.registry import register_event_types

        register_event_types(AuditTrailEvent)
        register_event_types(SystemEvent)
