"""The duplicate batch of the master patient index and the HIM clerk's review queue.

- :func:`find_duplicates` reads every active patient's identifiers through the vault (in bulk:
  ``vault.services.open_columns``), scores candidate pairs with the Fellegi-Sunter model of
  ``duplicates_model`` (splink on an in-memory DuckDB), records a :class:`DuplicateRun` and fills the queue:
  new pairs are opened, open ones get the new score and evidence, a pair marked not a duplicate keeps its
  mark (its score is refreshed), a merged one is left alone. One ``patients.duplicates_detected`` event
  per run, counts only.
- :func:`duplicate_queue` lists open pairs by probability, minimum necessary per row (164.514(d)): ids,
  probability and which attributes agree; pairs with a restricted record the reviewer is not cleared for
  are left out.
- :func:`review_duplicate_pair` opens both records side by side for an authorized reviewer, recorded as a
  read of each patient (164.312(b)).
- :func:`mark_not_duplicate` records the reviewer's decision with a reason code; later runs never reopen it.

AHIMA, "Fundamentals for Building a Master Patient Index/Enterprise Master Patient Index" (2010 update) and
"Ensuring Data Integrity in Health Information Exchange" (2012): duplicates are found by an algorithm,
resolved by trained HIM staff, and "not a duplicate" decisions are kept so the same pair is not worked twice.
"""

from __future__ import annotations

import time
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
from recordroom.audit.services import AuditAction, Outcome, record, recorded_attempt
from recordroom.core import clock
from recordroom.core.vocabulary import Action, Purpose, ResourceType
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import DuplicatePair, DuplicateRun, DuplicateStatus, Patient, PatientStatus
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.common import patient_resource
from recordroom.patients.services.duplicates_model import DEFAULT_THRESHOLD, as_table, link
from recordroom.vault.services import open_columns

METHOD = "fellegi-sunter/splink"
MIN_THRESHOLD = 0.5
MAX_QUEUE = 100
SEALED_COLUMNS = ("given_name", "family_name", "date_of_birth", "ssn", "phone", "email", "address")
CLEAR_COLUMNS = ("id", "administrative_sex", "ssn_index")
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


def _threshold(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        number = -1.0
    if not MIN_THRESHOLD <= number < 1.0:
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT,
            f"The threshold is a probability from {MIN_THRESHOLD} up to (not including) 1.",
            field="threshold",
        )
    return number


def _identifier_rows() -> tuple[list[tuple[Any, ...]], int]:
    """Every active patient's identifiers, opened in bulk, as rows for the linkage model (plaintext in
    memory only), and how many records could not be opened (crypto-shredded)."""
    query = Patient.objects.filter(status=PatientStatus.ACTIVE).order_by("id")
    opened = open_columns(query, SEALED_COLUMNS, clear=CLEAR_COLUMNS, decode=False)
    return [row[1:] for row in opened.rows], opened.skipped


@dataclass(frozen=True)
class _Existing:
    id: int
    status: str


def _save_pairs(run: DuplicateRun, pairs: list[Any]) -> dict[str, int]:
    """Upsert the run's pairs: new ones open; open ones rescored; not-duplicate ones rescored but kept as
    decided; merged ones untouched."""
    existing: dict[tuple[int, int], _Existing] = {}
    keys = [(pair.left, pair.right) for pair in pairs]
    lefts = sorted({left for left, _ in keys})
    for start in range(0, len(lefts), 500):
        rows = DuplicatePair.objects.filter(left_id__in=lefts[start : start + 500]).values_list(
            "id", "left_id", "right_id", "status"
        )
        for pair_id, left, right, status in rows:
            existing[(left, right)] = _Existing(pair_id, status)
    new, updates = [], []
    counts = {"new": 0, "rescored_open": 0, "kept_not_duplicate": 0, "kept_merged": 0}
    for pair in pairs:
        known = existing.get((pair.left, pair.right))
        if known is None:
            new.append(
                DuplicatePair(
                    left_id=pair.left,
                    right_id=pair.right,
                    run=run,
                    match_probability=pair.probability,
                    match_weight=pair.weight,
                    evidence=pair.evidence,
                )
            )
            counts["new"] += 1
        elif known.status == DuplicateStatus.MERGED:
            counts["kept_merged"] += 1
        else:
            updates.append(
                DuplicatePair(
                    id=known.id,
                    run=run,
                    match_probability=pair.probability,
                    match_weight=pair.weight,
                    evidence=pair.evidence,
                    updated_at=clock.now(),
                )
            )
            counts["rescored_open" if known.status == DuplicateStatus.OPEN else "kept_not_duplicate"] += 1
    DuplicatePair.objects.bulk_create(new, batch_size=1000)
    DuplicatePair.objects.bulk_update(
        updates, ["run", "match_probability", "match_weight", "evidence", "updated_at"], batch_size=500
    )
    return counts


def find_duplicates(
    *,
    actor: Principal,
    purpose: Purpose | None,
    threshold: float = DEFAULT_THRESHOLD,
    request: HttpRequest | None = None,
) -> DuplicateRun:
    """Score every pair of active patients the blocking rules bring together and queue those at or above
    ``threshold`` for review. Returns the recorded run (counts, timings and the fitted model in
    ``model_summary``).

    Raises ``AccessDeniedError`` (recorded, nothing read or written) without ``patients.find_duplicates``,
    :class:`PatientsError` ``invalid_input`` (field ``threshold``) for a threshold outside [0.5, 1).
    """
    decision = enforce(actor, PatientsPermission.FIND_DUPLICATES.action, _resource(), purpose, request=request)
    threshold = _threshold(threshold)
    started_at = clock.now()
    attempt = {"actor": actor, "request": request, "purpose": purpose, "resource_type": ResourceType.PATIENT.value}
    with recorded_attempt(PatientEvent.DUPLICATES_DETECTED, action=AuditAction.QUERY, **attempt):
        timings: dict[str, float] = {}
        begin = time.perf_counter()
        rows, unreadable = _identifier_rows()
        timings["read"] = time.perf_counter() - begin
        result = link(as_table(rows), threshold=threshold)
        del rows
        timings.update(result.timings)
        write_start = time.perf_counter()
        # A record merged while the model ran is not queued (its pair would point at a retired record).
        gone = set(
            Patient.objects.filter(updated_at__gte=started_at)
            .exclude(status=PatientStatus.ACTIVE)
            .values_list("id", flat=True)
        )
        pairs = [pair for pair in result.pairs if pair.left not in gone and pair.right not in gone]
        run = DuplicateRun.objects.create(
            started_at=started_at,
            method=METHOD,
            threshold=threshold,
            patients_scanned=result.records,
            pairs_scored=result.pairs_scored,
            pairs_queued=len(pairs),
        )
        counts = _save_pairs(run, pairs)
        timings["write"] = time.perf_counter() - write_start
        timings["total"] = time.perf_counter() - begin
        counts["multiple_births_left_out"] = result.multiple_births
        counts["merged_during_run"] = len(result.pairs) - len(pairs)
        counts["unreadable_records"] = unreadable
        run.finished_at = clock.now()
        run.model_summary = {
            **result.summary,
            "counts": counts,
            "timings": {name: round(seconds, 3) for name, seconds in timings.items()},
        }
        run.save(update_fields=["finished_at", "model_summary", "updated_at"])
        record(
            PatientEvent.DUPLICATES_DETECTED,
            action=AuditAction.QUERY,
            outcome=Outcome.SUCCESS,
            actor=actor,
            request=request,
            resource_id=str(run.public_id),
            detail={
                "patients_scanned": run.patients_scanned,
                "pairs_scored": run.pairs_scored,
                "pairs_queued": run.pairs_queued,
                "threshold": threshold,
                **counts,
            },
            **{k: v for k, v in audit_fields(decision, _resource(), purpose).items() if k != "resource_id"},
        )
    return run


# ----------------------------------------------------------------------------------------- the queue


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


def run_pairs(run: DuplicateRun) -> list[dict[str, Any]]:
    """The pairs a run scored at or above its threshold, as public ids and numbers only (no names, no values):
    what ``recordroom mpi find-duplicates --json`` prints for the caller who just ran it."""
    rows = (
        DuplicatePair.objects.filter(run=run)
        .order_by("-match_probability", "id")
        .values_list("public_id", "left__public_id", "right__public_id", "match_probability", "match_weight", "status")
    )
    return [
        {
            "pair_id": str(pair_id),
            "left": str(left),
            "right": str(right),
            "probability": round(probability, 4),
            "match_weight": weight,
            "status": status,
        }
        for pair_id, left, right, probability, weight, status in rows
    ]


def last_duplicate_run() -> DuplicateRun | None:
    """The latest finished run (counts and timings only), for the queue's heading."""
    return DuplicateRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()
