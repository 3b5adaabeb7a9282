from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "recordroom.documents"
    label = "documents"
    verbose_name = "Clinical documents"

    def ready(self) -> None:
        from recordroom.audit.registry import register_event_types
        from recordroom.documents.audit_events import DocumentEvent
        from recordroom.patients.linkage import register_patient_link

        register_event_types(DocumentEvent)
        register_patient_link("documents.Document")
        register_patient_link("documents.AmendmentRequest")
        register_patient_link("documents.ScannedItem")
