"""Read-only helpers of the documents app that ask the access policy (STYLE R5): the purpose of use a
screen or command acts under, and whether to offer a form (the services decide and record)."""

from __future__ import annotations

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.selectors import first_allowed_purpose
from recordroom.core.vocabulary import Purpose, Relationship
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services.common import document_type_labels, patient_care_team
from recordroom.patients.models import Patient


def default_purpose_for(user: Principal | None) -> Purpose | None:
    """The first purpose of use (access.selectors.PURPOSE_PREFERENCE) for which the policy lets ``user`` list document
    indexes, or ``None``; 164.502(b) requires each access to carry a purpose its grant allows."""
    permission = DocumentsPermission.LIST_DOCUMENTS
    return first_allowed_purpose(user, permission.action, Resource(permission.resource_type))


def _filing_resource(
    permission: DocumentsPermission, patient: Patient, document_type: str, relationships: frozenset[Relationship]
) -> Resource:
    return Resource(
        permission.resource_type, patient_id=patient.pk, document_type=document_type,
        restrictions=patient.restriction_set(), relationships=relationships,
    )  # fmt: skip


def fileable_types(user: Principal, patient: Patient, purpose: Purpose | None) -> list[tuple[str, str]]:
    """The document types ``user`` may file for ``patient`` (code, label), for the filing form: as a filer
    (``document_index``/``create``) or as a care-team author (``document``/``create``)."""
    team = frozenset({Relationship.CARE_TEAM}) if patient_care_team(user, patient) else frozenset()
    choices = []
    for code, label in document_type_labels().items():
        for permission in (DocumentsPermission.FILE_DOCUMENT, DocumentsPermission.AUTHOR_DOCUMENT):
            resource = _filing_resource(permission, patient, code, team)
            if authorize(user, permission.action, resource, purpose).allowed:
                choices.append((code, label))
                break
    return choices


def may_file_for(user: Principal, patient: Patient, purpose: Purpose | None) -> bool:
    """Whether to offer the filing link on a patient's document list."""
    return bool(fileable_types(user, patient, purpose))


def may_scan_for(user: Principal, patient: Patient, purpose: Purpose | None) -> bool:
    """Whether to offer the scanned-paper upload link on a patient's document list."""
    resource = _filing_resource(DocumentsPermission.FILE_DOCUMENT, patient, "scanned_paper", frozenset())
    return authorize(user, DocumentsPermission.FILE_DOCUMENT.action, resource, purpose).allowed


def may_handle_amendments(user: Principal, purpose: Purpose | None) -> bool:
    permission = DocumentsPermission.HANDLE_AMENDMENT
    return authorize(user, permission.action, Resource(permission.resource_type), purpose).allowed


def scans_waiting(user: Principal) -> int | None:
    """How many scanned items wait for indexing, or ``None`` if the user may not see the queue (no refusal is
    recorded: this only decides whether a dashboard panel shows a number)."""
    from recordroom.documents.models import ScannedItem, ScanState

    permission = DocumentsPermission.LIST_DOCUMENTS
    purpose = default_purpose_for(user)
    resource = Resource(permission.resource_type, document_type="scanned_paper")
    if purpose is None or not authorize(user, permission.action, resource, purpose).allowed:
        return None
    return ScannedItem.objects.filter(
        state__in=[ScanState.QUEUED, ScanState.PROCESSING, ScanState.READY, ScanState.FAILED]
    ).count()


def amendments_waiting(user: Principal) -> int | None:
    """How many amendment requests are open, or ``None`` if the user may not handle them."""
    from recordroom.documents.models import AmendmentRequest, AmendmentStatus

    if not may_handle_amendments(user, Purpose.OPERATIONS):
        return None
    return AmendmentRequest.objects.filter(status__in=[AmendmentStatus.OPEN, AmendmentStatus.EXTENDED]).count()
