"""A patient's right to amend: 45 CFR 164.526.

- (b)(2)(i): act on the request no later than 60 days after receipt: accept (amend) or deny in writing.
- (b)(2)(ii): one extension of no more than 30 days, only if, within the original 60 days, the individual
  is given a written statement of the reasons for the delay and the date by which action will be taken;
  only one extension.
- (c): accepted — identify the records affected and append or link the amendment (c)(1); inform the
  individual (c)(2); make reasonable efforts to inform the persons the individual identifies and persons,
  including business associates, known to have the PHI and to have relied on it (c)(3).
- (d)(1): denied — a timely, written denial in plain language stating the basis (one of (a)(2)(i)-(iv)),
  the right to submit a statement of disagreement, and the complaint procedures. (d)(2) the individual may
  submit a statement of disagreement; (d)(3) the covered entity may prepare a written rebuttal, a copy of
  which goes to the individual; (d)(4) the request, the denial, the disagreement and the rebuttal are
  appended or linked to the record.

Days are calendar days; day 0 is the day of receipt (RULES.md 0.2 rule 1). The limits are data with an
effective date and a citation (RULES.md 0.2 rule 4), read for the date of receipt.
Every step is an audit event; the request, the notices and statements are sealed with the document's key.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.http import HttpRequest

from recordroom.access.decisions import Decision, Principal, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.documents.audit_events import DocumentEvent
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import (
    AmendmentRequest,
    AmendmentStatus,
    DenialBasis,
    Document,
    DocumentStatus,
    DocumentVersion,
    VersionKind,
)
from recordroom.documents.permissions import DocumentsPermission
from recordroom.documents.services.common import check_content, document_resource, local_date
from recordroom.documents.services.filing import _add_version, current_version
from recordroom.vault.services import put_document

MAX_TEXT = 10_000
MAX_NOTIFY = 20


@dataclass(frozen=True)
class AmendmentLimits:
    """The 164.526(b)(2) time limits in force from ``effective_from`` (calendar days)."""

    effective_from: date
    days: int
    extension_days: int
    citation: str


LIMITS: tuple[AmendmentLimits, ...] = (
    AmendmentLimits(date(2003, 4, 14), 60, 30, "45 CFR 164.526(b)(2) (65 FR 82462, compliance date 2003-04-14)"),
)


def limits_on(received_on: date) -> AmendmentLimits:
    """The limits in force on the day the request was received."""
    in_force = [limit for limit in LIMITS if limit.effective_from <= received_on]
    if not in_force:
        raise DocumentsError(
            DocumentsErrorCode.INVALID_INPUT,
            "The date received is before the Privacy Rule applied.",
            field="received_on",
        )
    return max(in_force, key=lambda limit: limit.effective_from)


def due_date(received_on: date) -> date:
    """45 CFR 164.526(b)(2)(i): act no later than 60 days after receipt (received 2025-03-03 -> 2025-05-02)."""
    return received_on + timedelta(days=limits_on(received_on).days)


def extended_due_date(received_on: date, promised_on: date | None = None) -> date:
    """45 CFR 164.526(b)(2)(ii): the original due date + at most 30 days, or the date promised in the written
    notice of delay if that is earlier."""
    latest = due_date(received_on) + timedelta(days=limits_on(received_on).extension_days)
    return min(latest, promised_on) if promised_on is not None else latest


def extension_allowed(received_on: date, notice_on: date, already_extended: bool) -> bool:
    """45 CFR 164.526(b)(2)(ii): the notice is given within the original 60 days, and only once."""
    return not already_extended and received_on <= notice_on <= due_date(received_on)


def _text(value: object, field: str, *, required: bool = True) -> str | None:
    text = str(value or "").strip()
    if not text:
        if required:
            raise DocumentsError(DocumentsErrorCode.INVALID_INPUT, f"Enter the {field.replace('_', ' ')}.", field=field)
        return None
    if len(text) > MAX_TEXT:
        raise DocumentsError(
            DocumentsErrorCode.INVALID_INPUT, f"The {field.replace('_', ' ')} has at most {MAX_TEXT} characters.",
            field=field,
        )  # fmt: skip
    return text


def _day(value: object, field: str, today: date) -> date:
    if not isinstance(value, date) or hasattr(value, "hour"):
        raise DocumentsError(DocumentsErrorCode.INVALID_INPUT, "Enter a date as YYYY-MM-DD.", field=field)
    if value > today:
        raise DocumentsError(DocumentsErrorCode.INVALID_INPUT, "The date is in the future.", field=field)
    return value


def _today() -> date:
    from recordroom.core import clock

    return local_date(clock.now())


@dataclass(frozen=True)
class _Step:
    """Who does an amendment step, why, and the policy's answer (for the audit event)."""

    actor: Principal
    purpose: Purpose | None
    request: HttpRequest | None
    decision: Decision
    resource: Resource


def _enforce(actor: Principal, purpose: Purpose | None, document: Document, request: HttpRequest | None) -> _Step:
    permission = DocumentsPermission.HANDLE_AMENDMENT
    resource = document_resource(document, permission.resource_type)
    decision = enforce(actor, permission.action, resource, purpose, request=request)
    return _Step(actor, purpose, request, decision, resource)


def _record(event: DocumentEvent, amendment: AmendmentRequest, step: _Step, **detail: object) -> None:
    record(
        event, action=AuditAction.AMEND, outcome=Outcome.SUCCESS, actor=step.actor, request=step.request,
        detail={"amendment_id": str(amendment.public_id), **detail},
        **audit_fields(step.decision, step.resource, step.purpose),
    )  # fmt: skip


def request_amendment(
    *,
    actor: Principal,
    purpose: Purpose | None,
    document: Document,
    received_on: date,
    requested_change: str,
    reason: str | None = None,
    request: HttpRequest | None = None,
) -> AmendmentRequest:
    """Record a patient's written request to amend ``document``, received on ``received_on`` (the facility's
    local date); the due date is computed (164.526(b)(2)(i)), never typed in."""
    step = _enforce(actor, purpose, document, request)
    received = _day(received_on, "received_on", _today())
    change = _text(requested_change, "requested_change")
    why = _text(reason, "reason", required=False)
    due = due_date(received)
    with transaction.atomic():
        amendment = AmendmentRequest(
            vault_subject=document.vault_subject, patient_id=document.patient_id, document=document,
            received_on=received, requested_change=change, reason=why, due_on=due, recorded_by_id=actor.pk,
        )  # fmt: skip
        amendment.save(force_insert=True)
        _record(DocumentEvent.AMENDMENT_REQUESTED, amendment, step,
                due_on=due.isoformat())  # fmt: skip
    return amendment


def _lock_open(amendment: AmendmentRequest) -> AmendmentRequest:
    locked = AmendmentRequest.objects.select_for_update().select_related("document").get(pk=amendment.pk)
    if locked.status not in (AmendmentStatus.OPEN, AmendmentStatus.EXTENDED):
        raise DocumentsError(DocumentsErrorCode.AMENDMENT_CLOSED, "This amendment request has already been decided.")
    return locked


def extend_amendment(
    *,
    actor: Principal,
    purpose: Purpose | None,
    amendment: AmendmentRequest,
    notice_on: date,
    reason: str,
    promised_on: date | None = None,
    request: HttpRequest | None = None,
) -> AmendmentRequest:
    """Record the written notice of delay sent on ``notice_on`` with its reason: the due date moves by at
    most 30 days, or to the promised date if earlier. Refused with ``already_extended`` (one extension
    only) or ``deadline_passed`` (the notice came after the original 60 days); 164.526(b)(2)(ii)."""
    step = _enforce(actor, purpose, amendment.document, request)
    notice = _day(notice_on, "notice_on", _today())
    why = _text(reason, "reason")
    if promised_on is not None and (not isinstance(promised_on, date) or promised_on <= amendment.due_on):
        raise DocumentsError(
            DocumentsErrorCode.INVALID_INPUT, "The promised date is after the original due date.", field="promised_on"
        )
    with transaction.atomic():
        locked = _lock_open(amendment)
        if locked.extension_notice_on is not None:
            raise DocumentsError(
                DocumentsErrorCode.ALREADY_EXTENDED, "Only one extension is allowed (164.526(b)(2)(ii))."
            )
        if not extension_allowed(locked.received_on, notice, False):
            raise DocumentsError(
                DocumentsErrorCode.DEADLINE_PASSED,
                "The notice of delay must be given within 60 days of receipt (164.526(b)(2)(ii)).",
                field="notice_on",
            )
        locked.extension_notice_on = notice
        locked.extension_reason = why
        locked.due_on = extended_due_date(locked.received_on, promised_on)
        locked.status = AmendmentStatus.EXTENDED
        locked.save(update_fields=["extension_notice_on", "extension_reason", "due_on", "status", "updated_at"])
        _record(DocumentEvent.AMENDMENT_EXTENDED, locked, step,
                due_on=locked.due_on.isoformat())  # fmt: skip
    amendment.refresh_from_db()
    return amendment


def _notify_list(values: object) -> list[str]:
    if not isinstance(values, list | tuple):
        raise DocumentsError(DocumentsErrorCode.INVALID_INPUT, "List whom to notify.", field="notify")
    names = [" ".join(str(v).split())[:200] for v in values if str(v).strip()]
    if len(names) > MAX_NOTIFY:
        raise DocumentsError(DocumentsErrorCode.INVALID_INPUT, f"At most {MAX_NOTIFY} recipients.", field="notify")
    return names


def accept_amendment(
    *,
    actor: Principal,
    purpose: Purpose | None,
    amendment: AmendmentRequest,
    content: bytes,
    media_type: str,
    notify: list[str],
    request: HttpRequest | None = None,
) -> DocumentVersion:
    """Accept: append the amendment as a new version of kind ``amendment`` linked to the version it amends
    (164.526(c)(1)), mark the document amended, and keep whom the individual asked to be told and who is
    known to rely on the record (164.526(c)(3)). The signed version stays as it was."""
    step = _enforce(actor, purpose, amendment.document, request)
    checked = check_content(content, media_type)
    recipients = _notify_list(notify)
    today = _today()
    with transaction.atomic():
        locked = _lock_open(amendment)
        document = Document.objects.select_for_update().get(pk=locked.document_id)
        previous = current_version(document)
        stored = put_document(checked.body, subject_id=document.vault_subject)
        number = document.current_version + 1
        version = _add_version(
            document, number=number, kind=VersionKind.AMENDMENT, replaces=previous,
            blob=(stored.address, stored.size, stored.sha256), checked=checked, actor=actor,
            reason_code="patient_request",
        )  # fmt: skip
        document.current_version = number
        document.status = DocumentStatus.AMENDED
        document.save(update_fields=["current_version", "status", "updated_at"])
        locked.status = AmendmentStatus.ACCEPTED
        locked.decided_on = today
        locked.decided_by_id = actor.pk
        locked.amendment_version = version
        locked.notify = recipients
        locked.save(update_fields=["status", "decided_on", "decided_by", "amendment_version", "notify", "updated_at"])
        _record(DocumentEvent.AMENDMENT_ACCEPTED, locked, step,
                version=number, notify=len(recipients), late=today > locked.due_on)  # fmt: skip
    amendment.refresh_from_db()
    return version


def deny_amendment(
    *,
    actor: Principal,
    purpose: Purpose | None,
    amendment: AmendmentRequest,
    basis: str,
    explanation: str,
    request: HttpRequest | None = None,
) -> AmendmentRequest:
    """Deny in writing with a basis from 164.526(a)(2)(i)-(iv) (``invalid_basis`` otherwise) and its
    plain-language explanation (164.526(d)(1)); the denial is linked to the document (d)(4)."""
    step = _enforce(actor, purpose, amendment.document, request)
    if basis not in DenialBasis.values:
        raise DocumentsError(
            DocumentsErrorCode.INVALID_BASIS, "A denial states one of the grounds of 164.526(a)(2).", field="basis"
        )
    text = _text(explanation, "explanation")
    today = _today()
    with transaction.atomic():
        locked = _lock_open(amendment)
        locked.status = AmendmentStatus.DENIED
        locked.decided_on = today
        locked.decided_by_id = actor.pk
        locked.denial_basis = basis
        locked.denial_explanation = text
        locked.save(
            update_fields=["status", "decided_on", "decided_by", "denial_basis", "denial_explanation", "updated_at"]
        )
        _record(DocumentEvent.AMENDMENT_DENIED, locked, step,
                basis=basis, late=today > locked.due_on)  # fmt: skip
    amendment.refresh_from_db()
    return amendment


def record_disagreement(
    *,
    actor: Principal,
    purpose: Purpose | None,
    amendment: AmendmentRequest,
    received_on: date,
    statement: str,
    request: HttpRequest | None = None,
) -> AmendmentRequest:
    """The individual's statement of disagreement with a denial (164.526(d)(1)(iii), (d)(2)), linked."""
    step = _enforce(actor, purpose, amendment.document, request)
    received = _day(received_on, "received_on", _today())
    text = _text(statement, "statement")
    with transaction.atomic():
        locked = AmendmentRequest.objects.select_for_update().get(pk=amendment.pk)
        if locked.status != AmendmentStatus.DENIED or locked.disagreement_on is not None:
            raise DocumentsError(
                DocumentsErrorCode.AMENDMENT_CLOSED, "A statement of disagreement follows a denial, once."
            )
        if locked.decided_on is not None and received < locked.decided_on:
            raise DocumentsError(
                DocumentsErrorCode.INVALID_INPUT,
                "The statement cannot be received before the denial.",
                field="received_on",
            )
        locked.disagreement_on = received
        locked.disagreement = text
        locked.save(update_fields=["disagreement_on", "disagreement", "updated_at"])
        _record(DocumentEvent.AMENDMENT_DISAGREEMENT, locked, step)
    amendment.refresh_from_db()
    return amendment


def record_rebuttal(
    *,
    actor: Principal,
    purpose: Purpose | None,
    amendment: AmendmentRequest,
    written_on: date,
    rebuttal: str,
    request: HttpRequest | None = None,
) -> AmendmentRequest:
    """The covered entity's written rebuttal to a statement of disagreement (164.526(d)(3)), linked."""
    step = _enforce(actor, purpose, amendment.document, request)
    written = _day(written_on, "written_on", _today())
    text = _text(rebuttal, "rebuttal")
    with transaction.atomic():
        locked = AmendmentRequest.objects.select_for_update().get(pk=amendment.pk)
        if locked.disagreement_on is None or locked.rebuttal_on is not None:
            raise DocumentsError(
                DocumentsErrorCode.AMENDMENT_CLOSED, "A rebuttal answers a statement of disagreement, once."
            )
        if written < locked.disagreement_on:
            raise DocumentsError(
                DocumentsErrorCode.INVALID_INPUT, "The rebuttal cannot predate the disagreement.", field="written_on"
            )
        locked.rebuttal_on = written
        locked.rebuttal = text
        locked.save(update_fields=["rebuttal_on", "rebuttal", "updated_at"])
        _record(DocumentEvent.AMENDMENT_REBUTTAL, locked, step)
    amendment.refresh_from_db()
    return amendment


def amendment_worklist(
    *, actor: Principal, purpose: Purpose | None, request: HttpRequest | None = None
) -> list[AmendmentRequest]:
    """Open and extended requests by due date, earliest first (``document_index``/``amend``), each
    decided on its document's type and restrictions; recorded with the count."""
    from recordroom.access.decisions import authorize

    permission = DocumentsPermission.HANDLE_AMENDMENT
    base = Resource(ResourceType.DOCUMENT_INDEX)
    decision = enforce(actor, permission.action, base, purpose, request=request)
    rows = [
        row
        for row in AmendmentRequest.objects.filter(status__in=[AmendmentStatus.OPEN, AmendmentStatus.EXTENDED])
        .select_related("document", "patient")
        .order_by("due_on", "pk")
        if authorize(
            actor, permission.action, document_resource(row.document, permission.resource_type), purpose
        ).allowed
    ]
    record(
        DocumentEvent.AMENDMENTS_LISTED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor,
        request=request, detail={"results": len(rows)}, **audit_fields(decision, base, purpose),
    )  # fmt: skip
    return rows


def find_amendment(public_id: uuid.UUID | str) -> AmendmentRequest | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return AmendmentRequest.objects.filter(public_id=key).select_related("document", "patient").first()


def amendments_for(document: Document) -> list[AmendmentRequest]:
    """Every amendment request linked to a document (its index data; the texts are read by the screen
    after ``get_document`` decided)."""
    return list(AmendmentRequest.objects.filter(document=document).order_by("received_on", "pk"))
