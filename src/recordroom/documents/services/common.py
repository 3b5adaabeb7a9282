"""Checks and helpers shared by the documents services: the access-policy view of a document, the care-team
relationship, content checks (size, media type by magic bytes, encrypted PDFs), text extraction and the
sealed search tokens. Each check raises :class:`DocumentsError` before anything is written."""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html.parser import HTMLParser
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from pypdf.errors import PyPdfError

from recordroom.access.decisions import Decision, Principal, Resource, authorize
from recordroom.access.policy import active_policy
from recordroom.access.services import enforce
from recordroom.config import env_int
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, Relationship, ResourceType, Restriction
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import Document, DocumentVersion, TextToken
from recordroom.documents.permissions import DocumentsPermission
from recordroom.encounters.models import Encounter
from recordroom.patients.models import Patient
from recordroom.vault.blind_index import IndexKind, digest

# What pypdf raises on a malformed file: its own errors and the plain ones its parser lets through.
PDF_ERRORS: tuple[type[Exception], ...] = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    OSError,
    RecursionError,
    ZeroDivisionError,
)

MB = 1024 * 1024
# Largest body accepted (an upload or a filed document): RECORDROOM_DOCUMENT_MAX_MB, default 50 MB.
DEFAULT_MAX_MB = 50
READ_CHUNK = 1 << 20
MAX_TITLE = 200
MAX_AUTHOR_NAME = 200
# How far ahead a date of service may be (a procedure documented the evening before); more is a typo.
MAX_AHEAD = timedelta(days=1)
# Words kept per version for search (a 500-page scan stays bounded); longer words are not words.
MAX_TOKENS = 20_000
MAX_TOKEN_CHARS = 40
TEXT_SCOPE = "documents.text"

TEXT_TYPES = {"text/plain", "text/markdown", "text/html", "text/xml", "application/xml"}
PDF = "application/pdf"
IMAGE_TYPES = {"image/png", "image/tiff", "image/jpeg"}
MEDIA_TYPES = TEXT_TYPES | {PDF} | IMAGE_TYPES
# Media types a browser may render inline from the viewer (HTML and XML never are: script).
INLINE_TYPES = {PDF} | IMAGE_TYPES


def max_upload_bytes() -> int:
    """The size limit for one body, from settings ``RECORDROOM_DOCUMENT_MAX_BYTES`` or the environment
    (``RECORDROOM_DOCUMENT_MAX_MB``)."""
    configured = getattr(settings, "RECORDROOM_DOCUMENT_MAX_BYTES", None)
    if configured:
        return int(configured)
    return env_int("DOCUMENT_MAX_MB", DEFAULT_MAX_MB, minimum=1, maximum=2048) * MB


def invalid(field: str, rule: str, code: DocumentsErrorCode = DocumentsErrorCode.INVALID_INPUT) -> DocumentsError:
    return DocumentsError(code, f"{field.replace('_', ' ').capitalize()} {rule}.", field=field)


# ------------------------------------------------------------------------------------------- the policy


def document_type_labels() -> dict[str, str]:
    """Every document type the active policy defines, code -> label (the policy is the vocabulary)."""
    return {code: doc_type.label for code, doc_type in active_policy().document_types.items()}


def check_document_type(code: object) -> str:
    if not isinstance(code, str) or code not in active_policy().document_types:
        raise invalid(
            "document_type", "is not a document type the policy defines", DocumentsErrorCode.UNKNOWN_DOCUMENT_TYPE
        )
    return code


def check_restrictions(values: Iterable[str | Restriction]) -> list[str]:
    codes: set[str] = set()
    for value in values:
        try:
            codes.add(Restriction(value).value)
        except ValueError:
            raise invalid("restrictions", "holds an unknown restriction code") from None
    return sorted(codes)


def patient_care_team(actor: Principal, patient: Patient) -> bool:
    """Whether ``actor`` is the attending or a consulting physician of any of the patient's encounters.

    The care-team relationship scopes a physician's document grants (policy ``scope = "care_team"``,
    minimum necessary 164.514(d)(2)): the treating physicians, not every physician of the hospital."""
    return Encounter.objects.filter(patient=patient).filter(Q(attending_id=actor.pk) | Q(consulting=actor.pk)).exists()


def relationships_for(
    actor: Principal, document: Document, *, on_patient_team: bool | None = None
) -> frozenset[Relationship]:
    """The relationships documents can establish itself: the care team (the author, the document's
    encounter's attending or consultants, or any encounter's of the patient)."""
    if document.author_id is not None and document.author_id == actor.pk:
        return frozenset({Relationship.CARE_TEAM})
    if on_patient_team is None:
        on_patient_team = patient_care_team(actor, document.patient)
    return frozenset({Relationship.CARE_TEAM}) if on_patient_team else frozenset()


def document_resource(
    document: Document,
    resource_type: ResourceType,
    relationships: frozenset[Relationship] = frozenset(),
    *,
    patient: Patient | None = None,
) -> Resource:
    """The access-policy view of one document: its type (whose own restriction, e.g. psychotherapy, the
    policy adds), the patient's restrictions (VIP, ...) and the document's (part2, hiv, ...)."""
    person = patient or document.patient
    restrictions = person.restriction_set() | frozenset(Restriction(r) for r in document.restriction_codes())
    return Resource(
        resource_type,
        id=str(document.public_id),
        patient_id=person.pk,
        document_type=document.document_type,
        restrictions=restrictions,
        relationships=relationships,
    )


def new_resource(
    patient: Patient,
    document_type: str,
    restrictions: Iterable[str],
    resource_type: ResourceType,
    relationships: frozenset[Relationship] = frozenset(),
) -> Resource:
    """The policy view of a document about to be filed (it has no id yet)."""
    return Resource(
        resource_type,
        patient_id=patient.pk,
        document_type=document_type,
        restrictions=patient.restriction_set() | frozenset(Restriction(r) for r in restrictions),
        relationships=relationships,
    )


def with_type(resource: Resource, resource_type: ResourceType) -> Resource:
    return Resource(
        resource_type,
        id=resource.id,
        patient_id=resource.patient_id,
        document_type=resource.document_type,
        restrictions=resource.restrictions,
        relationships=resource.relationships,
    )


def enforce_either(
    actor: Principal | None,
    content: DocumentsPermission,
    index: DocumentsPermission,
    resource: Resource,
    purpose: Purpose | None,
    *,
    request: Any = None,
) -> tuple[Decision, Resource]:
    """Allow the work as ``content`` (a care-team author writing content) or else as ``index`` (a clerk or an
    interface filing it). Only the second is enforced, so a refusal is recorded once, as the filing grant."""
    as_content = with_type(resource, content.resource_type)
    decision = authorize(actor, content.action, as_content, purpose)
    if decision.allowed:
        return decision, as_content
    as_index = with_type(resource, index.resource_type)
    return enforce(actor, index.action, as_index, purpose, request=request), as_index


# ------------------------------------------------------------------------------------------- input checks


def check_title(value: object) -> str:
    text = " ".join(str(value or "").split())
    if not text or len(text) > MAX_TITLE:
        raise invalid("title", f"has 1-{MAX_TITLE} characters")
    return text


def check_author_name(value: object | None) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())
    if not text:
        return None
    if len(text) > MAX_AUTHOR_NAME:
        raise invalid("author_name", f"has at most {MAX_AUTHOR_NAME} characters")
    return text


def as_moment(value: object, field: str) -> datetime:
    """A date of service as a moment: a date is midnight of that day in the facility's time zone."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise invalid(field, "needs a time zone")
        moment = value
    elif isinstance(value, date):
        moment = timezone.make_aware(datetime.combine(value, time.min))
    else:
        raise invalid(field, "is a date or a date and time")
    if moment > clock.now() + MAX_AHEAD:
        raise invalid(field, "is more than a day in the future")
    return moment


def optional_moment(value: object | None, field: str) -> datetime | None:
    return None if value is None else as_moment(value, field)


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


# ------------------------------------------------------------------------------------------- content


@dataclass(frozen=True)
class CheckedContent:
    body: bytes
    media_type: str
    pages: int
    text: str | None


def sniff(body: bytes) -> str | None:
    """The media type a body's first bytes prove (ISO 32000-1 7.5.2 ``%PDF-``; PNG signature, RFC 2083;
    TIFF II*/MM* header, TIFF 6.0; JPEG SOI marker), or ``None`` for anything else. Never the file name."""
    if body.startswith(b"%PDF-"):
        return PDF
    if body.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if body.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if body.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _pdf_pages_and_text(body: bytes) -> tuple[int, list[str]]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(body))
        encrypted = reader.is_encrypted
    except PDF_ERRORS:
        raise DocumentsError(
            DocumentsErrorCode.DAMAGED_FILE, "The PDF could not be read; it may be damaged.", field="content"
        ) from None
    if encrypted:
        raise DocumentsError(
            DocumentsErrorCode.ENCRYPTED_PDF,
            "The PDF is encrypted or password-protected; save an unprotected copy and upload that.",
            field="content",
        )
    try:
        texts = [page.extract_text() or "" for page in reader.pages]
    except PDF_ERRORS:
        raise DocumentsError(
            DocumentsErrorCode.DAMAGED_FILE, "The PDF could not be read; it may be damaged.", field="content"
        ) from None
    return len(texts), texts


def _image_pages(body: bytes) -> int:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(body)) as image:
            image.verify()
        with Image.open(io.BytesIO(body)) as image:
            return int(getattr(image, "n_frames", 1))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise DocumentsError(
            DocumentsErrorCode.DAMAGED_FILE, "The image could not be read; it may be damaged.", field="content"
        ) from None


class _TextOnly(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in {"script", "style"}:
            self._skip += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"} and self._skip:
            self._skip -= 1
        elif tag in {"p", "br", "div", "tr", "li", "section", "paragraph", "title"}:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def markup_text(text: str) -> str:
    """The readable text of HTML or XML (CDA narrative): tags, scripts and styles dropped."""
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    return re.sub(r"\n\s*\n+", "\n\n", "".join(parser.parts)).strip()


def read_limited(content: object, limit: int) -> bytes:
    """The whole body from bytes or a file-like object, refusing more than ``limit`` bytes without reading
    past the limit (a 200 MB upload is refused after limit + 1 bytes)."""
    if isinstance(content, bytes | bytearray | memoryview):
        body = bytes(content)
    else:
        read = getattr(content, "read", None)
        if read is None:
            raise invalid("content", "is bytes or a file")
        size = getattr(content, "size", None)
        if isinstance(size, int) and size > limit:
            raise _too_large(limit)
        parts: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = read(min(READ_CHUNK, limit + 1 - total))
            if not chunk:
                break
            if not isinstance(chunk, bytes):
                raise invalid("content", "is bytes or a file opened in binary mode")
            parts.append(chunk)
            total += len(chunk)
        body = b"".join(parts)
    if len(body) > limit:
        raise _too_large(limit)
    return body


def _too_large(limit: int) -> DocumentsError:
    return DocumentsError(
        DocumentsErrorCode.TOO_LARGE, f"The file is larger than the limit of {limit // MB} MB.", field="content"
    )


def check_content(content: object, media_type: object, *, allowed: set[str] | None = None) -> CheckedContent:
    """Size limit, declared media type proved by the body's magic bytes (a text type must be UTF-8 text
    without NUL bytes), encrypted or damaged PDFs and images refused; returns the text a body carries (text
    types, and a PDF's embedded text layer) or ``None`` (images wait for OCR)."""
    body = read_limited(content, max_upload_bytes())
    if not body:
        raise DocumentsError(DocumentsErrorCode.EMPTY_CONTENT, "The document has no content.", field="content")
    declared = str(media_type or "").split(";", 1)[0].strip().lower()
    permitted = allowed if allowed is not None else MEDIA_TYPES
    sniffed = sniff(body)
    if declared in TEXT_TYPES and declared in permitted:
        if sniffed is not None or b"\x00" in body:
            raise _unsupported("is not text")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise _unsupported("is not UTF-8 text") from None
        plain = markup_text(text) if declared in {"text/html", "text/xml", "application/xml"} else text
        return CheckedContent(body=body, media_type=declared, pages=1, text=plain)
    if sniffed is None or sniffed not in permitted:
        raise _unsupported(
            "is not a PDF, PNG, TIFF or JPEG file" if allowed is None else "is not an accepted file type"
        )
    if declared and declared not in {sniffed, "application/octet-stream"}:
        raise _unsupported(f"is declared as {declared[:60]} but its content is {sniffed}")
    if sniffed == PDF:
        pages, texts = _pdf_pages_and_text(body)
        joined = "\n\n".join(t.strip() for t in texts).strip()
        return CheckedContent(body=body, media_type=PDF, pages=pages, text=joined or None)
    return CheckedContent(body=body, media_type=sniffed, pages=_image_pages(body), text=None)


def _unsupported(rule: str) -> DocumentsError:
    return DocumentsError(DocumentsErrorCode.UNSUPPORTED_MEDIA, f"The file {rule}.", field="content")


# ------------------------------------------------------------------------------------------- search tokens

_NOT_WORD = re.compile(r"[^A-Z0-9]+")


def words(text: str) -> list[str]:
    """A text as upper-case ASCII word tokens, accents folded ("Näsal  polyp-ectomy" -> NASAL POLYP ECTOMY);
    one-letter tokens dropped."""
    folded = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(ch for ch in folded if not unicodedata.combining(ch)).upper()
    return [w for w in _NOT_WORD.split(ascii_only) if 2 <= len(w) <= MAX_TOKEN_CHARS]


def token_digest(word: str) -> str:
    """A word's keyed digest for document search: the vault's blind-index HMAC (key never in the database)
    over the scope-prefixed word, so document tokens never equal name-search tokens (decision 0005)."""
    return digest(IndexKind.NAME, f"{TEXT_SCOPE} {word}")


def text_digests(text: str) -> set[str]:
    distinct = list(dict.fromkeys(words(text)))[:MAX_TOKENS]
    return {token_digest(word) for word in distinct}


def index_text(version: DocumentVersion, text: str | None) -> int:
    """Store the search tokens of one version's text (inside the caller's transaction)."""
    if not text:
        return 0
    tokens = [TextToken(document_id=version.document_id, version=version, digest=d) for d in sorted(text_digests(text))]
    TextToken.objects.bulk_create(tokens, batch_size=2000)
    return len(tokens)


def source_key_digest(source: str, source_key: str | None) -> str | None:
    """A source system's document id as a keyed digest (an outside id can carry PHI, e.g. an accession
    number), so re-filing finds the document without the id in the clear."""
    if source_key is None:
        return None
    key = str(source_key).strip()
    if not key:
        return None
    if len(key) > 256:
        raise invalid("source_key", "has at most 256 characters")
    return digest(IndexKind.MEMBER_ID, f"documents.source {source} {key}")
