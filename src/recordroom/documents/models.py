"""Clinical documents of the legal health record, their versions and signatures, the text-search tokens,
scanned paper waiting to be indexed, and the patients' amendment requests.

What is sealed by the vault (HIPAA 164.312(a)(2)(iv); docs/security/encryption.md): the title, an outside
author's name, the extracted text of every version, the source system's key (kept only as a keyed digest),
the scanned item's file name and OCR text, and every free text of an amendment request. The bodies live in
the encrypted document store (``vault.services.put_document``), sealed to the document's own
``vault_subject``, so a patient merge moves a document by changing its ``patient`` column only.

In the clear, because the access policy and the screens must read them before anything is opened: the
document type, kind, status, restriction codes, dates of service, dictation and receipt, and sizes.

A version is never overwritten (``DocumentVersion`` accepts inserts and the one-time setting of its
extracted text only); signatures are append-only (``Signature``). Sources: ONC 170.315 legal authenticator
(HL7 CDA ``legalAuthenticator``), CMS Conditions of Participation 42 CFR 482.24(c)(1) (entries authenticated,
dated and timed by the person responsible), AHIMA "Amendments in the Electronic Health Record" (addenda,
late entries, corrections), 45 CFR 164.526 (amendment of PHI).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from recordroom.core import clock
from recordroom.core.models import TimeStampedModel
from recordroom.vault.fields import EncryptedJSONField, EncryptedTextField, VaultSubjectField

# Search-token digests are 32 hex characters (vault.blind_index.DIGEST_LENGTH).
TOKEN_LENGTH = 32


class DocumentKind(models.TextChoices):
    """What a document is to the record (AHIMA, "Amendments in the Electronic Health Record"): an original
    entry, an addendum to a signed document (``amends`` points at it), or a late entry (documented after
    the time it should have been, marked so with its real time of writing)."""

    ORIGINAL = "original", "Original"
    ADDENDUM = "addendum", "Addendum"
    LATE_ENTRY = "late_entry", "Late entry"


class AuthStatus(models.TextChoices):
    """Authentication status (HL7 v2 TXA-17 / CDA legalAuthenticator; 42 CFR 482.24(c)(1))."""

    UNSIGNED = "unsigned", "Unsigned"
    SIGNED = "signed", "Signed"
    COSIGNED = "cosigned", "Cosigned"


class DocumentStatus(models.TextChoices):
    CURRENT = "current", "Current"
    AMENDED = "amended", "Amended"


class Source(models.TextChoices):
    MANUAL = "manual", "Entered or uploaded by hand"
    FHIR = "fhir", "FHIR import"
    HL7 = "hl7", "HL7 v2 interface"
    SYNTH = "synth", "Synthetic hospital"
    SCAN = "scan", "Scanned paper"


class Document(TimeStampedModel):
    vault_subject = VaultSubjectField()
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    encounter = models.ForeignKey(
        "encounters.Encounter", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    document_type = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=DocumentKind.choices, default=DocumentKind.ORIGINAL)
    amends = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="addenda")
    title = EncryptedTextField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    author_name = EncryptedTextField(null=True, blank=True)
    service_date = models.DateTimeField()
    dictated_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=clock.now)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.CURRENT)
    auth_status = models.CharField(max_length=16, choices=AuthStatus.choices, default=AuthStatus.UNSIGNED)
    restrictions = models.JSONField(default=list, blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    # NULL, not "", for documents without a source key: the unique constraint must not pair them up.
    source_key_digest = models.CharField(max_length=TOKEN_LENGTH, null=True, blank=True)  # noqa: DJ001
    current_version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "source_key_digest"], name="documents_document_source_key")
        ]
        indexes = [
            models.Index(fields=["patient", "service_date"], name="documents_patient_date"),
            models.Index(fields=["encounter"], name="documents_encounter"),
        ]

    def __str__(self) -> str:
        return f"document {self.public_id}"

    def restriction_codes(self) -> list[str]:
        return list(self.restrictions or ())


class VersionKind(models.TextChoices):
    """Why a version exists: the first body, a revision before signing, a correction of a signed entry by
    its author, or an amendment (164.526(c)(1): the amendment is appended and linked, never replacing)."""

    ORIGINAL = "original", "Original"
    REVISION = "revision", "Revision before signing"
    CORRECTION = "correction", "Correction"
    AMENDMENT = "amendment", "Amendment"


class TextStatus(models.TextChoices):
    NONE = "none", "No text"
    EXTRACTED = "extracted", "Text extracted"
    OCR = "ocr", "Text by OCR"


class DocumentVersionQuerySet(models.QuerySet["DocumentVersion"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("document versions are never edited; add a version instead")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("document versions are never deleted")


class DocumentVersion(TimeStampedModel):
    """One body of a document. ``vault_subject`` is the document's (copied, so the sealed text opens without
    a join); ``replaces`` is the version this one follows."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="versions")
    vault_subject = models.UUIDField(editable=False)
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=VersionKind.choices, default=VersionKind.ORIGINAL)
    replaces = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    blob_address = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    text = EncryptedTextField(null=True, blank=True)
    text_status = models.CharField(max_length=16, choices=TextStatus.choices, default=TextStatus.NONE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason_code = models.CharField(max_length=32, blank=True)

    objects = DocumentVersionQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="documents_version_number")]

    def __str__(self) -> str:
        return f"document version {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and set(kwargs.get("update_fields") or ()) - {"text", "text_status", "updated_at"}:
            raise PermissionError("a document version's body is never changed; add a version instead")
        if self.pk is not None and not kwargs.get("update_fields"):
            raise PermissionError("a document version is saved once; only its extracted text may be set")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("document versions are never deleted")


class SignatureRole(models.TextChoices):
    """HL7 v2 TXA-22 authentication: the author's signature (legal authenticator), or a cosignature by a
    second responsible practitioner (e.g. the attending for a resident's note; 42 CFR 482.24(c)(1))."""

    AUTHOR = "author", "Signed"
    COSIGNER = "cosigner", "Cosigned"


class SignatureQuerySet(models.QuerySet["Signature"]):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("signatures are never edited")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("signatures are never deleted")


class Signature(TimeStampedModel):
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="signatures")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="signatures")
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=16, choices=SignatureRole.choices)
    signed_at = models.DateTimeField()

    objects = SignatureQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "role"], name="documents_signature_once_per_role")]

    def __str__(self) -> str:
        return f"signature {self.public_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("signatures are never edited")
        super().save(*args, **kwargs)


class TextToken(models.Model):
    """One word of a version's text as a keyed digest (no plaintext in the database; decision 0005)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(DocumentVersion, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=TOKEN_LENGTH)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "digest"], name="documents_token_once")]
        indexes = [models.Index(fields=["digest", "document"], name="documents_token_digest")]

    def __str__(self) -> str:
        return f"token of {self.version_id}"


class ScanState(models.TextChoices):
    """The durable job state of a scanned item: queued for OCR, being processed, ready for indexing,
    failed (the clerk may still index it without text), indexed into a document, or rejected."""

    QUEUED = "queued", "Queued for text recognition"
    PROCESSING = "processing", "Text recognition running"
    READY = "ready", "Ready for indexing"
    FAILED = "failed", "Text recognition failed"
    INDEXED = "indexed", "Indexed"
    REJECTED = "rejected", "Rejected"


class ScannedItem(TimeStampedModel):
    """A scanned paper upload waiting for text recognition and for a clerk to confirm whose it is."""

    vault_subject = VaultSubjectField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file_name = EncryptedTextField(null=True, blank=True)
    blob_address = models.CharField(max_length=64)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    pages = models.PositiveIntegerField(default=0)
    patient = models.ForeignKey("patients.Patient", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=ScanState.choices, default=ScanState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    ocr_text = EncryptedTextField(null=True, blank=True)
    text_method = models.CharField(max_length=16, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    document = models.OneToOneField(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="scanned_item"
    )
    indexed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    indexed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "created_at"], name="documents_scan_queue")]

    def __str__(self) -> str:
        return f"scanned item {self.public_id}"


class AmendmentStatus(models.TextChoices):
    OPEN = "open", "Open"
    EXTENDED = "extended", "Extended (written notice of delay sent)"
    ACCEPTED = "accepted", "Accepted"
    DENIED = "denied", "Denied"


class DenialBasis(models.TextChoices):
    """45 CFR 164.526(a)(2): the only grounds on which a covered entity may deny an amendment."""

    NOT_CREATED_BY_ENTITY = "not_created", "Not created by us (164.526(a)(2)(i))"
    NOT_IN_DESIGNATED_RECORD_SET = "not_in_record_set", "Not part of the designated record set (164.526(a)(2)(ii))"
    NOT_AVAILABLE_FOR_INSPECTION = "not_accessible", "Not available for inspection under 164.524 (164.526(a)(2)(iii))"
    ACCURATE_AND_COMPLETE = "accurate_complete", "Accurate and complete (164.526(a)(2)(iv))"


class AmendmentRequest(TimeStampedModel):
    """A patient's request to amend a document (45 CFR 164.526) with every step linked to it: the written
    notice of delay (164.526(b)(2)(ii)), the amendment version and whom to notify (164.526(c)), or the written
    denial (164.526(d)(1)), the statement of disagreement (164.526(d)(1)(iii), (d)(2)) and the rebuttal
    (164.526(d)(3)). Free text is sealed with the document's key."""

    vault_subject = models.UUIDField(editable=False)
    patient = models.ForeignKey("patients.Patient", on_delete=models.PROTECT, related_name="+")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="amendment_requests")
    received_on = models.DateField()
    requested_change = EncryptedTextField()
    reason = EncryptedTextField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=AmendmentStatus.choices, default=AmendmentStatus.OPEN)
    due_on = models.DateField()
    extension_notice_on = models.DateField(null=True, blank=True)
    extension_reason = EncryptedTextField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    amendment_version = models.ForeignKey(
        DocumentVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notify = EncryptedJSONField(null=True, blank=True)
    denial_basis = models.CharField(max_length=24, choices=DenialBasis.choices, blank=True)
    denial_explanation = EncryptedTextField(null=True, blank=True)
    disagreement_on = models.DateField(null=True, blank=True)
    disagreement = EncryptedTextField(null=True, blank=True)
    rebuttal_on = models.DateField(null=True, blank=True)
    rebuttal = EncryptedTextField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["status", "due_on"], name="documents_amendment_worklist")]

    def __str__(self) -> str:
        return f"amendment request {self.public_id}"
