"""Reading documents under the policy: a patient's document list, one document's indexing data, and its
content (text or body), each audited (HIPAA 164.312(b); ONC 170.315(d)(2)).

The list is the minimum necessary (164.514(d)): a row appears only if the reader may see that document's
index entry — its type and the patient's and document's restrictions decide, before anything sealed is
opened — and it is marked openable only if the policy lets the reader open the content. The list is
recorded as a query with the count shown; opening content is recorded with the version read.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, Relationship, ResourceType
from recordroom.documents.audit_events import DocumentEvent
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import Document, DocumentVersion, Signature
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services.common import document_resource, patient_care_team, relationships_for
from recordroom.patients.models import Patient
from recordroom.vault.services import open_document


@dataclass(frozen=True)
class DocumentRow:
    """One line of a patient's document list: the document (its indexing data) and whether the reader may
    open its content."""

    document: Document
    may_open: bool


def list_resource(patient: Patient) -> Resource:
    return Resource(ResourceType.DOCUMENT_INDEX, patient_id=patient.pk, restrictions=patient.restriction_set())


def documents_for_patient(
    *,
    actor: Principal,
    purpose: Purpose | None,
    patient: Patient,
    relationships: frozenset[Relationship] = frozenset(),
    request: HttpRequest | None = None,
) -> list[DocumentRow]:
    """The patient's documents the reader may see, newest date of service first.

    Refused (and recorded) without ``document_index``/``search``. ``relationships`` are facts a calling
    service established (a coder's queue); documents adds the care team itself."""
    resource = list_resource(patient)
    permission = DocumentsPermission.LIST_DOCUMENTS
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    on_team = patient_care_team(actor, patient)
    rows: list[DocumentRow] = []
    hidden = 0
    for document in (
        Document.objects.filter(patient=patient).select_related("author", "patient").order_by("-service_date", "-pk")
    ):
        rels = relationships | relationships_for(actor, document, on_patient_team=on_team)
        index = document_resource(document, ResourceType.DOCUMENT_INDEX, rels, patient=patient)
        if not authorize(actor, DocumentsPermission.READ_INDEX.action, index, purpose).allowed:
            hidden += 1
            continue
        content = document_resource(document, ResourceType.DOCUMENT, rels, patient=patient)
        rows.append(
            DocumentRow(document, authorize(actor, DocumentsPermission.READ_CONTENT.action, content, purpose).allowed)
        )
    record(
        DocumentEvent.LISTED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"results": len(rows), "withheld": hidden}, **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return rows


def find_document(public_id: uuid.UUID | str) -> Document | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return Document.objects.filter(public_id=key).select_related("patient", "encounter", "author", "amends").first()


def get_document(
    *,
    actor: Principal,
    purpose: Purpose | None,
    public_id: uuid.UUID | str,
    relationships: frozenset[Relationship] = frozenset(),
    request: HttpRequest | None = None,
) -> Document:
    """One document's indexing data (type, dates, author, status, versions, signatures), read under the
    policy (``document_index``/``read``, the document type and restrictions included) and recorded as
    ``documents.index_viewed``. An unknown id is ``not_found`` only for someone who may read indexes."""
    document = find_document(public_id)
    permission = DocumentsPermission.READ_INDEX
    if document is None:
        enforce(actor, permission.action, Resource(ResourceType.DOCUMENT_INDEX), purpose, request=request)
        raise DocumentsError(DocumentsErrorCode.NOT_FOUND, "No document has that id.")
    rels = relationships | relationships_for(actor, document)
    resource = document_resource(document, ResourceType.DOCUMENT_INDEX, rels)
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    record(
        DocumentEvent.INDEX_VIEWED, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"version": document.current_version}, **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return document


def may_read_content(
    actor: Principal,
    document: Document,
    purpose: Purpose | None,
    relationships: frozenset[Relationship] = frozenset(),
) -> bool:
    """Whether a screen should offer the content (the services decide and record)."""
    rels = relationships | relationships_for(actor, document)
    resource = document_resource(document, ResourceType.DOCUMENT, rels)
    return authorize(actor, DocumentsPermission.READ_CONTENT.action, resource, purpose).allowed


def may(actor: Principal, permission: DocumentsPermission, document: Document, purpose: Purpose | None) -> bool:
    """Whether a screen should offer a form for ``permission`` on this document."""
    resource = document_resource(document, permission.resource_type, relationships_for(actor, document))
    return authorize(actor, permission.action, resource, purpose).allowed


def versions_of(document: Document) -> list[DocumentVersion]:
    """Every version, first to last (indexing data: number, kind, size, media type, who, when)."""
    return list(DocumentVersion.objects.filter(document=document).select_related("created_by").order_by("number"))


def signatures_of(document: Document) -> list[Signature]:
    return list(
        Signature.objects.filter(document=document).select_related("signer", "version").order_by("signed_at", "pk")
    )


def addenda_of(document: Document) -> list[Document]:
    return list(Document.objects.filter(amends=document).select_related("author").order_by("created_at", "pk"))


def _version(document: Document, number: int | None) -> DocumentVersion:
    wanted = document.current_version if number is None else number
    version = DocumentVersion.objects.filter(document=document, number=wanted).first()
    if version is None:
        raise DocumentsError(DocumentsErrorCode.NOT_FOUND, "The document has no such version.", field="version")
    return version


def _enforce_content(
    actor: Principal,
    purpose: Purpose | None,
    document: Document,
    relationships: frozenset[Relationship],
    request: HttpRequest | None,
) -> tuple[Resource, object]:
    rels = relationships | relationships_for(actor, document)
    resource = document_resource(document, ResourceType.DOCUMENT, rels)
    permission = DocumentsPermission.READ_CONTENT
    return resource, enforce(actor, permission.action, resource, purpose, request=request)


def read_text(
    *,
    actor: Principal,
    purpose: Purpose | None,
    document: Document,
    version: int | None = None,
    relationships: frozenset[Relationship] = frozenset(),
    request: HttpRequest | None = None,
) -> DocumentVersion:
    """A version (the current one by default) with its extracted text unsealed, under ``document``/``read``
    and recorded as ``documents.viewed`` with the version number."""
    resource, decision = _enforce_content(actor, purpose, document, relationships, request)
    found = _version(document, version)
    text = found.text  # unsealed only now, after the decision
    record(
        DocumentEvent.VIEWED, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"version": found.number, "has_text": bool(text)}, **audit_fields(decision, resource, purpose),  # type: ignore[arg-type]
    )  # fmt: skip
    return found


def open_body(
    *,
    actor: Principal,
    purpose: Purpose | None,
    document: Document,
    version: int | None = None,
    relationships: frozenset[Relationship] = frozenset(),
    request: HttpRequest | None = None,
) -> tuple[DocumentVersion, Iterator[bytes]]:
    """A version's body as a stream of authenticated chunks (the vault checks the SHA-256 at the end), under
    ``document``/``read`` and recorded as ``documents.content_opened``."""
    resource, decision = _enforce_content(actor, purpose, document, relationships, request)
    found = _version(document, version)
    record(
        DocumentEvent.CONTENT_OPENED, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"version": found.number, "media_type": found.media_type},
        **audit_fields(decision, resource, purpose),  # type: ignore[arg-type]
    )  # fmt: skip
    return found, open_document(found.blob_address)
