"""Identifiers by assigning authority (services/identifiers.py): checked, sealed, unique per authority,
found exactly by any authority's number, and added to a record under the policy with an audit event."""

from __future__ import annotations

import json
from datetime import date

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import Patient, PatientIdentifier
from recordroom.patients.services import add_identifier, find_patients
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
LICENSE: dict[str, str] = {"authority": "IL-DMV", "type_code": "DL", "value": "S530-1234-5678"}


def clerk():
    return make_user([Role.HIM_CLERK]).user


def test_registration_seals_identifiers_and_a_search_finds_them_exactly_by_any_authority():
    actor = clerk()
    patient = make_patient(actor=actor, identifiers=[LICENSE, {"authority": "US-SSA", "type_code": "mc",
                                                               "value": "1EG4-TE5-MK73"}])  # fmt: skip
    rows = list(PatientIdentifier.objects.filter(patient=patient).order_by("pk"))
    assert [(r.authority, r.type_code) for r in rows] == [("IL-DMV", "DL"), ("US-SSA", "MC")]
    raw = PatientIdentifier.objects.filter(pk=rows[0].pk).values_list("value", flat=True).get()
    assert b"S530" not in bytes(raw)
    for typed in ("S530 1234 5678", "s530-1234-5678", "1EG4TE5MK73"):
        found = find_patients(actor=actor, purpose=OPS, query=typed)
        assert [r.public_id for r in found] == [patient.public_id]
    event = AuditEvent.objects.filter(event_type="patients.searched").latest("seq")
    assert json.loads(event.detail)["by"] == "identifier"
    assert "1EG4" not in event.detail


def test_a_number_another_record_holds_for_the_same_authority_is_refused_and_nothing_is_written():
    actor = clerk()
    make_patient(actor=actor, identifiers=[LICENSE])
    count = Patient.objects.count()
    with pytest.raises(PatientsError) as caught:
        make_patient(actor=actor, identifiers=[{**LICENSE, "value": "s530 1234 5678"}])
    assert caught.value.code is PatientsErrorCode.IDENTIFIER_IN_USE
    assert "S530" not in caught.value.message
    assert Patient.objects.count() == count
    # the same number from another authority is another identifier
    make_patient(actor=actor, identifiers=[{**LICENSE, "authority": "WI-DMV"}])
    assert PatientIdentifier.objects.count() == 2


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({**LICENSE, "type_code": "XX"}, "identifier_type"),
        ({**LICENSE, "authority": "<script>"}, "identifier_authority"),
        ({**LICENSE, "value": "12;DROP"}, "identifier_value"),
        ({**LICENSE, "value": "9" * 65}, "identifier_value"),
    ],
)
def test_malformed_identifiers_are_refused_naming_the_field(item, field):
    count = Patient.objects.count()
    with pytest.raises(PatientsError) as caught:
        make_patient(identifiers=[item])
    assert (caught.value.code, caught.value.field) == (PatientsErrorCode.INVALID_INPUT, field)
    assert Patient.objects.count() == count


def test_add_identifier_is_audited_and_refused_to_a_role_without_update():
    actor = clerk()
    patient = make_patient(actor=actor, date_of_birth=date(1961, 2, 3))
    row = add_identifier(actor=actor, purpose=OPS, public_id=patient.public_id, authority="IL-DMV", type_code="DL",
                         value="S530-1234-5678")  # fmt: skip
    assert row.patient_id == patient.pk
    event = AuditEvent.objects.filter(event_type="patients.identifier_added").get()
    assert (event.patient_id, json.loads(event.detail)) == (patient.pk, {"type_code": "DL"})
    coder = make_user([Role.CODER]).user
    with pytest.raises(AccessDeniedError):
        add_identifier(actor=coder, purpose=OPS, public_id=patient.public_id, authority="IL-DMV", type_code="DL",
                       value="X1")  # fmt: skip
    assert PatientIdentifier.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="access.denied", patient_id=patient.pk).count() == 1


def test_a_search_by_ssn_finds_the_patient():
    actor = clerk()
    patient = make_patient(actor=actor, ssn="219-09-9999")
    found = find_patients(actor=actor, purpose=OPS, query="219-09-9999")
    assert [r.public_id for r in found] == [patient.public_id]
