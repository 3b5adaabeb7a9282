"""The patient screens: search (POST, so no search term in a URL), registration with the duplicate
warning, and the demographics page; each asks the policy through the services."""

from __future__ import annotations

from datetime import date

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose, Restriction
from recordroom.patients.models import Patient
from recordroom.patients.selectors import default_purpose_for
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db

FORM = {
    "given_name": "John",
    "family_name": "Smith",
    "date_of_birth": "1980-03-02",
    "administrative_sex": "M",
    "phone": "217-555-0123",
}


def signed_in(client, roles):
    person = make_user(roles)
    sign_in(client, person)
    return person.user


def test_search_page_finds_a_misspelled_name(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    patient = make_patient(given_name="John", family_name="Smith", date_of_birth=date(1980, 3, 2), actor=clerk)
    page = client.get("/patients/")
    assert page.status_code == 200
    assert "recorded with the purpose of use <strong>operations</strong>" in page.content.decode()
    response = client.post("/patients/", {"query": "Jon Smyth", "dob": "1980-03-02"})
    assert response.status_code == 200
    assert [r.public_id for r in response.context["results"]] == [patient.public_id]
    body = response.content.decode()
    assert "Smith, John" in body
    assert patient.mrn in body
    assert f"/patients/{patient.public_id}/" in body


def test_search_page_shows_a_mistyped_mrn_error_on_the_field(client):
    signed_in(client, [Role.HIM_CLERK])
    response = client.post("/patients/", {"query": "10000009"})
    assert response.status_code == 400
    assert response.context["form"].errors == {
        "query": ["That MRN's check digit does not match: it has a typo. Check the number and try again."]
    }


def test_registration_redirects_to_the_new_chart(client):
    signed_in(client, [Role.HIM_CLERK])
    response = client.post("/patients/new/", FORM)
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/patients/{patient.public_id}/?registered=1"
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "<h1>Smith, John</h1>" in body
    assert f"Patient registered with MRN {patient.mrn}." in body
    assert "+12175550123" in body
    assert AuditEvent.objects.filter(event_type="patients.viewed", patient_id=patient.pk).count() == 1


def test_a_near_duplicate_shows_the_warning_and_register_anyway_registers(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    existing = make_patient(given_name="John", family_name="Smith", date_of_birth=date(1980, 3, 2), actor=clerk)
    near = {**FORM, "given_name": "Jon", "family_name": "Smyth"}
    warned = client.post("/patients/new/", near)
    assert warned.status_code == 400
    assert warned.context["duplicates"] == (str(existing.public_id),)
    body = warned.content.decode()
    assert "Possible duplicate" in body
    assert f"/patients/{existing.public_id}/" in body
    assert Patient.objects.count() == 1
    registered = client.post("/patients/new/", {**near, "register_anyway": "on"})
    assert registered.status_code == 302
    assert Patient.objects.count() == 2


def test_bad_input_is_shown_on_its_field(client):
    signed_in(client, [Role.HIM_CLERK])
    response = client.post("/patients/new/", {**FORM, "postal_code": "123"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"postal_code": ["The ZIP code is 5 digits, or ZIP+4 (12345-6789)."]}
    assert Patient.objects.count() == 0


def test_a_sysadmin_is_turned_away_from_every_patient_screen(client):
    patient = make_patient()
    signed_in(client, [Role.SYSADMIN])
    assert client.get("/patients/").status_code == 403
    assert client.post("/patients/", {"query": "Smith"}).status_code == 403
    assert client.get("/patients/new/").status_code == 403
    assert client.post("/patients/new/", FORM).status_code == 403
    assert client.get(f"/patients/{patient.public_id}/").status_code == 403
    assert Patient.objects.count() == 1


def test_a_coder_may_search_but_registering_is_refused_and_recorded(client):
    coder = signed_in(client, [Role.CODER])
    assert client.get("/patients/").status_code == 200
    assert client.post("/patients/new/", FORM).status_code == 403
    assert Patient.objects.count() == 0
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=coder.pk, action="create").count() == 1


def test_a_vip_chart_is_refused_to_a_clerk_and_unknown_ids_are_404(client):
    vip = make_patient(restrictions=[Restriction.VIP])
    signed_in(client, [Role.HIM_CLERK])
    assert client.get(f"/patients/{vip.public_id}/").status_code == 403
    assert client.get("/patients/00000000-0000-4000-8000-000000000000/").status_code == 404


def test_the_patients_link_is_in_the_navigation_of_patient_roles(client):
    signed_in(client, [Role.CODER])
    assert '<a href="/patients/">Patients</a>' in client.get("/").content.decode()


def test_default_purpose_follows_the_policy():
    expected = {
        Role.HIM_CLERK: Purpose.OPERATIONS,
        Role.CODER: Purpose.OPERATIONS,
        Role.PHYSICIAN: Purpose.TREATMENT,
        Role.ROI_SPECIALIST: Purpose.ROI,
        Role.REGISTRAR: Purpose.OPERATIONS,
        Role.PRIVACY_OFFICER: Purpose.OPERATIONS,
        Role.SYSADMIN: None,
    }
    assert {role: default_purpose_for(make_user([role]).user) for role in expected} == expected
