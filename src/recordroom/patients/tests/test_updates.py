"""Demographics updates (services/updates.py) and the new coded demographics: checked like registration,
the replaced values kept sealed, the address history kept, audited with field names only."""

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
from recordroom.patients.models import Patient, PatientRevision
from recordroom.patients.services import address_history, find_patients, update_demographics
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
HOME = {"line": "1 Elm St", "city": "Springfield", "state": "IL", "postal_code": "62701"}
NEW_HOME = {"line": "9 Oak Ave", "city": "Peoria", "state": "IL", "postal_code": "61602"}


def clerk():
    return make_user([Role.HIM_CLERK]).user


def test_registration_keeps_gender_identity_language_race_and_ethnicity_sealed():
    patient = make_patient(
        gender_identity="446141000124107", preferred_language="es", race=["2054-5", "2106-3"], ethnicity="2135-2",
        address=HOME,
    )  # fmt: skip
    fresh = Patient.objects.get(pk=patient.pk)
    assert (fresh.gender_identity, fresh.preferred_language) == ("446141000124107", "es")
    assert (fresh.race, fresh.ethnicity) == (["2054-5", "2106-3"], ["2135-2"])
    raw = Patient.objects.filter(pk=patient.pk).values_list("preferred_language", "race").get()
    assert all(b"2054" not in bytes(v or b"") and bytes(v or b"") != b"es" for v in raw)
    [current] = address_history(fresh)
    assert current.current
    assert current.address == HOME


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("gender_identity", "M"),
        ("preferred_language", "klingon"),
        ("race", ["2106-3", "ASKU"]),
        ("race", ["9999-9"]),
        ("ethnicity", ["2135-2", "2186-5"]),
    ],
)
def test_codes_outside_their_value_sets_are_refused(field, value):
    count = Patient.objects.count()
    with pytest.raises(PatientsError) as caught:
        make_patient(**{field: value})
    assert (caught.value.code, caught.value.field) == (PatientsErrorCode.INVALID_INPUT, field)
    assert Patient.objects.count() == count


def test_an_update_keeps_the_old_values_sealed_moves_the_address_and_reindexes_the_name():
    actor = clerk()
    patient = make_patient(actor=actor, family_name="Kowalski", address=HOME, date_of_birth=date(1975, 4, 4))
    updated = update_demographics(
        actor=actor, purpose=OPS, public_id=patient.public_id, moved_on=date(2025, 6, 1),
        changes={"family_name": "Nowak", "address": NEW_HOME, "preferred_language": "pl"},
    )  # fmt: skip
    assert (updated.family_name, updated.address, updated.preferred_language) == ("Nowak", NEW_HOME, "pl")
    revision = PatientRevision.objects.get()
    assert revision.fields == ["family_name", "preferred_language", "address"]
    assert revision.previous["family_name"] == "Kowalski"
    assert revision.previous["address"] == HOME
    assert b"Kowalski" not in bytes(PatientRevision.objects.values_list("previous", flat=True).get())
    current, earlier = address_history(updated)
    assert (current.address, current.valid_from, current.current) == (NEW_HOME, date(2025, 6, 1), True)
    assert (earlier.address, earlier.valid_to, earlier.current) == (HOME, date(2025, 6, 1), False)
    assert [r.public_id for r in find_patients(actor=actor, purpose=OPS, query="Nowak")] == [patient.public_id]
    event = AuditEvent.objects.get(event_type="patients.updated")
    assert json.loads(event.detail) == {
        "fields": ["family_name", "preferred_language", "address"],
        "before_ref": str(revision.public_id),
    }
    assert "Nowak" not in event.detail


def test_bad_updates_change_nothing():
    actor = clerk()
    patient = make_patient(actor=actor)
    for changes, field in (({"date_of_birth": date(2999, 1, 1)}, "date_of_birth"), ({"mrn": "1"}, "mrn")):
        with pytest.raises(PatientsError) as caught:
            update_demographics(actor=actor, purpose=OPS, public_id=patient.public_id, changes=changes)
        assert caught.value.field == field
    assert not PatientRevision.objects.exists()
    assert Patient.objects.get(pk=patient.pk).date_of_birth == patient.date_of_birth
    with pytest.raises(AccessDeniedError):
        update_demographics(
            actor=make_user([Role.CODER]).user, purpose=OPS, public_id=patient.public_id, changes={"phone": ""}
        )
    assert not AuditEvent.objects.filter(event_type="patients.updated").exists()


def test_a_corrected_date_of_birth_and_ssn_are_found_by_their_new_values():
    actor = clerk()
    patient = make_patient(actor=actor, given_name="Ilse", family_name="Bauer", date_of_birth=date(1966, 6, 6))
    update_demographics(
        actor=actor, purpose=OPS, public_id=patient.public_id,
        changes={"date_of_birth": date(1966, 9, 6), "ssn": "219-09-9999"},
    )  # fmt: skip
    by_dob = find_patients(actor=actor, purpose=OPS, query="Ilse Bauer", dob=date(1966, 9, 6))
    assert [r.public_id for r in by_dob] == [patient.public_id]
    assert find_patients(actor=actor, purpose=OPS, query="Ilse Bauer", dob=date(1966, 6, 6)) == []
    assert [r.public_id for r in find_patients(actor=actor, purpose=OPS, query="219099999")] == [patient.public_id]
    assert Patient.objects.get(pk=patient.pk).birth_year == 1966
