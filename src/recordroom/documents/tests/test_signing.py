"""Authentication: unsigned -> signed -> cosigned, with signer and time; refusals recorded, nothing
changed (42 CFR 482.24(c)(1))."""

from __future__ import annotations

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import AuthStatus, Signature, SignatureRole
from recordroom.documents.services import cosign_document, sign_document
from recordroom.documents.tests.factories import authored_note, encounter_of, make_clerk, make_document

pytestmark = pytest.mark.django_db
TX = Purpose.TREATMENT


def refused(code, call, document):
    before = (Signature.objects.count(), document.auth_status)
    with pytest.raises(DocumentsError) as caught:
        call()
    assert caught.value.code is code
    document.refresh_from_db()
    assert (Signature.objects.count(), document.auth_status) == before


def test_the_author_signs_and_the_attending_cosigns():
    document, resident = authored_note()
    with clock.frozen(clock.now()):
        signature = sign_document(actor=resident, purpose=TX, document=document)
        assert signature.signed_at == clock.now()
    assert (signature.role, signature.signer_id, signature.version.number) == (SignatureRole.AUTHOR, resident.pk, 1)
    assert document.auth_status == AuthStatus.SIGNED
    attending = make_user([Role.PHYSICIAN]).user
    encounter_of(document).consulting.add(attending)
    cosig = cosign_document(actor=attending, purpose=TX, document=document)
    assert (cosig.role, cosig.signer_id, document.auth_status) == (
        SignatureRole.COSIGNER,
        attending.pk,
        AuthStatus.COSIGNED,
    )
    assert list(AuditEvent.objects.filter(event_type__in=["documents.signed", "documents.cosigned"])
                .order_by("seq").values_list("event_type", "actor_id")) == [
        ("documents.signed", resident.pk), ("documents.cosigned", attending.pk),
    ]  # fmt: skip
    with pytest.raises(PermissionError):
        Signature.objects.filter(pk=cosig.pk).delete()


def test_signing_rules_are_refused_with_codes():
    document, author = authored_note()
    other = make_user([Role.PHYSICIAN]).user
    encounter_of(document).consulting.add(other)
    refused(
        DocumentsErrorCode.NOT_SIGNED, lambda: cosign_document(actor=other, purpose=TX, document=document), document
    )
    refused(
        DocumentsErrorCode.NOT_THE_AUTHOR, lambda: sign_document(actor=other, purpose=TX, document=document), document
    )
    sign_document(actor=author, purpose=TX, document=document)
    refused(
        DocumentsErrorCode.ALREADY_SIGNED, lambda: sign_document(actor=author, purpose=TX, document=document), document
    )
    refused(
        DocumentsErrorCode.SAME_SIGNER, lambda: cosign_document(actor=author, purpose=TX, document=document), document
    )
    cosign_document(actor=other, purpose=TX, document=document)
    refused(
        DocumentsErrorCode.ALREADY_COSIGNED,
        lambda: cosign_document(actor=other, purpose=TX, document=document),
        document,
    )


def test_an_outside_document_is_signed_by_a_care_team_physician_as_legal_authenticator():
    document = make_document()
    attending = encounter_of(document).attending
    sign_document(actor=attending, purpose=TX, document=document)
    event = AuditEvent.objects.get(event_type="documents.signed")
    assert event.detail_data["legal_authenticator"] is True


@pytest.mark.parametrize("role", [Role.HIM_CLERK, Role.CODER, Role.SYSADMIN, Role.PHYSICIAN])
def test_others_may_not_sign_and_the_refusal_is_recorded(role):
    document, _author = authored_note()
    actor = make_user([role]).user  # a physician here is outside the care team
    purpose = TX if role is Role.PHYSICIAN else Purpose.OPERATIONS
    with pytest.raises(AccessDeniedError):
        sign_document(actor=actor, purpose=purpose, document=document)
    document.refresh_from_db()
    assert (document.auth_status, Signature.objects.count()) == (AuthStatus.UNSIGNED, 0)
    [denied] = AuditEvent.objects.filter(event_type="access.denied", actor_id=actor.pk)
    assert (denied.action, denied.resource_type, denied.resource_id) == ("sign", "document", str(document.public_id))


def test_a_clerk_files_but_does_not_sign():
    clerk = make_clerk()
    document = make_document()
    with pytest.raises(AccessDeniedError):
        sign_document(actor=clerk, purpose=Purpose.OPERATIONS, document=document)
