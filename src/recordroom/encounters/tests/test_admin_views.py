"""The screens added for units and beds, the consulting physician, and the record indices: each parses,
calls one service and shows the service's error on the field it names."""

from __future__ import annotations

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.encounters.models import Bed, Unit, UnitCapacity
from recordroom.encounters.tests.factories import bed_of, make_condition, make_encounter, make_physician, make_unit

pytestmark = pytest.mark.django_db


def signed_in(client, roles):
    person = make_user(roles)
    sign_in(client, person)
    return person.user


def test_a_director_sets_up_a_unit_changes_its_counts_and_adds_a_bed(client):
    signed_in(client, [Role.HIM_DIRECTOR])
    assert client.get("/encounters/units/").status_code == 200
    response = client.post(
        "/encounters/units/",
        {"code": "5east", "name": "5 East", "kind": "surgical", "licensed_beds": "12", "staffed_beds": "10",
         "effective_from": "2026-01-01"},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == "/encounters/units/5EAST/?done=unit"
    unit = Unit.objects.get(code="5EAST")
    bad = client.post(
        "/encounters/units/5EAST/capacity/",
        {"licensed_beds": "12", "staffed_beds": "12", "effective_from": "2025-06-01"},
    )
    assert bad.status_code == 400
    assert "outside the unit" in bad.content.decode()
    impossible = client.post(
        "/encounters/units/5EAST/capacity/",
        {"licensed_beds": "12", "staffed_beds": "12", "effective_from": "2026-02-30"},
    )
    assert impossible.status_code == 400
    assert "Enter a valid date." in impossible.content.decode()
    good = client.post(
        "/encounters/units/5EAST/capacity/",
        {"licensed_beds": "14", "staffed_beds": "12", "effective_from": "2026-03-01"},
    )
    assert good.status_code == 302
    assert UnitCapacity.objects.filter(unit=unit).count() == 2
    assert client.post("/encounters/units/5EAST/beds/", {"code": "01"}).status_code == 302
    duplicate = client.post("/encounters/units/5EAST/beds/", {"code": "01"})
    assert duplicate.status_code == 400
    assert "has a bed with that code" in duplicate.content.decode()
    page = client.get("/encounters/units/5EAST/").content.decode()
    assert "2026-02-28" in page
    assert "Take bed 01 out of service" in page


def test_an_occupied_bed_is_refused_on_the_unit_page(client):
    signed_in(client, [Role.SYSADMIN])
    unit = make_unit()
    make_encounter(bed=bed_of(unit, "01"))
    bed = bed_of(unit, "01")
    response = client.post(f"/encounters/units/{unit.code}/beds/{bed.pk}/active/", {"active": "0"})
    assert response.status_code == 400
    assert "transfer the patient first" in response.content.decode()
    assert Bed.objects.get(pk=bed.pk).active is True


def test_a_clerk_may_not_open_the_units_screen_and_the_refusal_is_recorded(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    assert client.get("/encounters/units/").status_code == 403
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.pk, resource_type="facility").exists()


def test_a_consulting_physician_is_added_from_the_encounter_page(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    encounter = make_encounter(actor=clerk)
    doctor = make_physician()
    page = client.get(f"/encounters/{encounter.public_id}/").content.decode()
    assert "Add consulting physician" in page
    response = client.post(f"/encounters/{encounter.public_id}/consultants/", {"physician": doctor.pk})
    assert response.status_code == 302
    assert list(encounter.consulting.all()) == [doctor]
    again = client.post(f"/encounters/{encounter.public_id}/consultants/", {"physician": doctor.pk})
    assert again.status_code == 400
    assert "already on the encounter" in again.content.decode()


def test_the_disease_index_screen_and_its_csv_export(client):
    row = make_condition(code="I21.4")
    signed_in(client, [Role.HIM_DIRECTOR])
    assert client.get("/encounters/indices/").status_code == 200
    page = client.get("/encounters/indices/", {"index": "disease", "code_prefix": "I21"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "I21.4" in body
    assert row.patient.mrn in body
    export = client.get("/encounters/indices/export.csv", {"index": "disease", "code_prefix": "I21"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("text/csv")
    text = b"".join(export.streaming_content).decode()
    assert text.splitlines()[1].startswith("I21.4,ICD-10-CM,")
    assert AuditEvent.objects.filter(event_type="encounters.index_exported").count() == 1
    bad = client.get("/encounters/indices/", {"index": "disease", "start": "2026-02-01", "end": "2026-01-01"})
    assert bad.status_code == 400
    assert "end is before start" in bad.content.decode()


def test_a_clerk_is_refused_the_indices(client):
    signed_in(client, [Role.HIM_CLERK])
    assert client.get("/encounters/indices/").status_code == 403
    assert client.get("/encounters/indices/", {"index": "physician"}).status_code == 403
    assert client.get("/encounters/indices/export.csv", {"index": "physician"}).status_code == 403
