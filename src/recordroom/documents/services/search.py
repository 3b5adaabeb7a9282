"""Full-text search over the documents a user may read, without plaintext in the database.

Every version's text is stored as keyed word digests (``TextToken``; decision 0005): a query is turned into
the same digests, the database finds the documents holding all of them, and each candidate is decided by the
policy (``document``/``read`` with its type, the patient's and the document's restrictions, and the care
team) *before* anything sealed is opened; only the allowed hits' titles are unsealed (164.514(d) minimum
necessary; 164.312(a)(2)(iv)). The search is recorded with the result count only, never the terms
(164.312(b); DESIGN invariant 3).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count
from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.policy import active_policy
from recordroom.access.selectors import document_types_visible_to
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, Relationship, ResourceType
from recordroom.documents.audit_events import DocumentEvent
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import Document, TextToken
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services.common import (
    document_resource,
    patient_care_team,
    relationships_for,
    token_digest,
    words,
)
from recordroom.patients.models import Patient

MAX_QUERY_WORDS = 12
DEFAULT_LIMIT = 25
MAX_LIMIT = 100
# Candidates decided per database round trip while filling the result page.
BATCH = 200


@dataclass(frozen=True)
class SearchHit:
    document: Document


def _wanted(query: str) -> set[str]:
    terms = words(query)
    if not terms:
        raise DocumentsError(
            DocumentsErrorCode.SEARCH_TOO_SHORT, "Search for at least one word of two or more letters or digits.",
            field="query",
        )  # fmt: skip
    return {token_digest(t) for t in terms[:MAX_QUERY_WORDS]}


def search_documents(
    *,
    actor: Principal,
    purpose: Purpose | None,
    query: str,
    patient: Patient | None = None,
    limit: int = DEFAULT_LIMIT,
    relationships: frozenset[Relationship] = frozenset(),
    request: HttpRequest | None = None,
) -> list[SearchHit]:
    """Documents (of one patient, or all) whose text holds every word of ``query``, newest first, that
    ``actor`` may read. Refused (and recorded) without ``document_index``/``search``; a reader who may open
    no document type at all gets no hits (the text is content, 164.502(b))."""
    base = Resource(
        ResourceType.DOCUMENT_INDEX,
        patient_id=patient.pk if patient is not None else None,
        restrictions=patient.restriction_set() if patient is not None else frozenset(),
    )
    decision = enforce(actor, DocumentsPermission.LIST_DOCUMENTS.action, base, purpose, request=request)
    wanted = _wanted(query)
    limit = max(1, min(limit, MAX_LIMIT))
    hits = (
        _decided_hits(actor, purpose, wanted, patient=patient, relationships=relationships, limit=limit)
        if purpose is not None
        else []
    )
    record(
        DocumentEvent.SEARCHED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"results": len(hits), "terms": len(wanted)}, **audit_fields(decision, base, purpose),
    )  # fmt: skip
    return hits


def _readable_types(actor: Principal, purpose: Purpose, relationships: frozenset[Relationship]) -> frozenset[str]:
    """Every type the actor could read with the relationships documents can establish (the care team),
    a coarse SQL pre-filter; each row is decided exactly afterwards."""
    read = DocumentsPermission.READ_CONTENT.action
    possible = relationships | {Relationship.CARE_TEAM}
    types = document_types_visible_to(actor, read, purpose, relationships=frozenset(possible))
    return types & frozenset(active_policy().document_types)


def _decided_hits(
    actor: Principal,
    purpose: Purpose,
    wanted: set[str],
    *,
    patient: Patient | None,
    relationships: frozenset[Relationship],
    limit: int,
) -> list[SearchHit]:
    types = _readable_types(actor, purpose, relationships)
    if not types:
        return []
    matching = (
        TextToken.objects.filter(digest__in=wanted)
        .values("document_id")
        .annotate(found=Count("digest", distinct=True))
        .filter(found=len(wanted))
        .values("document_id")
    )
    candidates = Document.objects.filter(pk__in=matching, document_type__in=types).select_related("patient", "author")
    if patient is not None:
        candidates = candidates.filter(patient=patient)
    candidates = candidates.order_by("-service_date", "-pk")
    hits: list[SearchHit] = []
    teams: dict[int, bool] = {}
    offset = 0
    read = DocumentsPermission.READ_CONTENT.action
    while len(hits) < limit:
        batch = list(candidates[offset : offset + BATCH])
        if not batch:
            break
        offset += BATCH
        for document in batch:
            if document.patient_id not in teams:
                teams[document.patient_id] = patient_care_team(actor, document.patient)
            rels = relationships | relationships_for(actor, document, on_patient_team=teams[document.patient_id])
            if authorize(actor, read, document_resource(document, ResourceType.DOCUMENT, rels), purpose).allowed:
                hits.append(SearchHit(document))
                if len(hits) >= limit:
                    break
    return hits
