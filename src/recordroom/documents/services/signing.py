"""Authentication of documents: unsigned -> signed -> cosigned.

CMS Conditions of Participation, 42 CFR 482.24(c)(1): every entry is authenticated, dated and timed by the
person responsible for it; ONC 170.315 and HL7 CDA name the signer the *legal authenticator*. A cosignature
is a second responsible practitioner's (e.g. the attending for a resident's note; facility bylaws). The
signature is recorded on the version signed, with the signer and the time, and never edited. Policy
``document``/``sign`` as the care team; the signature is a ``documents.signed`` or ``documents.cosigned``
audit event.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.decisions import Principal
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.documents.audit_events import DocumentEvent
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import AuthStatus, Document, Signature, SignatureRole
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services.common import document_resource, relationships_for
from recordroom.documents.services.filing import current_version


def _lock(document: Document) -> Document:
    return Document.objects.select_for_update().select_related("patient").get(pk=document.pk)


def sign_document(
    *, actor: Principal, purpose: Purpose | None, document: Document, request: HttpRequest | None = None
) -> Signature:
    """Sign the current version as its author (or, for an outside document with no author account, as its
    legal authenticator). Refused with ``already_signed`` or ``not_the_author``; nothing is written then."""
    resource = document_resource(document, ResourceType.DOCUMENT, relationships_for(actor, document))
    permission = DocumentsPermission.SIGN_DOCUMENT
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    if document.author_id is not None and document.author_id != actor.pk:
        raise DocumentsError(DocumentsErrorCode.NOT_THE_AUTHOR, "Only the author signs a document; others cosign.")
    with transaction.atomic():
        locked = _lock(document)
        if locked.auth_status != AuthStatus.UNSIGNED:
            raise DocumentsError(DocumentsErrorCode.ALREADY_SIGNED, "This version of the document is already signed.")
        version = current_version(locked)
        now = clock.now()
        signature = Signature(
            document=locked, version=version, signer_id=actor.pk, role=SignatureRole.AUTHOR, signed_at=now
        )
        signature.save(force_insert=True)
        locked.auth_status = AuthStatus.SIGNED
        locked.updated_at = now
        locked.save(update_fields=["auth_status", "updated_at"])
        record(
            DocumentEvent.SIGNED, action=AuditAction.SIGN, outcome=Outcome.SUCCESS, actor=actor, request=request,
            detail={"version": version.number, "legal_authenticator": document.author_id is None},
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    document.refresh_from_db()
    return signature


def cosign_document(
    *, actor: Principal, purpose: Purpose | None, document: Document, request: HttpRequest | None = None
) -> Signature:
    """Cosign a signed document as a second authorized practitioner. Refused with ``not_signed`` (sign
    first), ``already_cosigned``, or ``same_signer`` (the signer cannot cosign their own signature)."""
    resource = document_resource(document, ResourceType.DOCUMENT, relationships_for(actor, document))
    permission = DocumentsPermission.SIGN_DOCUMENT
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    with transaction.atomic():
        locked = _lock(document)
        if locked.auth_status == AuthStatus.UNSIGNED:
            raise DocumentsError(DocumentsErrorCode.NOT_SIGNED, "The author has not signed this version yet.")
        if locked.auth_status == AuthStatus.COSIGNED:
            raise DocumentsError(
                DocumentsErrorCode.ALREADY_COSIGNED, "This version of the document is already cosigned."
            )
        version = current_version(locked)
        signed = Signature.objects.filter(version=version, role=SignatureRole.AUTHOR).first()
        if (signed is not None and signed.signer_id == actor.pk) or locked.author_id == actor.pk:
            raise DocumentsError(
                DocumentsErrorCode.SAME_SIGNER, "A cosignature is a second practitioner's, not the signer's."
            )
        now = clock.now()
        signature = Signature(
            document=locked, version=version, signer_id=actor.pk, role=SignatureRole.COSIGNER, signed_at=now
        )
        signature.save(force_insert=True)
        locked.auth_status = AuthStatus.COSIGNED
        locked.updated_at = now
        locked.save(update_fields=["auth_status", "updated_at"])
        record(
            DocumentEvent.COSIGNED, action=AuditAction.SIGN, outcome=Outcome.SUCCESS, actor=actor, request=request,
            detail={"version": version.number}, **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    document.refresh_from_db()
    return signature
