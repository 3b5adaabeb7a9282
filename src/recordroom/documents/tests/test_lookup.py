"""Reading documents: the list shows only what the reader's role may see (document-type scopes, restricted
categories), content is opened only with a ``document``/``read`` grant, and every read is audited."""

from __future__ import annotations

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.access.models import RestrictionGrant
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, Relationship
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.services import documents_for_patient, get_document, open_body, read_text
from recordroom.documents.tests.factories import NOTE, file_as, make_clerk
from recordroom.encounters.tests.factories import make_encounter

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
TX = Purpose.TREATMENT


def chart():
    """A patient with a progress note and a psychotherapy note, filed by a clerk cleared for psychotherapy."""
    encounter = make_encounter()
    clerk = make_clerk()
    note = file_as(clerk, encounter=encounter)
    cleared = make_clerk()
    RestrictionGrant.objects.create(
        user=cleared, restriction="psychotherapy", patient_id=None, granted_by=make_user([Role.PRIVACY_OFFICER]).user,
        reason="test", expires_at=clock.now().replace(year=2099),
    )  # fmt: skip
    psych = file_as(cleared, encounter=encounter, document_type="psychotherapy_note", title="Session")
    return encounter, note, psych


def test_the_list_leaves_out_restricted_types_and_marks_what_may_be_opened():
    encounter, note, psych = chart()
    clerk = make_clerk()
    rows = documents_for_patient(actor=clerk, purpose=OPS, patient=encounter.patient)
    assert [(r.document.pk, r.may_open) for r in rows] == [(note.pk, False)]
    event = AuditEvent.objects.filter(event_type="documents.listed").latest("seq")
    assert (event.actor_id, event.patient_id, event.detail_data) == (
        clerk.pk, encounter.patient_id, {"results": 1, "withheld": 1},
    )  # fmt: skip
    doctor = encounter.attending
    rows = documents_for_patient(actor=doctor, purpose=TX, patient=encounter.patient)
    # The treating physician sees the index of both but the psychotherapy note needs its own clearance.
    assert [(r.document.pk, r.may_open) for r in rows] == [(note.pk, True)]
    assert psych.pk not in [r.document.pk for r in rows]


def test_a_coder_opens_content_only_for_an_encounter_in_the_queue():
    _encounter, note, _psych = chart()
    coder = make_user([Role.CODER]).user
    with pytest.raises(AccessDeniedError):
        read_text(actor=coder, purpose=OPS, document=note)
    version = read_text(actor=coder, purpose=OPS, document=note, relationships=frozenset({Relationship.CODING_QUEUE}))
    assert version.text == NOTE.decode()
    viewed = AuditEvent.objects.filter(event_type="documents.viewed").latest("seq")
    assert (viewed.actor_id, viewed.resource_type, viewed.resource_id, viewed.data_category) == (
        coder.pk, "document", str(note.public_id), "progress_note",
    )  # fmt: skip


def test_the_attending_reads_the_body_and_the_read_is_audited():
    encounter, note, _psych = chart()
    _version, chunks = open_body(actor=encounter.attending, purpose=TX, document=note)
    assert b"".join(chunks) == NOTE
    opened = AuditEvent.objects.filter(event_type="documents.content_opened").latest("seq")
    assert opened.detail_data == {"version": 1, "media_type": "text/plain"}


@pytest.mark.parametrize("role", [Role.HIM_CLERK, Role.SYSADMIN, Role.REGISTRAR])
def test_content_reads_are_refused_and_recorded_without_a_grant(role):
    _encounter, note, _psych = chart()
    actor = make_user([role]).user
    before = AuditEvent.objects.filter(event_type__in=["documents.viewed", "documents.content_opened"]).count()
    with pytest.raises(AccessDeniedError):
        read_text(actor=actor, purpose=OPS, document=note)
    with pytest.raises(AccessDeniedError):
        open_body(actor=actor, purpose=OPS, document=note)
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=actor.pk, action="read").count() == 2
    assert AuditEvent.objects.filter(event_type__in=["documents.viewed", "documents.content_opened"]).count() == before


def test_get_document_reads_the_index_and_refuses_a_restricted_type():
    _encounter, note, psych = chart()
    clerk = make_clerk()
    assert get_document(actor=clerk, purpose=OPS, public_id=note.public_id).pk == note.pk
    with pytest.raises(AccessDeniedError):
        get_document(actor=clerk, purpose=OPS, public_id=psych.public_id)
    with pytest.raises(DocumentsError) as caught:
        get_document(actor=clerk, purpose=OPS, public_id="not-a-uuid")
    assert caught.value.code is DocumentsErrorCode.NOT_FOUND
    sysadmin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        get_document(actor=sysadmin, purpose=OPS, public_id="not-a-uuid")


def test_a_sysadmin_may_not_list_documents():
    encounter, _note, _psych = chart()
    sysadmin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        documents_for_patient(actor=sysadmin, purpose=OPS, patient=encounter.patient)
    assert not AuditEvent.objects.filter(event_type="documents.listed", actor_id=sysadmin.pk).exists()


def test_a_document_restricted_to_a_category_needs_its_own_clearance():
    encounter = make_encounter()
    cleared = make_clerk()
    RestrictionGrant.objects.create(
        user=cleared, restriction="hiv", patient_id=None, granted_by=make_user([Role.PRIVACY_OFFICER]).user,
        reason="test", expires_at=clock.now().replace(year=2099),
    )  # fmt: skip
    flagged = file_as(cleared, encounter=encounter, restrictions=("hiv",))
    doctor = encounter.attending
    assert documents_for_patient(actor=doctor, purpose=TX, patient=encounter.patient) == []
    with pytest.raises(AccessDeniedError):
        read_text(actor=doctor, purpose=TX, document=flagged)
    denied = AuditEvent.objects.filter(event_type="access.denied", actor_id=doctor.pk).latest("seq")
    assert (denied.resource_type, denied.resource_id, denied.patient_id) == (
        "document", str(flagged.public_id), encounter.patient_id,
    )  # fmt: skip
    RestrictionGrant.objects.create(
        user=doctor, restriction="hiv", patient_id=encounter.patient_id,
        granted_by=make_user([Role.PRIVACY_OFFICER]).user, reason="test", expires_at=clock.now().replace(year=2099),
    )  # fmt: skip
    doctor.__dict__.pop("_rr_clearances", None)
    assert read_text(actor=doctor, purpose=TX, document=flagged).text == NOTE.decode()
