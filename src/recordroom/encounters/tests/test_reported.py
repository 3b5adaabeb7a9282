"""Diagnoses and procedures reported by source systems: codes checked per system shape, the display text
sealed, re-imports idempotent, bad input refused with its field and nothing written, access refusals
recorded, merges moving the rows."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import ReportedCondition, ReportedProcedure
from recordroom.encounters.services import cancel_event
from recordroom.encounters.tests.factories import (
    T0,
    make_clerk,
    make_condition,
    make_encounter,
    make_procedure,
)
from recordroom.patients.linkage import patient_links
from recordroom.patients.models import Patient
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def state():
    return (
        ReportedCondition.objects.count(),
        ReportedProcedure.objects.count(),
        AuditEvent.objects.filter(event_type__startswith="encounters.", outcome="success").count(),
    )


def refused(code, call, field, *, recorded=True):
    """The call is refused with ``code`` naming ``field``, nothing changes, and (once the patient is known)
    the refusal is recorded as a failed attempt with the code and field only."""
    before = state()
    failures = AuditEvent.objects.filter(outcome="failure").count()
    with pytest.raises(EncountersError) as caught:
        call()
    assert (caught.value.code, caught.value.field) == (code, field)
    assert state() == before
    new = list(AuditEvent.objects.filter(outcome="failure").order_by("seq")[failures:])
    if recorded:
        [failure] = new
        assert failure.event_type in {"encounters.condition_recorded", "encounters.procedure_recorded"}
        assert json.loads(failure.detail) == {"error": code.value, "field": field}
        assert failure.patient_id is not None
    else:
        assert new == []
    return caught.value


def test_a_condition_is_recorded_with_its_code_in_the_clear_and_its_text_sealed():
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk)
    row = make_condition(actor=clerk, encounter=encounter, code="e119", clinical_status="active")
    row = ReportedCondition.objects.get(pk=row.pk)
    assert (row.code_system, row.code, row.patient_id, row.encounter_id) == (
        "icd10cm", "E11.9", encounter.patient_id, encounter.pk,
    )  # fmt: skip
    assert row.display == "Type 2 diabetes mellitus without complications"
    assert row.vault_subject == Patient.objects.get(pk=encounter.patient_id).vault_subject
    sealed = ReportedCondition.objects.filter(pk=row.pk).values_list("display", flat=True).get()
    assert b"diabetes" not in bytes(sealed)
    [audit] = AuditEvent.objects.filter(event_type="encounters.condition_recorded")
    assert (audit.actor_id, audit.action, audit.patient_id, audit.resource_type) == (
        clerk.pk, "create", encounter.patient_id, "encounter",
    )  # fmt: skip
    detail = json.loads(audit.detail)
    assert detail == {"row_id": str(row.public_id), "code_system": "icd10cm", "source": "fhir", "created": True}
    assert "E11" not in audit.detail


def test_recording_the_same_source_row_again_returns_it_and_adds_nothing():
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    first = make_condition(actor=clerk, patient=patient, source_key="Condition/abc")
    again = make_condition(actor=clerk, patient=patient, source_key="Condition/abc")
    assert again.pk == first.pk
    assert ReportedCondition.objects.count() == 1
    events = [
        json.loads(a.detail)["created"] for a in AuditEvent.objects.filter(event_type="encounters.condition_recorded")
    ]
    assert events == [True, False]
    # The same key from another source is another row; no key means no idempotency.
    make_condition(actor=clerk, patient=patient, source="hl7v2", source_key="Condition/abc")
    make_condition(actor=clerk, patient=patient, source="manual", source_key=None)
    make_condition(actor=clerk, patient=patient, source="manual", source_key=None)
    assert ReportedCondition.objects.count() == 4


@pytest.mark.parametrize(
    ("system", "code", "field"),
    [
        ("icd10cm", "E1", "code"),
        ("icd10cm", "11E.9", "code"),
        ("icd10cm", "E11.99999", "code"),
        ("snomed", "44054007", "code"),  # the Verhoeff check digit is wrong
        ("snomed", "0123456", "code"),
        ("icd10pcs", "0DTJ4ZZ", "code_system"),  # not a diagnosis system
        ("icd9", "250.00", "code_system"),
        ("icd10cm", "", "code"),
    ],
)
def test_a_diagnosis_code_not_of_its_systems_shape_is_refused(system, code, field):
    patient = make_patient()
    expected = EncountersErrorCode.UNKNOWN_CODE if system == "icd9" else EncountersErrorCode.INVALID_CODE
    refused(expected, lambda: make_condition(patient=patient, code_system=system, code=code), field)


@pytest.mark.parametrize(
    ("system", "code", "stored"),
    [
        ("icd10pcs", "0dtj4zz", "0DTJ4ZZ"),
        ("cpt", "99213", "99213"),
        ("cpt", "0001u", "0001U"),
        ("hcpcs", "g0008", "G0008"),
        ("snomed", "80146002", "80146002"),
        ("loinc", "4548-4", "4548-4"),
    ],
)
def test_procedure_codes_of_each_system_are_stored_in_their_normal_form(system, code, stored):
    row = make_procedure(code_system=system, code=code, status="completed")
    assert ReportedProcedure.objects.get(pk=row.pk).code == stored


@pytest.mark.parametrize(
    ("system", "code", "field"),
    [
        ("icd10pcs", "0DTJ4Z", "code"),
        ("icd10pcs", "0DTJ4ZO", "code"),  # the letter O is not used in ICD-10-PCS
        ("cpt", "9921", "code"),
        ("cpt", "99213X", "code"),
        ("hcpcs", "W0008", "code"),
        ("loinc", "4548-3", "code"),  # wrong check digit
        ("icd10cm", "E11.9", "code_system"),
    ],
)
def test_a_procedure_code_not_of_its_systems_shape_is_refused(system, code, field):
    patient = make_patient()
    refused(
        EncountersErrorCode.INVALID_CODE, lambda: make_procedure(patient=patient, code_system=system, code=code), field
    )


def test_bad_dates_statuses_sources_and_targets_are_refused_and_nothing_is_written():
    clerk = make_clerk()
    patient = make_patient(actor=clerk)
    other = make_encounter(actor=clerk)
    refused(
        EncountersErrorCode.TIME_IN_FUTURE,
        lambda: make_condition(actor=clerk, patient=patient, onset_at=clock.now() + timedelta(days=3)),
        "onset_at",
    )
    refused(
        EncountersErrorCode.INVALID_INPUT,
        lambda: make_procedure(actor=clerk, patient=patient, performed_at=datetime(2026, 1, 5, 8)),  # noqa: DTZ001
        "performed_at",
    )
    refused(
        EncountersErrorCode.UNKNOWN_CODE,
        lambda: make_condition(patient=patient, clinical_status="cured"),
        "clinical_status",
    )
    refused(EncountersErrorCode.UNKNOWN_CODE, lambda: make_procedure(patient=patient, status="done"), "status")
    refused(EncountersErrorCode.UNKNOWN_CODE, lambda: make_condition(patient=patient, source="fax"), "source")
    refused(EncountersErrorCode.INVALID_INPUT, lambda: make_condition(patient=patient, source_key=" "), "source_key")
    refused(EncountersErrorCode.INVALID_INPUT, lambda: make_condition(patient=patient, display="x" * 1001), "display")
    refused(
        EncountersErrorCode.INVALID_INPUT,
        lambda: make_condition(actor=clerk, patient=patient, encounter=other),
        "encounter_id",
    )


def test_an_unknown_patient_or_encounter_is_not_found():
    from recordroom.core.vocabulary import Purpose
    from recordroom.encounters.services import record_reported_condition

    clerk = make_clerk()

    def call(patient_id, encounter_id):
        return record_reported_condition(
            actor=clerk, purpose=Purpose.OPERATIONS, patient_id=patient_id, encounter_id=encounter_id,
            code_system="icd10cm", code="E11.9", display="", onset_at=T0, source="fhir", source_key=None,
        )  # fmt: skip

    refused(EncountersErrorCode.NOT_FOUND, lambda: call(999_999, None), "patient_id", recorded=False)
    patient = make_patient(actor=clerk)
    refused(EncountersErrorCode.NOT_FOUND, lambda: call(patient.pk, 999_999), "encounter_id", recorded=False)


def test_a_cancelled_encounter_takes_no_reported_codes():
    from recordroom.core.vocabulary import Purpose
    from recordroom.encounters.models import AdtEvent

    clerk = make_clerk()
    encounter = make_encounter(actor=clerk)
    admit = AdtEvent.objects.get(encounter=encounter)
    cancel_event(actor=clerk, purpose=Purpose.OPERATIONS, event=admit, reason_code="wrong_patient")
    refused(
        EncountersErrorCode.ENCOUNTER_CLOSED, lambda: make_procedure(actor=clerk, encounter=encounter), "encounter_id"
    )


def test_recording_is_refused_and_recorded_for_a_role_without_the_grant():
    coder = make_user([Role.CODER]).user
    patient = make_patient()
    before = state()
    with pytest.raises(AccessDeniedError):
        make_condition(actor=coder, patient=patient)
    assert state()[:2] == before[:2]
    [denied] = AuditEvent.objects.filter(event_type="access.denied")
    assert (denied.actor_id, denied.patient_id, denied.resource_type) == (coder.pk, patient.pk, "encounter")


def test_reported_codes_are_declared_as_patient_links_so_a_merge_moves_them():
    from recordroom.core.vocabulary import Purpose
    from recordroom.patients.services.merging import merge_patients

    labels = {link.model_label for link in patient_links()}
    assert {"encounters.ReportedCondition", "encounters.ReportedProcedure"} <= labels
    clerk = make_clerk()
    survivor, retired = make_patient(actor=clerk), make_patient(actor=clerk)
    condition = make_condition(actor=clerk, patient=retired)
    procedure = make_procedure(actor=clerk, patient=retired)
    merge_patients(
        actor=clerk, purpose=Purpose.OPERATIONS, survivor_id=survivor.public_id, retired_id=retired.public_id,
        reason="Same person registered twice",
    )  # fmt: skip
    moved = ReportedCondition.objects.get(pk=condition.pk)
    assert moved.patient_id == survivor.pk
    assert moved.display == "Type 2 diabetes mellitus without complications"
    assert ReportedProcedure.objects.get(pk=procedure.pk).patient_id == survivor.pk
    refused(EncountersErrorCode.INVALID_INPUT, lambda: make_condition(actor=clerk, patient=retired), "patient_id")


def test_fhir_and_hl7_system_names_map_to_the_stored_code_systems():
    from recordroom.encounters.codes import code_system_for

    assert code_system_for("http://snomed.info/sct") == "snomed"
    assert code_system_for("http://hl7.org/fhir/sid/icd-10-cm") == "icd10cm"
    assert code_system_for("I10P") == "icd10pcs"
    assert code_system_for("http://example.org/local") == "other"
