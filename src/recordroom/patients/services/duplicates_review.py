"""The HIM clerk's duplicate review queue (AHIMA MPI practice brief: duplicates are resolved by trained
HIM staff, and "not a duplicate" decisions are kept so the same pair is not worked twice).

- :func:`duplicate_queue` lists open pairs by probability, minimum necessary per row (164.514(d)): ids,
  probability and which attributes agree; pairs with a restricted record the reviewer is not cleared for
  are left out.
- :func:`review_duplicate_pair` opens both records side by side for a reviewer who may read both,
  recorded as a read of each patient (164.312(b)).
- :func:`mark_not_duplicate` records the decision with a reason code; later runs never reopen it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource, authorize
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, ResourceType
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import DuplicatePair, DuplicateStatus, Patient, PatientStatus
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.common import patient_resource
from recordroom.patients.services.duplicates import SEALED_COLUMNS

MAX_QUEUE = 100
ATTRIBUTE_LABELS = {
    "name": "Name",
    "dob": "Date of birth",
    "sex": "Sex",
    "ssn": "SSN",
    "email": "E-mail",
    "contact": "Phone and address",
}


class NotDuplicateReason(StrEnum):
    """Why a reviewer decided two records are different people (codes only: the audit trail keeps them)."""

    MULTIPLE_BIRTH = "multiple_birth"
    FAMILY_MEMBER = "family_member"
    SAME_NAME = "same_name"
    DIFFERENT_IDENTIFIERS = "different_identifiers"
    OTHER = "other"

    @property
    def label(self) -> str:
        return REASON_LABELS[self]


REASON_LABELS = {
    NotDuplicateReason.MULTIPLE_BIRTH: "Twins or other multiple birth",
    NotDuplicateReason.FAMILY_MEMBER: "Family member (parent, child, sibling, spouse)",
    NotDuplicateReason.SAME_NAME: "Different people with the same or a similar name",
    NotDuplicateReason.DIFFERENT_IDENTIFIERS: "Identifiers show different people",
    NotDuplicateReason.OTHER: "Other (checked against source documents)",
}


def _resource() -> Resource:
    return Resource(ResourceType.PATIENT)


@dataclass(frozen=True)
class QueueEntry:
    """One open pair as the queue lists it: no name, no date, no identifier value (164.514(d))."""

    public_id: uuid.UUID
    probability: float
    weight: float
    agreeing: tuple[str, ...]
    disagreeing: tuple[str, ...]
    detected_at: Any

    def as_dict(self) -> dict[str, Any]:
        return {
            "pair_id": str(self.public_id),
            "probability": round(self.probability, 4),
            "match_weight": self.weight,
            "agreeing": list(self.agreeing),
            "disagreeing": list(self.disagreeing),
        }


def _split_evidence(evidence: list[dict[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    agreeing = tuple(ATTRIBUTE_LABELS.get(e["attribute"], e["attribute"]) for e in evidence if e.get("weight", 0) > 0)
    disagreeing = tuple(
        ATTRIBUTE_LABELS.get(e["attribute"], e["attribute"]) for e in evidence if e.get("weight", 0) < 0
    )
    return agreeing, disagreeing


def _may_read(actor: Principal, purpose: Purpose | None, patient: Patient) -> bool:
    return authorize(actor, PatientsPermission.READ_PATIENT.action, patient_resource(patient, actor), purpose).allowed


def duplicate_queue(
    *,
    actor: Principal,
    purpose: Purpose | None,
    limit: int = MAX_QUEUE,
    request: HttpRequest | None = None,
) -> tuple[list[QueueEntry], int]:
    """Open pairs, most probable first, that this reviewer may open (both records readable under the
    policy), and how many open pairs there are in all. Recorded as ``patients.duplicate_queue_viewed``."""
    decision = enforce(actor, PatientsPermission.REVIEW_DUPLICATES.action, _resource(), purpose, request=request)
    limit = max(1, min(int(limit), MAX_QUEUE))
    query = (
        DuplicatePair.objects.filter(status=DuplicateStatus.OPEN)
        .filter(left__status=PatientStatus.ACTIVE, right__status=PatientStatus.ACTIVE)
        .select_related("left", "right")
        .order_by("-match_probability", "id")
    )
    total = query.count()
    entries: list[QueueEntry] = []
    withheld = 0
    sealed = (*(f"left__{c}" for c in SEALED_COLUMNS), *(f"right__{c}" for c in SEALED_COLUMNS))
    for pair in query.defer(*sealed).iterator(chunk_size=MAX_QUEUE):
        if len(entries) >= limit:
            break
        restricted = pair.left.is_restricted() or pair.right.is_restricted()
        if restricted and not (_may_read(actor, purpose, pair.left) and _may_read(actor, purpose, pair.right)):
            withheld += 1
            continue
        agreeing, disagreeing = _split_evidence(pair.evidence)
        entries.append(
            QueueEntry(
                public_id=pair.public_id,
                probability=pair.match_probability,
                weight=pair.match_weight,
                agreeing=agreeing,
                disagreeing=disagreeing,
                detected_at=pair.updated_at,
            )
        )
    record(
        PatientEvent.DUPLICATE_QUEUE_VIEWED,
        action=AuditAction.QUERY,
        outcome=Outcome.SUCCESS,
        actor=actor,
        request=request,
        detail={"shown": len(entries), "open": total, "withheld": withheld},
        **audit_fields(decision, _resource(), purpose),
    )
    return entries, total


def _pair(public_id: uuid.UUID | str) -> DuplicatePair | None:
    try:
        key = public_id if isinstance(public_id, uuid.UUID) else uuid.UUID(str(public_id))
    except ValueError:
        return None
    return DuplicatePair.objects.select_related("left", "right", "run").filter(public_id=key).first()


@dataclass(frozen=True)
class EvidenceRow:
    """One attribute side by side: both values (opened for this reviewer), the agreement level and its
    weight (log2 of the Bayes factor; positive supports "same person")."""

    attribute: str
    label: str
    left: str
    right: str
    level: str
    weight: float

    @property
    def agrees(self) -> bool:
        return self.weight > 0

    @property
    def disagrees(self) -> bool:
        return self.weight < 0


@dataclass(frozen=True)
class PairReview:
    pair: DuplicatePair
    left: Patient
    right: Patient
    rows: list[EvidenceRow]
    survivor: Patient
    retired: Patient


def _text(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _values(patient: Patient) -> dict[str, str]:
    address = patient.address or {}
    parts = [address.get("line"), address.get("city"), address.get("state"), address.get("postal_code")]
    ssn = patient.ssn
    return {
        "name": " ".join(n for n in (patient.given_name, patient.middle_name, patient.family_name) if n),
        "dob": _text(patient.date_of_birth),
        "sex": patient.get_administrative_sex_display(),
        "ssn": f"***-**-{ssn[-4:]}" if ssn else "—",
        "email": _text(patient.email),
        "contact": f"{_text(patient.phone)}; {', '.join(p for p in parts if p) or '—'}",
    }


def review_duplicate_pair(
    *, actor: Principal, purpose: Purpose | None, pair_id: uuid.UUID | str, request: HttpRequest | None = None
) -> PairReview:
    """Both records of a pair side by side with the model's evidence, for a reviewer who may read both.

    Recorded as a read (``patients.viewed``) of each patient, naming the pair. Raises ``AccessDeniedError``
    (recorded) without ``patients.review_duplicates`` or ``read`` on either record (restrictions count),
    :class:`PatientsError` ``not_found`` for an unknown pair. The SSN shows its last four digits only.
    """
    decision = enforce(actor, PatientsPermission.REVIEW_DUPLICATES.action, _resource(), purpose, request=request)
    pair = _pair(pair_id)
    if pair is None:
        raise PatientsError(PatientsErrorCode.NOT_FOUND, "No duplicate pair has that id.")
    decisions = []
    for patient in (pair.left, pair.right):
        resource = patient_resource(patient, actor)
        decisions.append(
            (enforce(actor, PatientsPermission.READ_PATIENT.action, resource, purpose, request=request), resource)
        )
    with transaction.atomic():
        for read_decision, resource in decisions:
            record(
                PatientEvent.VIEWED,
                action=AuditAction.READ,
                outcome=Outcome.SUCCESS,
                actor=actor,
                request=request,
                detail={"via": "duplicate_review", "pair_id": str(pair.public_id)},
                **audit_fields(read_decision, resource, purpose),
            )
    del decision
    left_values, right_values = _values(pair.left), _values(pair.right)
    rows = [
        EvidenceRow(
            attribute=item["attribute"],
            label=ATTRIBUTE_LABELS.get(item["attribute"], item["attribute"]),
            left=left_values.get(item["attribute"], "—"),
            right=right_values.get(item["attribute"], "—"),
            level=item.get("level", ""),
            weight=float(item.get("weight", 0.0)),
        )
        for item in pair.evidence
    ]
    # The older registration survives by default (AHIMA: keep the record with the longest history).
    survivor, retired = sorted((pair.left, pair.right), key=lambda p: (p.created_at, p.pk))
    return PairReview(pair=pair, left=pair.left, right=pair.right, rows=rows, survivor=survivor, retired=retired)


def mark_not_duplicate(
    *,
    actor: Principal,
    purpose: Purpose | None,
    pair_id: uuid.UUID | str,
    reason: NotDuplicateReason | str,
    request: HttpRequest | None = None,
) -> DuplicatePair:
    """Record that a pair are two different people; later runs rescore it but never reopen it.

    Raises ``AccessDeniedError`` (recorded) without ``patients.review_duplicates``; :class:`PatientsError`
    ``not_found`` (unknown pair), ``invalid_input`` (field ``reason``: not one of
    :class:`NotDuplicateReason`) or ``record_merged`` (the pair was merged) with nothing changed.
    """
    decision = enforce(actor, PatientsPermission.REVIEW_DUPLICATES.action, _resource(), purpose, request=request)
    try:
        code = NotDuplicateReason(reason)
    except ValueError:
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT, "Choose why these records are different people.", field="reason"
        ) from None
    found = _pair(pair_id)
    if found is None:
        raise PatientsError(PatientsErrorCode.NOT_FOUND, "No duplicate pair has that id.")
    for patient in (found.left, found.right):  # refusals are recorded before the transaction opens
        enforce(
            actor, PatientsPermission.READ_PATIENT.action, patient_resource(patient, actor), purpose, request=request
        )
    with transaction.atomic():
        pair = DuplicatePair.objects.select_for_update().get(pk=found.pk)
        if pair.status == DuplicateStatus.MERGED:
            raise PatientsError(PatientsErrorCode.RECORD_MERGED, "These records were merged; unmerge them first.")
        before = pair.status
        pair.status = DuplicateStatus.NOT_DUPLICATE
        pair.decided_by_id = getattr(actor, "pk", None)
        pair.decided_at = clock.now()
        pair.decision_reason = code.value
        pair.save(update_fields=["status", "decided_by", "decided_at", "decision_reason", "updated_at"])
        for patient_id in (pair.left_id, pair.right_id):
            record(
                PatientEvent.DUPLICATE_DISMISSED,
                action=AuditAction.UPDATE,
                outcome=Outcome.SUCCESS,
                actor=actor,
                request=request,
                resource_id=str(pair.public_id),
                patient_id=patient_id,
                detail={"reason": code.value, "before": before, "pair_patients": [pair.left_id, pair.right_id]},
                purpose=purpose,
                resource_type=ResourceType.PATIENT.value,
                emergency=decision.emergency,
            )
    return pair


def open_pair_count(user: Principal | None) -> int | None:
    """How many pairs wait for review, for the dashboard panel; ``None`` for someone who may not review.
    A number only (no patient), so no access is recorded: the queue itself is audited when opened."""
    if user is None or not authorize(user, Action.REVIEW, _resource(), Purpose.OPERATIONS).allowed:
        return None
    return DuplicatePair.objects.filter(
        Q(status=DuplicateStatus.OPEN), left__status=PatientStatus.ACTIVE, right__status=PatientStatus.ACTIVE
    ).count()
