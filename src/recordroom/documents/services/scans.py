"""Scanned paper: upload, text recognition in the background, and the indexing queue.

1. ``upload_scan``: a PDF, TIFF, PNG or JPEG (proved by its magic bytes, never the file name; at most the
   configured size, 50 MB by default; an encrypted or damaged PDF is refused) is stored sealed in the document
   store and queued. Policy ``document_index``/``create`` for type ``scanned_paper``.
2. ``process_scans`` (run by ``recordroom documents process-scans``): a durable job queue in the database —
   an item is claimed (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite serializes writers), its
   text recognized outside any transaction, then stored sealed. A PDF's embedded text layer is used where a
   page has one (pypdf); pages without one have their images recognized by Tesseract, as are TIFF, PNG and
   JPEG scans (decision 0005). A crashed worker's claim expires after ``STALE_CLAIM``; an item that fails
   ``MAX_ATTEMPTS`` times is marked failed and can still be indexed without text.
3. ``scan_queue`` / ``index_scan`` / ``reject_scan``: the HIM clerk confirms patient, encounter and document
   type; indexing files the document with the scan's own key and body (no re-encryption) and its OCR text
   indexed for search.

AHIMA practice brief "Electronic Document Management as a Component of the Electronic Health Record"
(quality control and indexing of scanned documents before they become part of the legal record).
"""

from __future__ import annotations

import io
import logging
import shutil
import subprocess
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.documents.audit_events import DocumentEvent
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import DocumentKind, ScannedItem, ScanState, Source, TextStatus
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services.common import (
    IMAGE_TYPES,
    PDF,
    PDF_ERRORS,
    CheckedContent,
    as_moment,
    check_content,
    check_document_type,
    check_title,
    new_resource,
)
from recordroom.documents.services.filing import FiledDocument, _insert, resolve_encounter, resolve_patient
from recordroom.encounters.models import Encounter
from recordroom.patients.models import Patient, PatientStatus
from recordroom.vault.services import put_document, read_document

logger = logging.getLogger("recordroom.documents")

SCAN_TYPE = "scanned_paper"
SCAN_MEDIA = IMAGE_TYPES | {PDF}
MAX_FILE_NAME = 255
MAX_ATTEMPTS = 3
STALE_CLAIM = timedelta(minutes=30)
OCR_TIMEOUT_SECONDS = 300
# A PDF page whose text layer has fewer words than this is treated as an image (a scan with a stray header).
MIN_PAGE_WORDS = 3
WORKER = "system:documents.process-scans"
REJECT_REASONS = ("blank_page", "duplicate", "not_a_health_record", "unreadable", "wrong_facility")
OPEN_STATES = (ScanState.QUEUED, ScanState.PROCESSING, ScanState.READY, ScanState.FAILED)


class OcrError(Exception):
    """Text recognition failed; ``code`` is recorded (no text, no file name)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def _scan_resource(resource_type: ResourceType, patient: Patient | None = None, item_id: str | None = None) -> Resource:
    return Resource(
        resource_type,
        id=item_id,
        patient_id=patient.pk if patient is not None else None,
        document_type=SCAN_TYPE,
        restrictions=patient.restriction_set() if patient is not None else frozenset(),
    )


def upload_scan(
    *,
    actor: Principal,
    purpose: Purpose | None,
    content: object,
    file_name: str | None = None,
    patient_id: uuid.UUID | str | None = None,
    request: HttpRequest | None = None,
) -> ScannedItem:
    """Queue a scanned file for text recognition and indexing (``patient_id`` if the batch cover sheet
    named the patient). Refused with ``too_large``, ``unsupported_media``, ``encrypted_pdf``,
    ``damaged_file`` or ``empty_content`` and nothing is written."""
    patient = resolve_patient(actor, purpose, patient_id, request) if patient_id else None
    permission = DocumentsPermission.FILE_DOCUMENT
    resource = _scan_resource(permission.resource_type, patient)
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    checked = check_content(content, "", allowed=set(SCAN_MEDIA))
    name = " ".join(str(file_name or "").split())[:MAX_FILE_NAME] or None
    item = ScannedItem(
        vault_subject=uuid.uuid4(), uploaded_by_id=actor.pk, file_name=name, media_type=checked.media_type,
        size=len(checked.body), pages=checked.pages, patient=patient, state=ScanState.QUEUED,
    )  # fmt: skip
    with transaction.atomic():
        stored = put_document(checked.body, subject_id=item.vault_subject)
        item.blob_address, item.sha256 = stored.address, stored.sha256
        item.save(force_insert=True)
        record(
            DocumentEvent.SCAN_UPLOADED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"scan_id": str(item.public_id), "media_type": checked.media_type,
                                     "pages": checked.pages, "size": stored.size},
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    return item


# ------------------------------------------------------------------------------------------- the worker


@dataclass(frozen=True)
class ProcessResult:
    processed: int
    failed: int
    retried: int
    remaining: int


def _claim(tried: set[int]) -> ScannedItem | None:
    """Claim the oldest queued item (or one whose worker died) in a short transaction of its own; an item
    this run already tried waits for the next run."""
    stale = clock.now() - STALE_CLAIM
    with transaction.atomic():
        queue = (
            ScannedItem.objects.filter(Q(state=ScanState.QUEUED) | Q(state=ScanState.PROCESSING, claimed_at__lt=stale))
            .exclude(pk__in=tried)
            .order_by("created_at", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            queue = queue.select_for_update(skip_locked=True)
        item = queue.first()
        if item is None:
            return None
        item.state = ScanState.PROCESSING
        item.claimed_at = clock.now()
        item.attempts += 1
        item.save(update_fields=["state", "claimed_at", "attempts", "updated_at"])
    return item


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _tesseract(image: bytes) -> str:
    """Run Debian's ``tesseract`` on one image given on stdin, text on stdout (no temporary file holds the
    page in the clear)."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise OcrError("ocr_unavailable")
    try:
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [binary, "stdin", "stdout", "-l", "eng"],
            input=image, capture_output=True, timeout=OCR_TIMEOUT_SECONDS, check=False,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        raise OcrError("ocr_timeout") from None
    if result.returncode != 0:
        raise OcrError("ocr_failed")
    return result.stdout.decode("utf-8", errors="replace").strip()


def recognize(body: bytes, media_type: str) -> tuple[str, str]:
    """The text of a scanned body and how it was obtained (``pdf_text``, ``ocr`` or ``pdf_text+ocr``)."""
    if media_type != PDF:
        return _tesseract(body), "ocr"
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(body))
        pages = list(reader.pages)
    except PDF_ERRORS:
        raise OcrError("damaged_file") from None
    texts: list[str] = []
    methods: set[str] = set()
    for page in pages:
        try:
            text = (page.extract_text() or "").strip()
        except PDF_ERRORS:
            text = ""
        if len(text.split()) >= MIN_PAGE_WORDS:
            texts.append(text)
            methods.add("pdf_text")
            continue
        try:
            images = [image.data for image in page.images]
        except PDF_ERRORS:
            raise OcrError("damaged_file") from None
        recognized = [_tesseract(data) for data in images]
        texts.append("\n".join(t for t in [text, *recognized] if t))
        methods.add("ocr")
    return "\n\n".join(t for t in texts if t).strip(), "+".join(sorted(methods)) or "none"


def process_scans(*, limit: int = 50) -> ProcessResult:
    """Recognize the text of up to ``limit`` queued items, oldest first; each item is committed on its own
    (a crash loses at most the item in hand, which is claimed again after ``STALE_CLAIM``)."""
    processed = failed = retried = 0
    tried: set[int] = set()
    for _ in range(max(0, limit)):
        item = _claim(tried)
        if item is None:
            break
        tried.add(item.pk)
        try:
            text, method = recognize(read_document(item.blob_address), item.media_type)
        except OcrError as exc:
            final = item.attempts >= MAX_ATTEMPTS
            _fail(item, exc.code, final=final)
            failed += int(final)
            retried += int(not final)
            continue
        with transaction.atomic():
            item.ocr_text = text or None
            item.text_method = method
            item.state = ScanState.READY
            item.error_code = ""
            item.save(update_fields=["ocr_text", "text_method", "state", "error_code", "updated_at"])
            record(
                DocumentEvent.SCAN_PROCESSED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, on_behalf_of=WORKER,
                resource_type=ResourceType.DOCUMENT_INDEX.value, resource_id=str(item.public_id),
                patient_id=item.patient_id, data_category=SCAN_TYPE,
                detail={"method": method, "words": len(text.split()), "attempt": item.attempts},
            )  # fmt: skip
        processed += 1
    remaining = ScannedItem.objects.filter(state=ScanState.QUEUED).count()
    return ProcessResult(processed=processed, failed=failed, retried=retried, remaining=remaining)


def _fail(item: ScannedItem, code: str, *, final: bool) -> None:
    logger.warning("scan %s: text recognition failed (%s), attempt %s", item.public_id, code, item.attempts)
    with transaction.atomic():
        item.state = ScanState.FAILED if final else ScanState.QUEUED
        item.error_code = code[:32]
        item.save(update_fields=["state", "error_code", "updated_at"])
        record(
            DocumentEvent.SCAN_FAILED, action=AuditAction.UPDATE, outcome=Outcome.FAILURE, on_behalf_of=WORKER,
            resource_type=ResourceType.DOCUMENT_INDEX.value, resource_id=str(item.public_id),
            patient_id=item.patient_id, data_category=SCAN_TYPE,
            detail={"error": code[:32], "attempt": item.attempts, "final": final},
        )  # fmt: skip


# ------------------------------------------------------------------------------------------- the indexing queue


def scan_queue(*, actor: Principal, purpose: Purpose | None, request: HttpRequest | None = None) -> list[ScannedItem]:
    """Scanned items not yet indexed or rejected, oldest first; ``document_index``/``search`` on
    ``scanned_paper``, recorded with the count."""
    permission = DocumentsPermission.LIST_DOCUMENTS
    resource = _scan_resource(permission.resource_type)
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    items = list(
        ScannedItem.objects.filter(state__in=OPEN_STATES).select_related("uploaded_by").order_by("created_at", "pk")
    )
    record(
        DocumentEvent.SCAN_QUEUE_VIEWED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor,
        request=request, detail={"results": len(items)}, **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return items


def find_scan(public_id: uuid.UUID | str) -> ScannedItem | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return ScannedItem.objects.filter(public_id=key).select_related("patient", "uploaded_by").first()


def read_scan(
    *, actor: Principal, purpose: Purpose | None, item: ScannedItem, request: HttpRequest | None = None
) -> tuple[bytes, str | None]:
    """The scanned body and its recognized text for the indexing screen: ``document``/``read`` on type
    ``scanned_paper`` (the indexing clerk's grant), recorded as ``documents.content_opened``."""
    permission = DocumentsPermission.READ_CONTENT
    resource = _scan_resource(permission.resource_type, item.patient, str(item.public_id))
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    body = read_document(item.blob_address)
    record(
        DocumentEvent.CONTENT_OPENED, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=actor, request=request,
        detail={"scan_id": str(item.public_id), "media_type": item.media_type},
        **audit_fields(decision, resource, purpose),
    )  # fmt: skip
    return body, item.ocr_text


def may_read_scans(actor: Principal, purpose: Purpose | None) -> bool:
    from recordroom.access.decisions import authorize

    permission = DocumentsPermission.READ_CONTENT
    return authorize(actor, permission.action, _scan_resource(permission.resource_type), purpose).allowed


def _resolve_encounter_number(patient: Patient, number: int | None) -> Encounter | None:
    if number is None:
        return None
    encounter = Encounter.objects.filter(number=number, patient=patient).first()
    if encounter is None:
        raise DocumentsError(
            DocumentsErrorCode.ENCOUNTER_MISMATCH, "That encounter is not one of this patient's.", field="encounter"
        )
    return encounter


def index_scan(
    *,
    actor: Principal,
    purpose: Purpose | None,
    item: ScannedItem,
    patient_id: uuid.UUID | str,
    document_type: str,
    title: str,
    service_date: datetime | date,
    encounter_id: uuid.UUID | str | None = None,
    encounter_number: int | None = None,
    author_name: str | None = None,
    request: HttpRequest | None = None,
) -> FiledDocument:
    """File a scanned item as a document of ``patient_id`` of ``document_type`` (confirmed by the clerk):
    ``document_index``/``create`` for that patient and type. The document keeps the scan's key and body
    (no re-encryption) and its recognized text. Refused with ``not_indexable`` once indexed or rejected,
    or while recognition is still running."""
    doc_type = check_document_type(document_type)
    patient = resolve_patient(actor, purpose, patient_id, request)
    permission = DocumentsPermission.FILE_DOCUMENT
    resource = new_resource(patient, doc_type, (), permission.resource_type)
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    if item.state not in (ScanState.READY, ScanState.FAILED):
        raise DocumentsError(
            DocumentsErrorCode.NOT_INDEXABLE,
            "This scan is already indexed or rejected, or its text recognition has not finished.",
        )
    if patient.status == PatientStatus.MERGED:
        raise DocumentsError(
            DocumentsErrorCode.PATIENT_NOT_ACTIVE, "That patient record was merged into another.", field="patient_id"
        )
    encounter = (
        resolve_encounter(patient, encounter_id)
        if encounter_id
        else _resolve_encounter_number(patient, encounter_number)
    )
    checked_title = check_title(title)
    moment = as_moment(service_date, "service_date")
    name = " ".join(str(author_name or "").split())[:200] or None
    text = item.ocr_text
    checked = CheckedContent(body=b"", media_type=item.media_type, pages=item.pages, text=text)
    with transaction.atomic():
        locked = ScannedItem.objects.select_for_update().get(pk=item.pk)
        if locked.state not in (ScanState.READY, ScanState.FAILED):
            raise DocumentsError(DocumentsErrorCode.NOT_INDEXABLE, "This scan was indexed or rejected meanwhile.")
        document = _insert(
            actor,
            patient,
            encounter=encounter,
            doc_type=doc_type,
            title=checked_title,
            author=None,
            author_name=name,
            service_date=moment,
            dictated_at=None,
            restrictions=[],
            source=Source.SCAN,
            digest=None,
            checked=checked,
            kind=DocumentKind.ORIGINAL,
            subject=locked.vault_subject,
            blob=(locked.blob_address, locked.size, locked.sha256),
            text_status=TextStatus.OCR if text else TextStatus.NONE,
        )
        locked.state = ScanState.INDEXED
        locked.document = document
        locked.patient = patient
        locked.indexed_by_id = actor.pk
        locked.indexed_at = clock.now()
        locked.save(update_fields=["state", "document", "patient", "indexed_by", "indexed_at", "updated_at"])
        record(
            DocumentEvent.SCAN_INDEXED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"scan_id": str(locked.public_id), "document_id": str(document.public_id),
                                     "has_text": bool(text)},
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    item.refresh_from_db()
    return FiledDocument(public_id=document.public_id, version=1, created=True)


def reject_scan(
    *,
    actor: Principal,
    purpose: Purpose | None,
    item: ScannedItem,
    reason_code: str,
    request: HttpRequest | None = None,
) -> ScannedItem:
    """Take a scanned item off the queue without filing it (a blank page, a duplicate, not a health record);
    the body stays in the store for the retention schedule. ``document_index``/``update``."""
    permission = DocumentsPermission.REVISE_INDEX
    resource = _scan_resource(permission.resource_type, item.patient, str(item.public_id))
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    if reason_code not in REJECT_REASONS:
        raise DocumentsError(DocumentsErrorCode.INVALID_INPUT, "Choose a reason.", field="reason_code")
    with transaction.atomic():
        locked = ScannedItem.objects.select_for_update().get(pk=item.pk)
        if locked.state not in OPEN_STATES:
            raise DocumentsError(DocumentsErrorCode.NOT_INDEXABLE, "This scan is already indexed or rejected.")
        locked.state = ScanState.REJECTED
        locked.error_code = reason_code
        locked.indexed_by_id = actor.pk
        locked.indexed_at = clock.now()
        locked.save(update_fields=["state", "error_code", "indexed_by", "indexed_at", "updated_at"])
        record(
            DocumentEvent.SCAN_REJECTED, action=AuditAction.UPDATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"scan_id": str(locked.public_id), "reason": reason_code},
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    item.refresh_from_db()
    return item
