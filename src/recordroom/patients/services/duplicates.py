"""The duplicate batch of the master patient index (the review queue is ``duplicates_review``).

- :func:`find_duplicates` reads every active patient's identifiers through the vault (in bulk:
  ``vault.services.open_columns``), scores candidate pairs with the Fellegi-Sunter model of
  ``duplicates_model`` (splink on an in-memory DuckDB), records a :class:`DuplicateRun` and fills the queue:
  new pairs are opened, open ones get the new score and evidence, a pair marked not a duplicate keeps its
  mark (its score is refreshed), a merged one is left alone. One ``patients.duplicates_detected`` event
  per run, counts only; a run that fails is recorded as a failure and writes nothing.

AHIMA, "Fundamentals for Building a Master Patient Index/Enterprise Master Patient Index" (2010 update) and
"Ensuring Data Integrity in Health Information Exchange" (2012): duplicates are found by an algorithm,
resolved by trained HIM staff, and "not a duplicate" decisions are kept so the same pair is not worked twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from recordroom.access.decisions import Principal, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record, recorded_attempt
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import DuplicatePair, DuplicateRun, DuplicateStatus, Patient, PatientStatus
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.duplicates_model import DEFAULT_THRESHOLD, as_table, link
from recordroom.vault.services import open_columns

METHOD = "fellegi-sunter/splink"
MIN_THRESHOLD = 0.5
SEALED_COLUMNS = ("given_name", "family_name", "date_of_birth", "ssn", "phone", "email", "address")
CLEAR_COLUMNS = ("id", "administrative_sex", "ssn_index")


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
