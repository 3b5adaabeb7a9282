"""Filing documents (``file_document``), versions, corrections and addenda: every rule refused with its code
and nothing written; versions never overwritten; refusals recorded; re-filing the same source key is
idempotent; no plaintext lands in the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import (
    AuthStatus,
    Document,
    DocumentKind,
    DocumentStatus,
    DocumentVersion,
    TextToken,
    VersionKind,
)
from recordroom.documents.services import (
    add_addendum,
    add_version,
    correct_document,
    file_document,
    sign_document,
)
from recordroom.documents.tests.factories import NOTE, authored_note, encounter_of, file_as, make_clerk
from recordroom.encounters.tests.factories import make_encounter
from recordroom.patients.tests.factories import make_patient
from recordroom.vault.services import read_document

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS


def state():
    return (
        Document.objects.count(),
        DocumentVersion.objects.count(),
        TextToken.objects.count(),
        AuditEvent.objects.filter(event_type__startswith="documents.").count(),
        list(Document.objects.order_by("pk").values_list("current_version", "auth_status", "status")),
    )


def refused(code, call):
    before = state()
    with pytest.raises(DocumentsError) as caught:
        call()
    assert caught.value.code is code
    assert state() == before
    return caught.value


def test_a_clerk_files_a_document_sealed_versioned_indexed_and_audited():
    clerk = make_clerk()
    document = file_as(clerk)
    version = DocumentVersion.objects.get(document=document)
    assert (document.document_type, document.kind, document.auth_status, document.current_version) == (
        "progress_note", DocumentKind.ORIGINAL, AuthStatus.UNSIGNED, 1,
    )  # fmt: skip
    assert (version.number, version.kind, version.media_type, version.size) == (
        1,
        VersionKind.ORIGINAL,
        "text/plain",
        len(NOTE),
    )
    assert read_document(version.blob_address) == NOTE
    assert version.text == NOTE.decode()
    assert document.title == "Progress note"
    assert TextToken.objects.filter(version=version).count() == len(
        set(NOTE.decode().upper().replace(".", " ").replace(":", " ").split())
    )
    [event] = AuditEvent.objects.filter(event_type="documents.filed")
    assert (event.actor_id, event.patient_id, event.resource_id, event.data_category) == (
        clerk.pk, document.patient_id, str(document.public_id), "progress_note",
    )  # fmt: skip
    assert "Progress" not in str(event.detail)


def test_the_returned_value_names_the_document_and_its_version():
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    filed = file_document(
        actor=clerk, purpose=OPS, patient_id=patient.public_id, encounter_id=None, document_type="consent",
        title="Consent to surgery", content=b"I consent.", media_type="text/plain", service_date=date(2026, 1, 2),
        author=None, author_name="Patient", source="manual", source_key=None,
    )  # fmt: skip
    assert (filed.version, filed.created) == (1, True)
    document = Document.objects.get(public_id=filed.public_id)
    assert timezone.localtime(document.service_date).date() == date(2026, 1, 2)


def test_refiling_the_same_source_key_returns_the_existing_document():
    clerk = make_clerk()
    encounter = make_encounter()
    first = file_as(clerk, encounter=encounter, source="fhir", source_key="DocumentReference/abc-1")
    before = (Document.objects.count(), DocumentVersion.objects.count())
    again = file_document(
        actor=clerk, purpose=OPS, patient_id=encounter.patient.public_id, encounter_id=encounter.public_id,
        document_type="progress_note", title="Progress note", content=NOTE, media_type="text/plain",
        service_date=first.service_date, author=None, author_name="X", source="fhir",
        source_key="DocumentReference/abc-1",
    )  # fmt: skip
    assert (again.public_id, again.created) == (first.public_id, False)
    assert (Document.objects.count(), DocumentVersion.objects.count()) == before
    assert AuditEvent.objects.filter(event_type="documents.refiled").count() == 1
    # The key is kept only as a keyed digest.
    assert "abc-1" not in (first.source_key_digest or "")


def test_a_different_source_with_the_same_key_is_another_document():
    clerk = make_clerk()
    encounter = make_encounter()
    a = file_as(clerk, encounter=encounter, source="fhir", source_key="K1")
    b = file_as(clerk, encounter=encounter, source="hl7", source_key="K1")
    assert a.pk != b.pk


@pytest.mark.parametrize("role", [Role.SYSADMIN, Role.CODER, Role.AUDITOR])
def test_roles_without_a_filing_grant_are_refused_recorded_and_nothing_changes(role):
    encounter = make_encounter()
    actor = make_user([role]).user
    before = state()
    with pytest.raises(AccessDeniedError):
        file_as(actor, encounter=encounter)
    assert state() == before
    [denied] = AuditEvent.objects.filter(event_type="access.denied", actor_id=actor.pk)
    assert (denied.action, denied.resource_type, denied.patient_id, denied.data_category) == (
        "create", "document_index", encounter.patient_id, "progress_note",
    )  # fmt: skip


def test_a_clerk_may_not_file_a_restricted_type_without_clearance():
    clerk = make_clerk()
    encounter = make_encounter()
    before = state()
    for doc_type in ("psychotherapy_note", "substance_use_treatment_note"):
        with pytest.raises(AccessDeniedError):
            file_as(clerk, encounter=encounter, document_type=doc_type)
    with pytest.raises(AccessDeniedError):
        file_as(clerk, encounter=encounter, restrictions=("part2",))
    assert state() == before
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.pk).count() == 3


def test_a_physician_outside_the_care_team_may_not_author():
    encounter = make_encounter()
    outsider = make_user([Role.PHYSICIAN]).user
    with pytest.raises(AccessDeniedError):
        file_as(outsider, Purpose.TREATMENT, encounter=encounter, author=outsider, author_name=None)
    assert Document.objects.count() == 0


def test_the_attending_authors_a_note_as_the_care_team():
    document, doctor = authored_note()
    assert (document.author_id, document.filed_by_id) == (doctor.pk, doctor.pk)
    event = AuditEvent.objects.get(event_type="documents.filed")
    assert (event.resource_type, event.purpose) == ("document", "treatment")


def test_bad_inputs_are_refused_with_a_code_naming_the_field_and_nothing_changes():
    clerk = make_clerk()
    encounter = make_encounter()
    other = make_encounter()
    codes = DocumentsErrorCode
    cases = [
        (codes.UNKNOWN_DOCUMENT_TYPE, {"document_type": "shopping_list"}, "document_type"),
        (codes.UNKNOWN_SOURCE, {"source": "fax"}, "source"),
        (codes.INVALID_INPUT, {"title": "  "}, "title"),
        (codes.INVALID_INPUT, {"title": "x" * 201}, "title"),
        (codes.INVALID_INPUT, {"author_name": None}, "author"),
        (codes.INVALID_INPUT, {"service_date": clock.now() + timedelta(days=3)}, "service_date"),
        (codes.INVALID_INPUT, {"service_date": "2026-01-01"}, "service_date"),
        (codes.EMPTY_CONTENT, {"content": b""}, "content"),
        (
            codes.UNSUPPORTED_MEDIA,
            {"content": b"MZ\x90\x00binary", "media_type": "application/x-msdownload"},
            "content",
        ),
        (codes.UNSUPPORTED_MEDIA, {"content": b"\xff\xfe\x00bad", "media_type": "text/plain"}, "content"),
        (codes.UNSUPPORTED_MEDIA, {"content": b"%PDF-1.4 hello", "media_type": "image/png"}, "content"),
        (codes.DAMAGED_FILE, {"content": b"%PDF-1.4 not really a pdf", "media_type": "application/pdf"}, "content"),
        (codes.ENCOUNTER_MISMATCH, {"encounter_id": other.public_id}, "encounter_id"),
        (codes.INVALID_INPUT, {"restrictions": ("nonsense",)}, "restrictions"),
    ]
    for code, overrides, field in cases:
        error = refused(code, lambda o=overrides: file_as(clerk, encounter=encounter, **o))
        assert error.field == field, (code, field)


def test_an_unknown_patient_is_not_found_for_a_filer_and_a_refusal_for_others():
    import uuid

    clerk = make_clerk()
    with pytest.raises(DocumentsError) as caught:
        file_document(
            actor=clerk, purpose=OPS, patient_id=uuid.uuid4(), encounter_id=None, document_type="consent",
            title="T", content=b"x", media_type="text/plain", service_date=date(2026, 1, 1), author=None,
            author_name="A", source="manual", source_key=None,
        )  # fmt: skip
    assert caught.value.code is DocumentsErrorCode.NOT_FOUND
    sysadmin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        file_document(
            actor=sysadmin, purpose=OPS, patient_id=uuid.uuid4(), encounter_id=None, document_type="consent",
            title="T", content=b"x", media_type="text/plain", service_date=date(2026, 1, 1), author=None,
            author_name="A", source="manual", source_key=None,
        )  # fmt: skip


def test_a_new_version_keeps_the_old_one():
    clerk = make_clerk()
    document = file_as(clerk)
    v2 = add_version(
        actor=clerk, purpose=OPS, document=document, content=b"Revised text.", media_type="text/plain",
        reason_code="transcription_error",
    )  # fmt: skip
    document.refresh_from_db()
    v1 = DocumentVersion.objects.get(document=document, number=1)
    assert (document.current_version, v2.number, v2.kind, v2.replaces_id) == (2, 2, VersionKind.REVISION, v1.pk)
    assert read_document(v1.blob_address) == NOTE
    assert read_document(v2.blob_address) == b"Revised text."
    with pytest.raises(PermissionError):
        DocumentVersion.objects.filter(pk=v1.pk).update(size=0)
    with pytest.raises(PermissionError):
        v1.delete()
    v1.size = 1
    with pytest.raises(PermissionError):
        v1.save()


def test_a_signed_document_is_immutable_except_by_correction_or_addendum():
    document, doctor = authored_note()
    sign_document(actor=doctor, purpose=Purpose.TREATMENT, document=document)
    clerk = make_clerk()
    for actor, purpose in ((clerk, OPS), (doctor, Purpose.TREATMENT)):
        refused(
            DocumentsErrorCode.DOCUMENT_SIGNED,
            lambda a=actor, p=purpose: add_version(
                actor=a,
                purpose=p,
                document=document,
                content=b"changed",
                media_type="text/plain",
                reason_code="other",
            ),
        )
    addendum = add_addendum(
        actor=doctor, purpose=Purpose.TREATMENT, document=document, title="Addendum: culture result",
        content=b"Culture grew E. coli.", media_type="text/plain",
    )  # fmt: skip
    added = Document.objects.get(public_id=addendum.public_id)
    assert (added.kind, added.amends_id, added.author_id, added.auth_status) == (
        DocumentKind.ADDENDUM, document.pk, doctor.pk, AuthStatus.UNSIGNED,
    )  # fmt: skip
    correction = correct_document(
        actor=doctor, purpose=Purpose.TREATMENT, document=document, content=b"Corrected note.",
        media_type="text/plain", reason_code="clinical_error",
    )  # fmt: skip
    document.refresh_from_db()
    assert (correction.kind, correction.number, document.auth_status, document.status) == (
        VersionKind.CORRECTION, 2, AuthStatus.UNSIGNED, DocumentStatus.AMENDED,
    )  # fmt: skip
    # The signature stays on version 1.
    assert list(document.signatures.values_list("version__number", flat=True)) == [1]


def test_only_the_author_corrects_and_only_a_signed_document():
    document, doctor = authored_note()
    refused(
        DocumentsErrorCode.NOT_SIGNED,
        lambda: correct_document(
            actor=doctor,
            purpose=Purpose.TREATMENT,
            document=document,
            content=b"x",
            media_type="text/plain",
            reason_code="other",
        ),
    )
    refused(
        DocumentsErrorCode.NOT_SIGNED,
        lambda: add_addendum(
            actor=doctor,
            purpose=Purpose.TREATMENT,
            document=document,
            title="A",
            content=b"x",
            media_type="text/plain",
        ),
    )
    sign_document(actor=doctor, purpose=Purpose.TREATMENT, document=document)
    consultant = make_user([Role.PHYSICIAN]).user
    encounter_of(document).consulting.add(consultant)
    refused(
        DocumentsErrorCode.NOT_THE_AUTHOR,
        lambda: correct_document(
            actor=consultant,
            purpose=Purpose.TREATMENT,
            document=document,
            content=b"x",
            media_type="text/plain",
            reason_code="other",
        ),
    )


def test_no_plaintext_of_title_or_text_is_in_the_database():
    from django.db import connection

    marker = "Zyxwquark"
    clerk = make_clerk()
    file_as(clerk, title=f"Note about {marker}", content=f"The {marker} finding.".encode())
    with connection.cursor() as cursor:
        for table in ("documents_document", "documents_documentversion", "documents_texttoken", "audit_auditevent"):
            cursor.execute(f"SELECT * FROM {table}")
            for row in cursor.fetchall():
                for value in row:
                    raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
                    assert marker.encode() not in raw
                    assert marker.upper().encode() not in raw


def test_no_actor_is_refused_and_recorded():
    encounter = make_encounter()
    before = state()
    with pytest.raises(AccessDeniedError):
        file_as(None, encounter=encounter)
    assert state() == before
    denied = AuditEvent.objects.filter(event_type="access.denied", actor_id=None).latest("seq")
    assert (denied.resource_type, denied.patient_id) == ("document_index", encounter.patient_id)


def test_a_service_account_with_a_filing_role_files_for_an_interface():
    from recordroom.accounts.services import create_user

    feed = create_user(
        username="hl7-feed", display_name="HL7 feed", roles=[Role.HIM_CLERK], password=None, actor=None,
        is_service_account=True,
    )  # fmt: skip
    encounter = make_encounter()
    document = file_as(feed, encounter=encounter, source="hl7", source_key="MDM-1", author=encounter.attending)
    assert (document.filed_by_id, document.author_id, document.source) == (feed.pk, encounter.attending_id, "hl7")
