"""Merging duplicate records, undoing a merge, and splitting an overlay.

Rules (AHIMA "Fundamentals for Building a Master Patient Index/Enterprise Master Patient Index" and
"Ensuring Data Integrity in Health Information Exchange"; The Joint Commission NPSG.01.01.01 two patient
identifiers):

- A merge keeps the surviving record and marks the other ``merged`` with ``replaced_by`` naming the
  survivor; nothing is deleted. Every row of every model declared in ``patients.linkage`` (encounters,
  documents, ...) moves from the retired record to the survivor, and so do the retired record's
  identifiers by assigning authority (moved, not copied: an authority's number names one record). The
  retired record keeps its own demographics and address history and its name-search tokens, so a search by
  an old name or MRN still finds it and leads to the survivor. Every moved row is recorded
  (:class:`PatientMergeMove`: model label, primary key, field).
- An unmerge moves exactly the recorded rows back (rows added to the survivor after the merge stay) and
  makes the retired record active again; a duplicate-queue pair gets back the decision it had.
- Refused, with nothing changed: a merge into itself, into or from a merged (or inactive) record, an
  unmerge of something never merged or already undone, and an unmerge a later change depends on (the
  survivor was merged again since, or a recorded row has moved since, e.g. by a later split).
- The survivor takes on the retired record's restriction flags (VIP, employee, confidential), so rows that
  were protected stay protected after they move (45 CFR 164.514(d) minimum necessary; facility VIP
  policy); an unmerge gives the survivor back the flags it had.
- Open encounters do not block a merge: the encounter row moves whole, with its ADT history and bed, in
  the same transaction under row locks, so nothing is left half-moved; the MPI guidance is to fix a
  duplicate while the patient is in house, before documents pile onto the wrong record.
- An overlay (two people in one record) is split: a new record is registered with the second person's
  demographics and the chosen rows move to it, recorded like a merge (kind ``split``) and undone the same
  way (the new record is then marked merged into the original).

Merge and unmerge are the policy's ``merge``/``unmerge`` on ``patient`` (HIM data-integrity staff; the
default policy grants them to ``him_clerk`` only). Every merge, unmerge and split is recorded with patient
ids and row counts only.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest

from recordroom.access.decisions import Decision, Principal, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, ResourceType
from recordroom.patients.audit_events import PatientEvent
from recordroom.patients.codes import MergeKind
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.linkage import PatientLink, patient_links
from recordroom.patients.models import (
    DuplicatePair,
    DuplicateStatus,
    Patient,
    PatientMerge,
    PatientMergeMove,
    PatientStatus,
)
from recordroom.patients.permissions import PatientsPermission
from recordroom.patients.services.common import parse_public_id, patient_resource
from recordroom.patients.services.demographics import clean_demographics
from recordroom.patients.services.registration import register_patient

MIN_REASON = 4
MAX_REASON = 500
IDENTIFIER_LINK = PatientLink("patients.PatientIdentifier")


def moving_links() -> list[PatientLink]:
    """What a merge moves: every declared patient link, and the patients app's own identifiers."""
    return [IDENTIFIER_LINK, *patient_links()]


def _counts(counts: Mapping[str, int]) -> dict[str, Any]:
    """Row counts for an audit event: ``["encounters.Encounter:2", ...]`` and the total (codes only)."""
    return {"moved": [f"{label}:{n}" for label, n in sorted(counts.items())], "rows": sum(counts.values())}


def _reason(reason: object) -> str:
    text = " ".join(str(reason or "").split())
    if not MIN_REASON <= len(text) <= MAX_REASON:
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT, f"State the reason ({MIN_REASON}-{MAX_REASON} characters).", field="reason"
        )
    return text


def _record_refusal(
    event: PatientEvent,
    action: AuditAction,
    *,
    actor: Principal,
    purpose: Purpose | None,
    request: HttpRequest | None,
    exc: PatientsError,
    patient_id: int | None = None,
) -> None:
    record(
        event, action=action, outcome=Outcome.FAILURE, actor=actor, request=request, purpose=purpose,
        resource_type=ResourceType.PATIENT.value, patient_id=patient_id, detail={"error": exc.code.value},
    )  # fmt: skip


def _load(
    actor: Principal, action: PatientsPermission, purpose: Purpose | None, public_id: object, request: Any
) -> tuple[Patient, Decision, Resource]:
    key = parse_public_id(public_id)  # type: ignore[arg-type]
    patient = Patient.objects.filter(public_id=key).first() if key is not None else None
    if patient is None:
        enforce(actor, action.action, Resource(ResourceType.PATIENT), purpose, request=request)
        raise PatientsError(PatientsErrorCode.NOT_FOUND, "No patient has that id.")
    resource = patient_resource(patient, actor)
    return patient, enforce(actor, action.action, resource, purpose, request=request), resource


def _must_be_active(patient: Patient, role: str) -> None:
    if patient.status != PatientStatus.ACTIVE:
        raise PatientsError(
            PatientsErrorCode.RECORD_MERGED,
            f"The {role} record is {patient.get_status_display().lower()}: merge only active records "
            "(open the record it was merged into).",
            field=f"{role}_id",
        )


def _lock(*patients: Patient) -> dict[int, Patient]:
    rows = Patient.objects.select_for_update().filter(pk__in=[p.pk for p in patients]).order_by("pk")
    return {row.pk: row for row in rows}


def _move_all(
    merge: PatientMerge, source: Patient, target: Patient, only: Mapping[str, set[Any]] | None
) -> dict[str, int]:
    """Move the rows of every link (or only the given primary keys per label) from ``source`` to
    ``target``, recording each; returns counts per model label."""
    counts: dict[str, int] = {}
    moves: list[PatientMergeMove] = []
    for link in moving_links():
        if only is not None and link.model_label not in only:
            continue
        model = link.model()
        query = model._default_manager.filter(**{link.field: source.pk})
        if only is not None:
            query = query.filter(pk__in=list(only[link.model_label]))
        pks = list(query.select_for_update().order_by("pk").values_list("pk", flat=True))
        if not pks:
            continue
        model._default_manager.filter(pk__in=pks).update(**{link.field: target.pk})
        moves += [
            PatientMergeMove(merge=merge, model_label=link.model_label, row_pk=str(pk), field=link.field) for pk in pks
        ]
        counts[link.model_label] = len(pks)
    PatientMergeMove.objects.bulk_create(moves, batch_size=500)
    return counts


def _pair_query(a: Patient, b: Patient) -> models.QuerySet[DuplicatePair]:
    left, right = sorted((a.pk, b.pk))
    return DuplicatePair.objects.filter(left_id=left, right_id=right)


def merge_patients(
    *,
    actor: Principal,
    purpose: Purpose | None,
    survivor_id: uuid.UUID,
    retired_id: uuid.UUID,
    reason: str,
    request: HttpRequest | None = None,
) -> PatientMerge:
    """Merge the record ``retired_id`` into ``survivor_id``; returns the recorded merge.

    Raises ``AccessDeniedError`` (recorded) without ``merge`` on both records; :class:`PatientsError`
    ``not_found``, ``same_patient``, ``record_merged`` or ``invalid_input`` (reason) with nothing changed
    (recorded as a failed ``patients.merged``).
    """
    action = PatientsPermission.MERGE_PATIENTS
    survivor, decision, resource = _load(actor, action, purpose, survivor_id, request)
    try:
        retired, _, _ = _load(actor, action, purpose, retired_id, request)
        if retired.pk == survivor.pk:
            raise PatientsError(
                PatientsErrorCode.SAME_PATIENT, "A record cannot be merged into itself.", field="retired_id"
            )
        _must_be_active(survivor, "survivor")
        _must_be_active(retired, "retired")
        text = _reason(reason)
    except PatientsError as exc:
        _record_refusal(
            PatientEvent.MERGED,
            AuditAction.MERGE,
            actor=actor,
            purpose=purpose,
            request=request,
            exc=exc,
            patient_id=survivor.pk,
        )
        raise
    now = clock.now()
    with transaction.atomic():
        locked = _lock(survivor, retired)
        survivor, retired = locked[survivor.pk], locked[retired.pk]
        _must_be_active(survivor, "survivor")
        _must_be_active(retired, "retired")
        pair = _pair_query(survivor, retired).first()
        pair_before = (
            {
                "status": pair.status,
                "decided_by_id": pair.decided_by_id,
                "decided_at": pair.decided_at.isoformat() if pair.decided_at else None,
                "decision_reason": pair.decision_reason,
            }
            if pair is not None
            else {}
        )
        restrictions_before = list(survivor.restrictions or [])
        added = sorted(set(retired.restrictions or []) - set(restrictions_before))
        merge = PatientMerge(
            kind=MergeKind.MERGE, survivor=survivor, retired=retired, actor_id=actor.pk, reason=text,
            merged_at=now, pair_before=pair_before, restrictions_before=restrictions_before,
        )  # fmt: skip
        merge.save(force_insert=True)
        counts = _move_all(merge, retired, survivor, None)
        if added:
            survivor.restrictions = sorted({*restrictions_before, *added})
            survivor.updated_at = now
            survivor.save(update_fields=["restrictions", "updated_at"])
        retired.status = PatientStatus.MERGED
        retired.replaced_by = survivor
        retired.updated_at = now
        retired.save(update_fields=["status", "replaced_by", "updated_at"])
        if pair is not None:
            _pair_query(survivor, retired).update(
                status=DuplicateStatus.MERGED, decided_by_id=actor.pk, decided_at=now, decision_reason="merged",
                updated_at=now,
            )  # fmt: skip
        record(
            PatientEvent.MERGED, action=AuditAction.MERGE, outcome=Outcome.SUCCESS, actor=actor, request=request,
            detail={
                "merge_id": str(merge.public_id), "survivor_id": str(survivor.public_id),
                "retired_id": str(retired.public_id), "retired_pk": retired.pk, **_counts(counts),
                "duplicate_pair": pair is not None, "restrictions_added": added,
            },
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    return merge


def _restore_pair(merge: PatientMerge, survivor: Patient, retired: Patient) -> None:
    before = merge.pair_before or {}
    if not before:
        return
    decided_at = datetime.fromisoformat(before["decided_at"]) if before.get("decided_at") else None
    _pair_query(survivor, retired).update(
        status=before["status"], decided_by_id=before.get("decided_by_id"), decided_at=decided_at,
        decision_reason=before.get("decision_reason") or "", updated_at=clock.now(),
    )  # fmt: skip


def _recorded_rows(merge: PatientMerge) -> dict[str, dict[str, Any]]:
    """The recorded moves as {model label: {"field": name, "pks": [...]}}, keys in their own type."""
    grouped: dict[str, dict[str, Any]] = defaultdict(lambda: {"field": "", "pks": []})
    for move in merge.moves.order_by("pk"):
        entry = grouped[move.model_label]
        entry["field"] = move.field
        entry["pks"].append(move.row_pk)
    for label, entry in grouped.items():
        pk_field = apps.get_model(label)._meta.pk
        entry["pks"] = [pk_field.to_python(pk) for pk in entry["pks"]]
    return dict(grouped)


def _depends(merge: PatientMerge, holder: Patient, rows: Mapping[str, Mapping[str, Any]]) -> PatientsError | None:
    """Why a later change stops this merge (or split) being undone, or None."""
    later = PatientMerge.objects.filter(pk__gt=merge.pk, unmerged_at__isnull=True)
    if later.filter(models.Q(retired=merge.survivor) | models.Q(retired=merge.retired)).exists():
        return PatientsError(
            PatientsErrorCode.LATER_MERGE_DEPENDS,
            "A later merge of one of these records depends on this one: undo the later merge first.",
        )
    for label, entry in rows.items():
        model = apps.get_model(label)
        here = model._default_manager.filter(pk__in=entry["pks"], **{entry["field"]: holder.pk}).count()
        if here != len(entry["pks"]):
            return PatientsError(
                PatientsErrorCode.LATER_MERGE_DEPENDS,
                "Some rows this merge moved have moved again since (a later merge or split): undo that first.",
            )
    return None


def unmerge_patients(
    *,
    actor: Principal,
    purpose: Purpose | None,
    merge_id: uuid.UUID,
    reason: str,
    request: HttpRequest | None = None,
) -> PatientMerge:
    """Undo the merge (or overlay split) ``merge_id`` exactly: the recorded rows move back, the retired
    record is active again (for a split, the split-off record is marked merged into the original).

    Raises ``AccessDeniedError`` (recorded) without ``unmerge`` on the records; :class:`PatientsError`
    ``not_merged`` (no such merge), ``already_unmerged``, ``later_merge_depends`` or ``invalid_input``
    (reason) with nothing changed (recorded as a failed ``patients.unmerged``).
    """
    action = PatientsPermission.UNMERGE_PATIENTS
    key = parse_public_id(merge_id)
    merge = PatientMerge.objects.select_related("survivor", "retired").filter(public_id=key).first() if key else None
    if merge is None:
        enforce(actor, action.action, Resource(ResourceType.PATIENT), purpose, request=request)
        exc = PatientsError(PatientsErrorCode.NOT_MERGED, "No merge has that id: nothing to undo.", field="merge_id")
        _record_refusal(
            PatientEvent.UNMERGED, AuditAction.UNMERGE, actor=actor, purpose=purpose, request=request, exc=exc
        )
        raise exc
    survivor, retired = merge.survivor, merge.retired
    resource = patient_resource(survivor, actor)
    decision = enforce(actor, action.action, resource, purpose, request=request)
    enforce(actor, action.action, patient_resource(retired, actor), purpose, request=request)
    split = merge.kind == MergeKind.SPLIT
    # Where the recorded rows are now, and where they go back to.
    holder, home = (retired, survivor) if split else (survivor, retired)
    try:
        if merge.undone:
            raise PatientsError(PatientsErrorCode.ALREADY_UNMERGED, "This merge was already undone.", field="merge_id")
        text = _reason(reason)
        rows = _recorded_rows(merge)
        problem = _depends(merge, holder, rows)
        if problem is not None:
            raise problem
    except PatientsError as exc:
        _record_refusal(
            PatientEvent.UNMERGED,
            AuditAction.UNMERGE,
            actor=actor,
            purpose=purpose,
            request=request,
            exc=exc,
            patient_id=survivor.pk,
        )
        raise
    now = clock.now()
    with transaction.atomic():
        locked = _lock(survivor, retired)
        fresh = PatientMerge.objects.select_for_update().get(pk=merge.pk)
        if fresh.undone:
            raise PatientsError(PatientsErrorCode.ALREADY_UNMERGED, "This merge was already undone.", field="merge_id")
        holder, home = locked[holder.pk], locked[home.pk]
        counts = _move_back(rows, holder, home)
        _restore_records(fresh, holder, home, now)
        fresh.unmerged_at = now
        fresh.unmerged_by_id = actor.pk
        fresh.unmerge_reason = text
        fresh.save(update_fields=["unmerged_at", "unmerged_by", "unmerge_reason"])
        record(
            PatientEvent.UNMERGED, action=AuditAction.UNMERGE, outcome=Outcome.SUCCESS, actor=actor,
            request=request,
            detail={
                "merge_id": str(fresh.public_id), "kind": fresh.kind, "survivor_id": str(survivor.public_id),
                "retired_id": str(retired.public_id), "retired_pk": retired.pk, **_counts(counts),
            },
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    return fresh


def _restore_records(merge: PatientMerge, holder: Patient, home: Patient, now: datetime) -> None:
    """After the rows moved back: a split-off record is marked merged into the original; a merge's retired
    record is active again, its queue pair gets its decision back and the survivor its own flags."""
    if merge.kind == MergeKind.SPLIT:
        holder.status = PatientStatus.MERGED
        holder.replaced_by = home
        holder.updated_at = now
        holder.save(update_fields=["status", "replaced_by", "updated_at"])
        return
    home.status = PatientStatus.ACTIVE
    home.replaced_by = None
    home.updated_at = now
    home.save(update_fields=["status", "replaced_by", "updated_at"])
    _restore_pair(merge, holder, home)
    if list(holder.restrictions or []) != list(merge.restrictions_before or []):
        holder.restrictions = list(merge.restrictions_before or [])
        holder.updated_at = now
        holder.save(update_fields=["restrictions", "updated_at"])


def _move_back(rows: Mapping[str, Mapping[str, Any]], holder: Patient, home: Patient) -> dict[str, int]:
    counts: dict[str, int] = {}
    for label, entry in rows.items():
        model = apps.get_model(label)
        moved = model._default_manager.filter(pk__in=entry["pks"], **{entry["field"]: holder.pk}).update(
            **{entry["field"]: home.pk}
        )
        if moved != len(entry["pks"]):  # moved by someone else between the check and the lock
            raise PatientsError(
                PatientsErrorCode.LATER_MERGE_DEPENDS, "Some rows this merge moved have moved again since."
            )
        counts[label] = moved
    return counts


@dataclass(frozen=True)
class LinkedRow:
    """A row linked to a patient, as the split screen lists it: the minimum to pick it (model, public id,
    the row's own short label and its date)."""

    model_label: str
    public_id: str
    label: str
    created_at: datetime | None


def linked_rows(patient: Patient) -> list[LinkedRow]:
    """Every row linked to ``patient`` (for a caller that has read the patient under the policy)."""
    found: list[LinkedRow] = []
    for link in moving_links():
        model = link.model()
        for row in model._default_manager.filter(**{link.field: patient.pk}).order_by("pk"):
            public = getattr(row, "public_id", None)
            found.append(
                LinkedRow(
                    model_label=link.model_label,
                    public_id=str(public if public is not None else row.pk),
                    label=f"{str(model._meta.verbose_name).capitalize()} {str(public or row.pk)[:8]}",
                    created_at=getattr(row, "created_at", None),
                )
            )
    return found


def _chosen_rows(source: Patient, rows: Iterable[tuple[str, str]]) -> dict[str, set[Any]]:
    links = {link.model_label: link for link in moving_links()}
    chosen: dict[str, set[Any]] = defaultdict(set)
    for model_label, public_id in rows:
        link = links.get(str(model_label))
        if link is None:
            raise PatientsError(
                PatientsErrorCode.INVALID_INPUT, "A chosen row is not linked to patients.", field="rows"
            )
        model = link.model()
        lookup = "public_id" if any(f.name == "public_id" for f in model._meta.fields) else "pk"
        try:
            row = model._default_manager.filter(**{lookup: public_id, link.field: source.pk}).first()
        except (ValueError, TypeError, ValidationError):  # a malformed id
            row = None
        if row is None:
            raise PatientsError(
                PatientsErrorCode.INVALID_INPUT, "A chosen row does not belong to this record.", field="rows"
            )
        chosen[link.model_label].add(row.pk)
    if not chosen:
        raise PatientsError(
            PatientsErrorCode.INVALID_INPUT, "Choose the rows that belong to the other person.", field="rows"
        )
    return dict(chosen)


def split_overlay(
    *,
    actor: Principal,
    purpose: Purpose | None,
    source_id: uuid.UUID,
    rows: Iterable[tuple[str, str]],
    demographics: Mapping[str, Any],
    reason: str,
    request: HttpRequest | None = None,
) -> PatientMerge:
    """Split an overlay: register a new record with the second person's ``demographics`` (the keyword
    arguments of ``register_patient``) and move ``rows`` (``(model label, public id)`` pairs) of
    ``source_id`` to it. Returns the recorded split (kind ``split``; ``retired`` is the new record), which
    ``unmerge_patients`` undoes.

    Needs ``unmerge`` on the source and ``create`` on patients (both recorded when refused).
    """
    source, decision, resource = _load(actor, PatientsPermission.UNMERGE_PATIENTS, purpose, source_id, request)
    enforce(actor, PatientsPermission.REGISTER_PATIENT.action, Resource(ResourceType.PATIENT), purpose, request=request)
    allowed = {"given_name", "middle_name", "family_name", "preferred_name", "date_of_birth", "administrative_sex",
               "ssn", "phone", "email", "address", "deceased_date", "gender_identity", "preferred_language", "race",
               "ethnicity"}  # fmt: skip
    values = {k: v for k, v in demographics.items() if k in allowed}
    try:
        _must_be_active(source, "source")
        text = _reason(reason)
        chosen = _chosen_rows(source, list(rows))
        clean_demographics(**{"given_name": "", "family_name": "", "date_of_birth": None,
                              "administrative_sex": "", **values})  # fmt: skip
    except PatientsError as exc:
        _record_refusal(
            PatientEvent.SPLIT,
            AuditAction.UNMERGE,
            actor=actor,
            purpose=purpose,
            request=request,
            exc=exc,
            patient_id=source.pk,
        )
        raise
    with transaction.atomic():
        locked = _lock(source)[source.pk]
        _must_be_active(locked, "source")
        person = register_patient(
            actor=actor, purpose=purpose, request=request, accept_possible_duplicates=True, **values
        )
        now = clock.now()
        split = PatientMerge(
            kind=MergeKind.SPLIT, survivor=locked, retired=person, actor_id=actor.pk, reason=text, merged_at=now
        )
        split.save(force_insert=True)
        counts = _move_all(split, locked, person, chosen)
        record(
            PatientEvent.SPLIT, action=AuditAction.UNMERGE, outcome=Outcome.SUCCESS, actor=actor, request=request,
            detail={
                "merge_id": str(split.public_id), "source_id": str(locked.public_id),
                "new_id": str(person.public_id), "new_pk": person.pk, **_counts(counts),
            },
            **audit_fields(decision, resource, purpose),
        )  # fmt: skip
    return split


MAX_RECENT = 200


def recent_merges(
    *, actor: Principal, purpose: Purpose | None, limit: int = 50, request: HttpRequest | None = None
) -> list[PatientMerge]:
    """The department's latest merges and splits (ids, dates, who, how many rows; no demographics), for
    the HIM data-integrity review of merges (AHIMA MPI guidance: merges are checked after the fact).
    Needs ``merge`` on patients; recorded as a query with the count."""
    enforce(actor, PatientsPermission.MERGE_PATIENTS.action, Resource(ResourceType.PATIENT), purpose, request=request)
    limit = max(1, min(int(limit), MAX_RECENT))
    rows: list[PatientMerge] = list(
        PatientMerge.objects.select_related("survivor", "retired", "actor")
        .annotate(row_count=models.Count("moves"))
        .order_by("-merged_at", "-pk")[:limit]
    )
    record(
        PatientEvent.MERGES_LISTED, action=AuditAction.QUERY, outcome=Outcome.SUCCESS, actor=actor, request=request,
        purpose=purpose, resource_type=ResourceType.PATIENT.value, detail={"results": len(rows)},
    )  # fmt: skip
    return rows


def merge_history(patient: Patient) -> list[PatientMerge]:
    """Merges and splits that involve ``patient`` (either side), latest first."""
    query = PatientMerge.objects.filter(models.Q(survivor=patient) | models.Q(retired=patient))
    return list(query.select_related("survivor", "retired").order_by("-merged_at", "-pk"))
