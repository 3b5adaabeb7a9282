"""The encounter screens: the patient page's encounter list (htmx fragment), the admit form, and the
encounter page with its timeline and the transfer, discharge and cancel forms; each asks the policy
through the services."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.encounters.models import AdtEvent, Encounter
from recordroom.encounters.tests.factories import bed_of, make_encounter, make_physician, make_unit
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
# Form times are local (settings.TIME_ZONE, America/New_York); T0 (08:00 UTC) is 03:00 there.


def signed_in(client, roles):
    person = make_user(roles)
    sign_in(client, person)
    return person.user


def test_patient_page_loads_the_encounter_list_by_htmx(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    patient = make_patient(actor=clerk)
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert f'hx-get="/encounters/for-patient/{patient.public_id}/"' in page
    encounter = make_encounter(actor=clerk, patient=patient)
    fragment = client.get(f"/encounters/for-patient/{patient.public_id}/")
    body = fragment.content.decode()
    assert fragment.status_code == 200
    assert f"/encounters/{encounter.public_id}/" in body
    assert f"/encounters/admit/{patient.public_id}/" in body
    assert AuditEvent.objects.filter(event_type="encounters.listed", actor_id=clerk.pk).count() == 1


def test_encounter_list_query_count_does_not_grow_with_encounters(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    patient = make_patient(actor=clerk)
    unit = make_unit(beds=3)
    make_encounter(actor=clerk, patient=patient, bed=bed_of(unit, "01"))
    with CaptureQueriesContext(connection) as one:
        client.get(f"/encounters/for-patient/{patient.public_id}/")
    make_encounter(actor=clerk, patient=patient, bed=bed_of(unit, "02"))
    make_encounter(actor=clerk, patient=patient, bed=bed_of(unit, "03"))
    with CaptureQueriesContext(connection) as three:
        client.get(f"/encounters/for-patient/{patient.public_id}/")
    assert len(three.captured_queries) == len(one.captured_queries)


def test_a_coder_sees_the_list_but_no_admit_link(client):
    coder = signed_in(client, [Role.CODER])
    patient = make_patient()
    body = client.get(f"/encounters/for-patient/{patient.public_id}/").content.decode()
    assert "No encounters recorded." in body
    assert "/encounters/admit/" not in body
    assert client.get(f"/encounters/admit/{patient.public_id}/").status_code == 403
    form = {
        "encounter_class": "inpatient", "admitted_at": "2026-01-05T08:00", "admit_type": "1", "admit_source": "2",
        "attending": make_physician().pk, "expected_payer": "medicaid",
    }  # fmt: skip
    assert client.post(f"/encounters/admit/{patient.public_id}/", form).status_code == 403
    assert Encounter.objects.count() == 0
    assert AuditEvent.objects.filter(event_type="encounters.listed", actor_id=coder.pk).exists()
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=coder.pk, action="create").count() == 1


def test_a_clerk_admits_through_the_form(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    patient = make_patient(actor=clerk)
    physician = make_physician()
    unit = make_unit()
    form = {
        "encounter_class": "inpatient", "admitted_at": "2026-01-05T08:00", "admit_type": "1", "admit_source": "2",
        "attending": physician.pk, "bed": bed_of(unit).pk, "expected_payer": "medicaid",
    }  # fmt: skip
    response = client.post(f"/encounters/admit/{patient.public_id}/", form)
    encounter = Encounter.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/encounters/{encounter.public_id}/?done=admitted"
    assert (encounter.patient_id, encounter.attending_id, encounter.current_bed_id) == (
        patient.pk, physician.pk, bed_of(unit).pk,
    )  # fmt: skip


def test_admit_form_shows_a_service_error_on_its_field(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    unit = make_unit()
    make_encounter(actor=clerk, bed=bed_of(unit))
    patient = make_patient(actor=clerk)
    form = {
        "encounter_class": "inpatient", "admitted_at": "2026-01-05T09:00", "admit_type": "1", "admit_source": "2",
        "attending": make_physician().pk, "bed": bed_of(unit).pk, "expected_payer": "medicaid",
    }  # fmt: skip
    response = client.post(f"/encounters/admit/{patient.public_id}/", form)
    assert response.status_code == 400
    assert response.context["form"].errors["bed"] == ["That bed is occupied by another encounter at that time."]
    assert Encounter.objects.count() == 1


def test_encounter_page_transfer_discharge_and_cancel(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    unit = make_unit()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    url = f"/encounters/{encounter.public_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Record transfer" in page.content.decode()
    response = client.post(url + "transfer/", {"bed": bed_of(unit, "02").pk, "effective_at": "2026-01-05T02:00"})
    assert response.status_code == 400
    assert response.context["transfer_form"].errors["effective_at"] == [
        "effective_at is before the encounter's last movement."
    ]
    response = client.post(url + "transfer/", {"bed": bed_of(unit, "02").pk, "effective_at": "2026-01-05T10:00"})
    assert response["Location"] == url + "?done=transferred"
    response = client.post(url + "discharge/", {"discharged_at": "2026-01-06T10:00", "disposition": "01"})
    assert response["Location"] == url + "?done=discharged"
    discharge = AdtEvent.objects.get(kind="discharge")
    page = client.get(url + "?done=discharged").content.decode()
    assert "Discharge recorded." in page
    assert "Record transfer" not in page
    assert f"/encounters/{encounter.public_id}/cancel/{discharge.public_id}/" in page
    response = client.post(f"{url}cancel/{discharge.public_id}/", {"reason_code": "wrong_time"})
    assert response["Location"] == url + "?done=cancelled"
    page = client.get(url).content.decode()
    assert "<del>Discharge</del> (cancelled)" in page
    encounter.refresh_from_db()
    assert (encounter.status, encounter.current_bed_id) == ("active", bed_of(unit, "02").pk)


def test_a_coder_reads_the_encounter_page_without_forms_and_cannot_post(client):
    clerk = make_user([Role.HIM_CLERK]).user
    unit = make_unit()
    encounter = make_encounter(actor=clerk, bed=bed_of(unit, "01"))
    signed_in(client, [Role.CODER])
    url = f"/encounters/{encounter.public_id}/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Record transfer" not in page.content.decode()
    response = client.post(url + "transfer/", {"bed": bed_of(unit, "02").pk, "effective_at": "2026-01-05T10:00"})
    assert response.status_code == 403
    assert AdtEvent.objects.count() == 1
    assert client.get(url + "transfer/").status_code == 405


def test_a_sysadmin_is_refused_the_screens(client):
    encounter = make_encounter()
    admin = signed_in(client, [Role.SYSADMIN])
    assert client.get(f"/encounters/{encounter.public_id}/").status_code == 403
    body = client.get(f"/encounters/for-patient/{encounter.patient.public_id}/").content.decode()
    assert "You may not see this patient's encounters." in body
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=admin.pk).exists()
    assert not AuditEvent.objects.filter(event_type__in=["encounters.viewed", "encounters.listed"]).exists()


def test_unknown_encounter_is_not_found(client):
    signed_in(client, [Role.HIM_CLERK])
    assert client.get("/encounters/00000000-0000-0000-0000-000000000000/").status_code == 404
