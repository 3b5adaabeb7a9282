"""Full-text search: sealed word digests only, every word must match, results decided by the policy before
anything sealed is opened, and the search audited with the count only."""

from __future__ import annotations

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose, Relationship
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import TextToken
from recordroom.documents.services import add_version, search_documents
from recordroom.documents.tests.factories import encounter_of, file_as, make_clerk
from recordroom.encounters.tests.factories import make_encounter

pytestmark = pytest.mark.django_db
TX = Purpose.TREATMENT


def test_the_treating_physician_finds_documents_by_every_word_and_others_find_nothing():
    encounter = make_encounter()
    clerk = make_clerk()
    pneumonia = file_as(clerk, encounter=encounter, content=b"Right lower lobe pneumonia; started ceftriaxone.")
    file_as(clerk, encounter=encounter, content=b"Pneumonia resolving. Ambulating.", document_type="nursing_note")
    elsewhere = file_as(clerk, content=b"Community acquired pneumonia, ceftriaxone.")
    doctor = encounter.attending
    hits = search_documents(actor=doctor, purpose=TX, query="ceftriaxone PNEUMONIA")
    assert [h.document.pk for h in hits] == [pneumonia.pk]  # not the other patient's (no care team)
    assert len(search_documents(actor=doctor, purpose=TX, query="pneumonia")) == 2
    assert search_documents(actor=doctor, purpose=TX, query="pneumonia", patient=elsewhere.patient) == []
    event = AuditEvent.objects.filter(event_type="documents.searched").latest("seq")
    assert event.detail_data == {"results": 0, "terms": 1}
    assert "pneumonia" not in event.detail.lower()


def test_a_coder_finds_only_queue_documents_of_granted_types():
    encounter = make_encounter()
    clerk = make_clerk()
    note = file_as(clerk, encounter=encounter, content=b"Sepsis due to E. coli.")
    file_as(clerk, encounter=encounter, content=b"Sepsis protocol consent.", document_type="consent")
    coder = make_user([Role.CODER]).user
    assert search_documents(actor=coder, purpose=Purpose.PAYMENT, query="sepsis") == []
    queue = frozenset({Relationship.CODING_QUEUE})
    hits = search_documents(actor=coder, purpose=Purpose.PAYMENT, query="sepsis", relationships=queue)
    assert [h.document.pk for h in hits] == [note.pk]


def test_every_version_is_searchable_and_tokens_are_digests():
    clerk = make_clerk()
    document = file_as(clerk, content=b"first draft mentions appendicitis")
    add_version(
        actor=clerk, purpose=Purpose.OPERATIONS, document=document, content=b"final text says cholecystitis",
        media_type="text/plain", reason_code="transcription_error",
    )  # fmt: skip
    doctor = encounter_of(document).attending
    assert [h.document.pk for h in search_documents(actor=doctor, purpose=TX, query="cholecystitis")] == [document.pk]
    assert [h.document.pk for h in search_documents(actor=doctor, purpose=TX, query="appendicitis")] == [document.pk]
    assert all(len(d) == 32 and "APPEND" not in d.upper() for d in TextToken.objects.values_list("digest", flat=True))


def test_a_clerk_may_search_but_reads_no_content_so_finds_nothing_and_a_sysadmin_is_refused():
    clerk = make_clerk()
    file_as(clerk, content=b"hemoglobin low")
    assert search_documents(actor=clerk, purpose=Purpose.OPERATIONS, query="hemoglobin") == []
    sysadmin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        search_documents(actor=sysadmin, purpose=Purpose.OPERATIONS, query="hemoglobin")
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=sysadmin.pk, action="query").count() == 1


def test_an_empty_query_is_refused():
    doctor = make_user([Role.PHYSICIAN]).user
    with pytest.raises(DocumentsError) as caught:
        search_documents(actor=doctor, purpose=TX, query=" - ! ")
    assert (caught.value.code, caught.value.field) == (DocumentsErrorCode.SEARCH_TOO_SHORT, "query")
