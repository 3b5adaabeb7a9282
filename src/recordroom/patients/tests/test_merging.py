"""Merge, unmerge and overlay split (services/merging.py): every linked row moves and is recorded, an
unmerge restores exactly the recorded rows, bad requests change nothing and are recorded, and the
audit events carry ids and counts only."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Any

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.access.services import grant_restriction
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, Restriction
from recordroom.documents.models import Document
from recordroom.documents.tests.factories import make_document
from recordroom.encounters.models import Encounter
from recordroom.encounters.tests.factories import make_encounter
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import (
    DuplicatePair,
    DuplicateRun,
    DuplicateStatus,
    Patient,
    PatientIdentifier,
    PatientMerge,
    PatientMergeMove,
    PatientStatus,
)
from recordroom.patients.services import (
    find_patients,
    linked_rows,
    merge_history,
    merge_patients,
    split_overlay,
    unmerge_patients,
)
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
REASON = "Same person registered twice (DOB, SSN and address match)"


def clerk():
    return make_user([Role.HIM_CLERK]).user


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


def snapshot() -> dict[str, list[Any]]:
    """Every row a merge may touch, exactly."""
    return {
        "patients": list(Patient.objects.order_by("pk").values("pk", "status", "replaced_by_id", "updated_at")),
        "encounters": list(Encounter.objects.order_by("pk").values()),
        "identifiers": list(PatientIdentifier.objects.order_by("pk").values("pk", "patient_id", "authority")),
    }


def two_records(actor):
    survivor = make_patient(actor=actor, given_name="John", family_name="Smith", date_of_birth=date(1980, 3, 2))
    retired = make_patient(
        actor=actor,
        given_name="Jon",
        family_name="Smyth",
        date_of_birth=date(1980, 3, 2),
        identifiers=[{"authority": "IL-DMV", "type_code": "DL", "value": "S530-1234-5678"}],
    )
    return survivor, retired


def test_merge_moves_every_linked_row_records_it_and_unmerge_restores_exactly():
    actor = clerk()
    survivor, retired = two_records(actor)
    kept = make_encounter(actor=actor, patient=survivor)
    moved = [make_encounter(actor=actor, patient=retired, admitted_at=clock.now()) for _ in range(2)]
    before = snapshot()

    merge = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )

    retired.refresh_from_db()
    assert (retired.status, retired.replaced_by_id) == (PatientStatus.MERGED, survivor.pk)
    assert Patient.objects.count() == 2  # nothing deleted
    assert set(Encounter.objects.filter(patient=survivor).values_list("pk", flat=True)) == {
        kept.pk,
        *(e.pk for e in moved),
    }
    assert PatientIdentifier.objects.get().patient_id == survivor.pk
    recorded = set(PatientMergeMove.objects.filter(merge=merge).values_list("model_label", "row_pk", "field"))
    assert recorded == {("encounters.Encounter", str(e.pk), "patient") for e in moved} | {
        ("patients.PatientIdentifier", str(PatientIdentifier.objects.get().pk), "patient")
    }
    [event] = events("patients.merged")
    assert (event.action, event.outcome, event.patient_id) == ("merge", "success", survivor.pk)
    detail = json.loads(event.detail)
    assert (detail["moved"], detail["rows"]) == (["encounters.Encounter:2", "patients.PatientIdentifier:1"], 3)
    assert detail["retired_id"] == str(retired.public_id)
    assert "Smyth" not in event.detail
    assert "DOB" not in event.detail

    # A search by the retired record's name leads to the survivor
    found = find_patients(actor=actor, purpose=OPS, query="Jon Smyth", dob=date(1980, 3, 2))
    merged_hit = next(r for r in found if r.public_id == retired.public_id)
    assert merged_hit.replaced_by == survivor.public_id

    # An encounter added to the survivor after the merge stays with it
    later = make_encounter(actor=actor, patient=survivor, admitted_at=clock.now())
    unmerge_patients(actor=actor, purpose=OPS, merge_id=merge.public_id, reason="Different people: twins")

    after = snapshot()
    later_row = next(row for row in after["encounters"] if row["id"] == later.pk)
    assert later_row["patient_id"] == survivor.pk
    after["encounters"] = [row for row in after["encounters"] if row["id"] != later.pk]
    after_patients = {row["pk"]: row for row in after["patients"]}
    for row in before["patients"]:
        assert (after_patients[row["pk"]]["status"], after_patients[row["pk"]]["replaced_by_id"]) == (
            row["status"],
            row["replaced_by_id"],
        )
    assert after["encounters"] == before["encounters"]
    assert after["identifiers"] == before["identifiers"]
    merge.refresh_from_db()
    assert merge.undone
    assert merge.unmerged_by_id == actor.pk
    [undo] = events("patients.unmerged")
    assert json.loads(undo.detail)["moved"] == ["encounters.Encounter:2", "patients.PatientIdentifier:1"]
    assert [m.pk for m in merge_history(survivor)] == [merge.pk]


def test_the_survivor_takes_on_the_retired_records_restrictions_until_an_unmerge():
    actor = clerk()
    survivor = make_patient(actor=actor)
    retired = make_patient(actor=actor, restrictions=["confidential"])
    # A restricted record is merged only by a clerk the privacy officer has cleared for it
    with pytest.raises(AccessDeniedError):
        merge_patients(
            actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
        )
    officer = make_user([Role.PRIVACY_OFFICER]).user
    grant_restriction(user=actor, restriction=Restriction.CONFIDENTIAL, actor=officer, reason="Merge review", days=1,
                      patient_id=None)  # fmt: skip
    merge = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    assert Patient.objects.get(pk=survivor.pk).restrictions == ["confidential"]
    assert json.loads(events("patients.merged")[0].detail)["restrictions_added"] == ["confidential"]
    unmerge_patients(actor=actor, purpose=OPS, merge_id=merge.public_id, reason="Wrong merge")
    assert Patient.objects.get(pk=survivor.pk).restrictions == []


def test_a_merge_marks_the_duplicate_queue_pair_and_an_unmerge_gives_its_decision_back():
    actor = clerk()
    survivor, retired = two_records(actor)
    run = DuplicateRun.objects.create(started_at=clock.now(), method="splink", threshold=0.9)
    left, right = sorted((survivor.pk, retired.pk))
    pair = DuplicatePair.objects.create(
        left_id=left, right_id=right, run=run, match_probability=0.99, match_weight=12.0
    )
    merge = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by_id) == (DuplicateStatus.MERGED, actor.pk)
    assert pair.decided_at is not None
    unmerge_patients(actor=actor, purpose=OPS, merge_id=merge.public_id, reason="Wrong merge")
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN
    assert pair.decided_by_id is None
    assert pair.decided_at is None


def refused(code: PatientsErrorCode, event: str, **kwargs) -> PatientsError:
    before = snapshot()
    count = len(events(event))
    with pytest.raises(PatientsError) as caught:
        kwargs.pop("call")(**kwargs)
    assert caught.value.code is code
    assert snapshot() == before
    failures = [e for e in events(event)[count:] if e.outcome == "failure"]
    assert [json.loads(e.detail) for e in failures] == [{"error": code.value}]
    return caught.value


def test_merging_a_record_into_itself_is_refused_and_changes_nothing():
    actor = clerk()
    survivor, _ = two_records(actor)
    exc = refused(
        PatientsErrorCode.SAME_PATIENT, "patients.merged", call=merge_patients, actor=actor, purpose=OPS,
        survivor_id=survivor.public_id, retired_id=survivor.public_id, reason=REASON,
    )  # fmt: skip
    assert exc.field == "retired_id"
    assert not PatientMerge.objects.exists()


def test_merging_into_or_from_a_merged_record_is_refused():
    actor = clerk()
    survivor, retired = two_records(actor)
    third = make_patient(actor=actor)
    merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    refused(
        PatientsErrorCode.RECORD_MERGED, "patients.merged", call=merge_patients, actor=actor, purpose=OPS,
        survivor_id=retired.public_id, retired_id=third.public_id, reason=REASON,
    )  # fmt: skip
    refused(
        PatientsErrorCode.RECORD_MERGED, "patients.merged", call=merge_patients, actor=actor, purpose=OPS,
        survivor_id=third.public_id, retired_id=retired.public_id, reason=REASON,
    )  # fmt: skip
    assert PatientMerge.objects.count() == 1


def test_a_merge_needs_a_reason():
    actor = clerk()
    survivor, retired = two_records(actor)
    exc = refused(
        PatientsErrorCode.INVALID_INPUT, "patients.merged", call=merge_patients, actor=actor, purpose=OPS,
        survivor_id=survivor.public_id, retired_id=retired.public_id, reason="  ",
    )  # fmt: skip
    assert exc.field == "reason"


def test_unmerging_something_never_merged_or_already_unmerged_is_refused():
    actor = clerk()
    survivor, retired = two_records(actor)
    refused(
        PatientsErrorCode.NOT_MERGED, "patients.unmerged", call=unmerge_patients, actor=actor, purpose=OPS,
        merge_id=uuid.uuid4(), reason="Wrong merge",
    )  # fmt: skip
    merge = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    unmerge_patients(actor=actor, purpose=OPS, merge_id=merge.public_id, reason="Wrong merge")
    refused(
        PatientsErrorCode.ALREADY_UNMERGED, "patients.unmerged", call=unmerge_patients, actor=actor, purpose=OPS,
        merge_id=merge.public_id, reason="Wrong merge",
    )  # fmt: skip


def test_an_unmerge_a_later_merge_depends_on_is_refused_until_the_later_one_is_undone():
    actor = clerk()
    survivor, retired = two_records(actor)
    make_encounter(actor=actor, patient=retired)
    final = make_patient(actor=actor)
    first = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    second = merge_patients(
        actor=actor, purpose=OPS, survivor_id=final.public_id, retired_id=survivor.public_id, reason=REASON
    )
    refused(
        PatientsErrorCode.LATER_MERGE_DEPENDS, "patients.unmerged", call=unmerge_patients, actor=actor,
        purpose=OPS, merge_id=first.public_id, reason="Wrong merge",
    )  # fmt: skip
    unmerge_patients(actor=actor, purpose=OPS, merge_id=second.public_id, reason="Wrong merge")
    unmerge_patients(actor=actor, purpose=OPS, merge_id=first.public_id, reason="Wrong merge")
    assert Encounter.objects.get().patient_id == retired.pk
    assert set(Patient.objects.values_list("status", flat=True)) == {PatientStatus.ACTIVE}


def test_merge_and_unmerge_are_refused_to_roles_without_the_grant_and_the_refusal_is_recorded():
    actor = clerk()
    survivor, retired = two_records(actor)
    coder = make_user([Role.CODER]).user
    before = snapshot()
    with pytest.raises(AccessDeniedError):
        merge_patients(
            actor=coder, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
        )
    assert snapshot() == before
    [denied] = events("access.denied")
    assert (denied.action, denied.patient_id) == ("merge", survivor.pk)
    merge = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    with pytest.raises(AccessDeniedError):
        unmerge_patients(actor=coder, purpose=OPS, merge_id=merge.public_id, reason="Wrong merge")
    assert events("access.denied")[-1].action == "unmerge"
    assert Patient.objects.get(pk=retired.pk).status == PatientStatus.MERGED
    with pytest.raises(AccessDeniedError):
        split_overlay(
            actor=coder, purpose=OPS, source_id=survivor.public_id, rows=[], reason="Overlay",
            demographics={"given_name": "Ann", "family_name": "Lee", "date_of_birth": date(1990, 1, 1),
                          "administrative_sex": "F"},
        )  # fmt: skip
    assert events("access.denied")[-1].action == "unmerge"
    assert Patient.objects.count() == 2


def test_an_overlay_split_moves_the_chosen_rows_to_a_new_record_and_can_be_undone():
    actor = clerk()
    source = make_patient(actor=actor, given_name="Maria", family_name="Garcia", date_of_birth=date(1970, 5, 5))
    hers = make_encounter(actor=actor, patient=source)
    other = make_encounter(actor=actor, patient=source, admitted_at=clock.now())
    rows = [r for r in linked_rows(source) if r.public_id == str(other.public_id)]
    assert [r.model_label for r in rows] == ["encounters.Encounter"]

    split = split_overlay(
        actor=actor, purpose=OPS, source_id=source.public_id, rows=[(r.model_label, r.public_id) for r in rows],
        demographics={"given_name": "Mariah", "family_name": "Garcia", "date_of_birth": date(1972, 8, 1),
                      "administrative_sex": "F"},
        reason="Two people in one record: second visit was the sister",
    )  # fmt: skip

    person = split.retired
    assert Encounter.objects.get(pk=other.pk).patient_id == person.pk
    assert Encounter.objects.get(pk=hers.pk).patient_id == source.pk
    assert person.status == PatientStatus.ACTIVE
    assert person.mrn != source.mrn
    [event] = events("patients.split")
    assert json.loads(event.detail)["moved"] == ["encounters.Encounter:1"]

    unmerge_patients(actor=actor, purpose=OPS, merge_id=split.public_id, reason="Split was wrong")
    assert Encounter.objects.get(pk=other.pk).patient_id == source.pk
    person.refresh_from_db()
    assert (person.status, person.replaced_by_id) == (PatientStatus.MERGED, source.pk)


def test_a_split_of_rows_from_another_record_or_without_rows_is_refused():
    actor = clerk()
    source = make_patient(actor=actor)
    stranger = make_encounter(actor=actor)
    demographics = {"given_name": "Ann", "family_name": "Lee", "date_of_birth": date(1990, 1, 1),
                    "administrative_sex": "F"}  # fmt: skip
    for rows in ([("encounters.Encounter", str(stranger.public_id))], [], [("auth.User", "1")]):
        count = Patient.objects.count()
        with pytest.raises(PatientsError) as caught:
            split_overlay(
                actor=actor, purpose=OPS, source_id=source.public_id, rows=rows, demographics=demographics,
                reason="Overlay of two people",
            )  # fmt: skip
        assert (caught.value.code, caught.value.field) == (PatientsErrorCode.INVALID_INPUT, "rows")
        assert Patient.objects.count() == count
    assert not PatientMerge.objects.exists()
    assert len([e for e in events("patients.split") if e.outcome == "failure"]) == 3


def test_documents_move_with_their_encounter_and_come_back_on_unmerge():
    actor = clerk()
    survivor, retired = two_records(actor)
    document = make_document(encounter=make_encounter(actor=actor, patient=retired))
    merge = merge_patients(
        actor=actor, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason=REASON
    )
    assert Document.objects.get(pk=document.pk).patient_id == survivor.pk
    assert "documents.Document:1" in json.loads(events("patients.merged")[0].detail)["moved"]
    unmerge_patients(actor=actor, purpose=OPS, merge_id=merge.public_id, reason="Wrong merge")
    assert Document.objects.get(pk=document.pk).patient_id == retired.pk
