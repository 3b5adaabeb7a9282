"""The patients services: registration, duplicate warning, search (typo-tolerant, by MRN, restricted
patients), and reading one patient."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, Restriction
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.models import MrnCounter, Patient
from recordroom.patients.mrn import luhn_valid
from recordroom.patients.services import find_patients, get_patient, register_patient
from recordroom.patients.tests.factories import make_patient
from recordroom.vault.models import SearchToken

pytestmark = pytest.mark.django_db

BORN = date(1980, 3, 2)


def clerk():
    return make_user([Role.HIM_CLERK]).user


def register(actor, **overrides):
    values: dict[str, Any] = {
        "given_name": "John",
        "family_name": "Smith",
        "date_of_birth": BORN,
        "administrative_sex": "M",
    }
    values.update(overrides)
    return register_patient(actor=actor, purpose=Purpose.OPERATIONS, **values)


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


def test_registration_seals_assigns_an_mrn_indexes_the_name_and_is_audited():
    actor = clerk()
    patient = register(actor, middle_name="Q", phone="(217) 555-0123", email="J.Smith@Example.ORG",
                       address={"line": "1 Main St", "city": "Springfield", "state": "il", "postal_code": "62701"},
                       ssn="123-45-6789")  # fmt: skip
    patient = Patient.objects.get(pk=patient.pk)
    assert (patient.given_name, patient.middle_name, patient.family_name) == ("John", "Q", "Smith")
    assert patient.date_of_birth == BORN
    assert patient.birth_year == 1980
    assert patient.mrn == "10000008"
    assert luhn_valid(patient.mrn)
    assert patient.phone == "+12175550123"
    assert patient.email == "J.Smith@example.org"
    assert patient.ssn == "123456789"
    assert patient.address == {"line": "1 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701"}
    assert patient.status == "active"
    assert MrnCounter.objects.get().last_number == 1_000_000
    assert SearchToken.objects.filter(scope="patients.patient.name", row_id=patient.public_id).count() > 0
    [event] = events("patients.registered")
    assert event.outcome == "success"
    assert event.action == "create"
    assert event.actor_id == actor.pk
    assert event.patient_id == patient.pk
    assert event.resource_type == "patient"
    assert event.resource_id == str(patient.public_id)
    assert event.purpose == "operations"
    assert json.loads(event.detail) == {"possible_duplicates": 0}


def test_mrns_are_sequential():
    actor = clerk()
    first = register(actor)
    second = register(actor, given_name="Maria", family_name="Garcia", date_of_birth=date(1991, 7, 9))
    assert (first.mrn, second.mrn) == ("10000008", "10000016")


def test_a_near_identical_registration_is_warned_recorded_and_not_written():
    actor = clerk()
    existing = register(actor)
    with pytest.raises(PatientsError) as caught:
        register(actor, given_name="Jon", family_name="Smyth")
    assert caught.value.code is PatientsErrorCode.POSSIBLE_DUPLICATES
    assert caught.value.candidates == (str(existing.public_id),)
    assert "Jon" not in caught.value.message
    assert "Smyth" not in caught.value.message
    assert Patient.objects.count() == 1
    [warning] = events("patients.duplicates_found")
    assert warning.outcome == "failure"
    assert json.loads(warning.detail) == {"candidate_ids": [str(existing.public_id)], "reason": "possible_duplicates"}


def test_register_anyway_records_the_candidates():
    actor = clerk()
    existing = register(actor)
    twin = register(actor, given_name="Jon", family_name="Smyth", accept_possible_duplicates=True)
    assert Patient.objects.count() == 2
    last = events("patients.registered")[-1]
    assert last.patient_id == twin.pk
    assert json.loads(last.detail) == {"candidate_ids": [str(existing.public_id)], "possible_duplicates": 1}


def test_same_ssn_is_a_possible_duplicate_and_other_people_are_not():
    actor = clerk()
    existing = register(actor, ssn="123-45-6789")
    register(actor, given_name="Maria", family_name="Smith")  # same DOB, another given name: not flagged
    register(actor, given_name="John", family_name="Smith", date_of_birth=date(1980, 3, 3))  # other DOB
    with pytest.raises(PatientsError) as caught:
        register(actor, given_name="Robert", family_name="Jones", date_of_birth=date(1970, 1, 1), ssn="123456789")
    assert caught.value.candidates == (str(existing.public_id),)


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"date_of_birth": clock.now().date() + timedelta(days=2)}, "date_of_birth",
         "The date of birth cannot be in the future."),
        ({"date_of_birth": date(1879, 12, 31)}, "date_of_birth", "The date of birth cannot be before 1880."),
        ({"given_name": "   "}, "given_name", "The given name is required."),
        ({"family_name": ""}, "family_name", "The family name is required."),
        ({"family_name": "1234"}, "family_name",
         "The family name needs at least one letter and no control characters."),
        ({"email": "john@"}, "email", "The e-mail address is not a valid address."),
        ({"phone": "555-1234"}, "phone",
         "The phone number is a 10-digit North American number or starts with + and a country code."),
        ({"phone": "call me"}, "phone",
         "The phone number has digits, spaces, dashes, dots or brackets, and may start with +."),
        ({"ssn": "666-12-3456"}, "ssn", "The SSN is not a number the SSA assigns."),
        ({"administrative_sex": "X"}, "administrative_sex", "The sex is F, M, O or U."),
        ({"address": {"postal_code": "6270"}}, "address.postal_code",
         "The ZIP code is 5 digits, or ZIP+4 (12345-6789)."),
        ({"restrictions": ["part2"]}, "restrictions", "The restrictions are vip, employee or confidential."),
    ],
)  # fmt: skip
def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(overrides, field, message):
    actor = clerk()
    before = AuditEvent.objects.count()
    with pytest.raises(PatientsError) as caught:
        register(actor, **overrides)
    assert caught.value.code is PatientsErrorCode.INVALID_INPUT
    assert (caught.value.field, caught.value.message) == (field, message)
    assert Patient.objects.count() == 0
    assert SearchToken.objects.count() == 0
    assert not MrnCounter.objects.exists()
    assert AuditEvent.objects.count() == before


def test_search_tolerates_typos_and_sound_alikes_with_the_date_of_birth():
    actor = clerk()
    john = register(actor)
    register(actor, given_name="John", family_name="Smith", date_of_birth=date(1975, 5, 5))
    results = find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="Jon Smyth", dob=BORN)
    assert [r.public_id for r in results] == [john.public_id]
    [summary] = results
    assert summary.display_name == "Smith, John"
    assert (summary.date_of_birth, summary.administrative_sex, summary.mrn, summary.status) == (
        BORN, "M", john.mrn, "active",
    )  # fmt: skip


def test_names_in_any_script_are_registered_and_found_by_their_own_spelling():
    actor = clerk()
    wang = register(actor, given_name="小明", family_name="王", date_of_birth=date(1981, 2, 3))
    olga = register(actor, given_name="Ольга", family_name="Иванова-Петрова", date_of_birth=date(1990, 7, 8))
    soren = register(actor, given_name="Søren", family_name="Kierkegård", date_of_birth=date(1970, 1, 2))
    assert [r.public_id for r in find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="王 小明")] == [
        wang.public_id
    ]
    found = find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="ольга петрова")
    assert [r.public_id for r in found] == [olga.public_id]
    found = find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="Soren Kierkegard", dob=date(1970, 1, 2))
    assert [r.public_id for r in found] == [soren.public_id]
    assert found[0].display_name == "Kierkegård, Søren"


def test_search_by_name_alone_ranks_exact_matches_first_and_drops_partial_ones():
    actor = clerk()
    exact = register(actor)
    alike = register(actor, given_name="Jon", family_name="Smyth", date_of_birth=date(1975, 5, 5))
    register(actor, given_name="John", family_name="Okafor", date_of_birth=date(1960, 1, 1))
    results = find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="John Smith")
    assert [r.public_id for r in results] == [exact.public_id, alike.public_id]


def test_search_by_mrn_is_exact_and_a_mistyped_mrn_is_refused():
    actor = clerk()
    john = register(actor)
    register(actor, given_name="Maria", family_name="Garcia", date_of_birth=date(1991, 7, 9))
    results = find_patients(actor=actor, purpose=Purpose.OPERATIONS, query=john.mrn)
    assert [r.public_id for r in results] == [john.public_id]
    typo = john.mrn[:-1] + str((int(john.mrn[-1]) + 1) % 10)
    with pytest.raises(PatientsError) as caught:
        find_patients(actor=actor, purpose=Purpose.OPERATIONS, query=typo)
    assert caught.value.code is PatientsErrorCode.INVALID_MRN
    failed = events("patients.searched")[-1]
    assert failed.outcome == "failure"
    assert json.loads(failed.detail) == {"by": "mrn", "error": "invalid_mrn"}


def test_search_is_audited_with_the_result_count_and_never_the_term():
    actor = clerk()
    register(actor)
    find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="Jon Smyth", dob=BORN)
    [event] = events("patients.searched")
    assert (event.action, event.outcome, event.purpose, event.resource_type) == (
        "query", "success", "operations", "patient",
    )  # fmt: skip
    assert json.loads(event.detail) == {"by": "name", "dob_given": True, "results": 1}
    row = AuditEvent.objects.filter(seq=event.seq).values_list().get()
    assert not any("smyth" in str(value).lower() or "jon" in str(value).lower() for value in row)


def test_restricted_patients_are_hidden_from_a_clerk_and_shown_to_a_privacy_officer():
    vip = register(clerk(), given_name="Taylor", family_name="Swift", date_of_birth=date(1989, 12, 13),
                   restrictions=[Restriction.VIP])  # fmt: skip
    actor = clerk()
    plain = register(actor, given_name="Taylor", family_name="Swyft", date_of_birth=date(1990, 1, 1))
    officer = make_user([Role.PRIVACY_OFFICER]).user
    seen_by_clerk = find_patients(actor=actor, purpose=Purpose.OPERATIONS, query="Taylor Swift")
    seen_by_officer = find_patients(actor=officer, purpose=Purpose.OPERATIONS, query="Taylor Swift")
    assert [r.public_id for r in seen_by_clerk] == [plain.public_id]
    assert [r.public_id for r in seen_by_officer] == [vip.public_id, plain.public_id]
    assert json.loads(events("patients.searched")[0].detail)["results"] == 1


def test_get_patient_reads_and_records_and_unknown_ids_are_not_found():
    actor = clerk()
    john = register(actor)
    opened = get_patient(actor=actor, purpose=Purpose.OPERATIONS, public_id=str(john.public_id))
    assert opened.pk == john.pk
    [event] = events("patients.viewed")
    assert (event.action, event.outcome, event.patient_id) == ("read", "success", john.pk)
    with pytest.raises(PatientsError) as caught:
        get_patient(actor=actor, purpose=Purpose.OPERATIONS, public_id="00000000-0000-4000-8000-000000000000")
    assert caught.value.code is PatientsErrorCode.NOT_FOUND


def test_factory_patients_are_findable():
    patient = make_patient()
    results = find_patients(actor=clerk(), purpose=Purpose.OPERATIONS, query=patient.family_name)
    assert [r.public_id for r in results] == [patient.public_id]


def test_future_check_uses_the_clock():
    actor = clerk()
    with clock.frozen(clock.now().replace(year=2030)):
        patient = register(actor, date_of_birth=date(2029, 6, 1))
    assert patient.birth_year == 2029


def test_the_clerk_who_flags_a_record_restricted_keeps_access_for_the_registration_window_only():
    registering = clerk()
    other = clerk()
    with clock.frozen(clock.now()) as move_to:
        vip = register(registering, given_name="Taylor", family_name="Swift", date_of_birth=date(1989, 12, 13),
                       restrictions=[Restriction.VIP])  # fmt: skip
        [registered] = events("patients.registered")
        assert json.loads(registered.detail)["restrictions"] == ["vip"]
        found = find_patients(actor=registering, purpose=Purpose.OPERATIONS, query="Taylor Swift")
        assert [r.public_id for r in found] == [vip.public_id]
        assert get_patient(actor=registering, purpose=Purpose.OPERATIONS, public_id=vip.public_id).pk == vip.pk
        assert find_patients(actor=other, purpose=Purpose.OPERATIONS, query="Taylor Swift") == []
        move_to(vip.created_at + timedelta(hours=24, seconds=1))
        assert find_patients(actor=registering, purpose=Purpose.OPERATIONS, query="Taylor Swift") == []
        with pytest.raises(AccessDeniedError):
            get_patient(actor=registering, purpose=Purpose.OPERATIONS, public_id=vip.public_id)
