"""The MPI maintenance screens: merge (pick, compare, reason, confirm), merge history with unmerge,
overlay split, corrections, identifiers, and the index listing with its CSV export."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.test import Client

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Restriction
from recordroom.encounters.models import Encounter
from recordroom.encounters.tests.factories import make_encounter
from recordroom.patients.models import Patient, PatientIdentifier, PatientMerge, PatientStatus
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db


def signed_in(client, roles):
    person = make_user(roles)
    sign_in(client, person)
    return person.user


def test_merge_screen_compares_asks_a_reason_confirms_and_merges(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    survivor = make_patient(actor=clerk, given_name="John", family_name="Smith", ssn="123-45-6789")
    retired = make_patient(actor=clerk, given_name="Jon", family_name="Smyth")
    make_encounter(actor=clerk, patient=retired)

    picked = client.post("/patients/merge/", {"step": "pick", "survivor": survivor.mrn, "retired": retired.mrn})
    assert picked.status_code == 302
    url = picked["Location"]
    assert str(survivor.public_id) in url
    assert survivor.mrn not in url  # MRNs are posted, never put in a URL

    compare = client.get(url)
    body = compare.content.decode()
    assert compare.status_code == 200
    assert "***-**-6789" in body
    assert "123-45-6789" not in body  # minimum necessary: the SSN's last four only
    assert "encounters: 1" in body

    ids = {"survivor": str(survivor.public_id), "retired": str(retired.public_id)}
    missing = client.post("/patients/merge/", {**ids, "step": "review", "reason": ""})
    assert missing.status_code == 400
    review = client.post("/patients/merge/", {**ids, "step": "review", "reason": "Same SSN and DOB"})
    assert review.context["confirming"] is True
    assert not PatientMerge.objects.exists()

    done = client.post("/patients/merge/", {**ids, "step": "confirm", "reason": "Same SSN and DOB"})
    assert done.status_code == 302
    assert done["Location"] == f"/patients/{survivor.public_id}/?merged=1"
    assert Patient.objects.get(pk=retired.pk).status == PatientStatus.MERGED
    assert Encounter.objects.get().patient_id == survivor.pk

    merged_page = client.get(f"/patients/{retired.public_id}/").content.decode()
    assert "merged into another record" in merged_page
    assert f"/patients/{survivor.public_id}/" in merged_page


def test_merge_screens_are_refused_to_a_coder(client):
    clerk = make_user([Role.HIM_CLERK]).user
    survivor, retired = make_patient(actor=clerk), make_patient(actor=clerk)
    signed_in(client, [Role.CODER])
    assert client.get(f"/patients/merge/?survivor={survivor.public_id}&retired={retired.public_id}").status_code == 403
    assert client.get(f"/patients/{survivor.public_id}/split/").status_code == 403
    assert "Merge duplicate records" not in client.get("/patients/").content.decode()


def test_merge_history_undoes_a_merge_with_a_reason(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    survivor, retired = make_patient(actor=clerk), make_patient(actor=clerk)
    ids = {"survivor": str(survivor.public_id), "retired": str(retired.public_id)}
    client.post("/patients/merge/", {**ids, "step": "confirm", "reason": "Duplicate registration"})
    merge = PatientMerge.objects.get()
    history = client.get(f"/patients/{survivor.public_id}/merges/")
    assert "Undo this merge" in history.content.decode()
    refused = client.post(f"/patients/merges/{merge.public_id}/unmerge/", {"patient": str(survivor.public_id)})
    assert refused.status_code == 400
    undone = client.post(
        f"/patients/merges/{merge.public_id}/unmerge/", {"patient": str(survivor.public_id), "reason": "Twins"}
    )
    assert undone.status_code == 302
    assert Patient.objects.get(pk=retired.pk).status == PatientStatus.ACTIVE
    again = client.post(
        f"/patients/merges/{merge.public_id}/unmerge/", {"patient": str(survivor.public_id), "reason": "Twins"}
    )
    assert again.status_code == 400
    assert "already undone" in again.content.decode()


def test_split_screen_moves_the_chosen_encounter_to_a_new_record(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    source = make_patient(actor=clerk)
    encounter = make_encounter(actor=clerk, patient=source)
    page = client.get(f"/patients/{source.public_id}/split/")
    assert page.status_code == 200
    response = client.post(
        f"/patients/{source.public_id}/split/",
        {"rows": [f"encounters.Encounter|{encounter.public_id}"], "given_name": "Ann", "family_name": "Other",
         "date_of_birth": "1991-02-03", "administrative_sex": "F", "reason": "Overlay: sister's visit"},
    )  # fmt: skip
    assert response.status_code == 302
    new = Patient.objects.exclude(pk=source.pk).get()
    assert response["Location"] == f"/patients/{new.public_id}/?split=1"
    assert Encounter.objects.get().patient_id == new.pk


def test_correction_and_identifier_screens(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    patient = make_patient(actor=clerk, date_of_birth=date(1970, 1, 2))
    form = client.get(f"/patients/{patient.public_id}/edit/").context["form"]
    data = {k: v for k, v in form.initial.items() if v not in (None, "", [])}
    data.update({"date_of_birth": "1970-01-02", "preferred_language": "vi", "race": ["2028-9"]})
    response = client.post(f"/patients/{patient.public_id}/edit/", data)
    assert response.status_code == 302
    assert Patient.objects.get(pk=patient.pk).preferred_language == "vi"
    added = client.post(
        f"/patients/{patient.public_id}/identifiers/new/", {"authority": "US-CMS", "type_code": "MC", "value": "1EG4"}
    )
    assert added.status_code == 302
    assert PatientIdentifier.objects.get().patient_id == patient.pk
    page = client.get(f"/patients/{patient.public_id}/").content.decode()
    assert "Vietnamese" in page
    assert "Medicare number" in page


def test_index_lists_pages_filters_and_leaves_restricted_records_out(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    plain = make_patient(actor=clerk)
    vip = make_patient(restrictions=[Restriction.VIP])
    page = client.get("/patients/index/")
    rows = page.context["listing"].rows
    assert [r.public_id for r in rows] == [str(plain.public_id)]
    assert "Export as CSV" not in page.content.decode()
    assert client.get("/patients/index/?status=merged").context["listing"].rows == []
    assert client.get("/patients/index.csv").status_code == 403
    assert Patient.objects.filter(pk=vip.pk).exists()


def test_index_export_streams_csv_and_is_audited_as_an_export(client):
    clerk = make_user([Role.HIM_CLERK]).user
    patients = [make_patient(actor=clerk, family_name=name) for name in ("Ames", "=cmd")]
    make_patient(restrictions=[Restriction.EMPLOYEE])
    signed_in(client, [Role.HIM_DIRECTOR])
    response = client.get("/patients/index.csv")
    assert response.status_code == 200
    assert response.streaming
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["mrn", "name", "date_of_birth", "sex", "status", "merged_into_mrn", "public_id"]
    assert [r[0] for r in rows[1:]] == [p.mrn for p in patients]
    assert rows[2][1].startswith("'=")  # no spreadsheet formula
    event = AuditEvent.objects.get(event_type="patients.index_exported")
    assert (event.action, event.outcome) == ("export", "success")
    assert '"rows": 2' in event.detail or '"rows":2' in event.detail


def test_recent_merges_lists_merges_for_the_clerk_and_is_refused_to_a_coder(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    survivor, retired = make_patient(actor=clerk), make_patient(actor=clerk)
    ids = {"survivor": str(survivor.public_id), "retired": str(retired.public_id)}
    client.post("/patients/merge/", {**ids, "step": "confirm", "reason": "Duplicate registration"})
    page = client.get("/patients/merges/")
    assert page.status_code == 200
    [merge] = page.context["merges"]
    assert merge.row_count == 0
    assert clerk.username in page.content.decode()
    assert AuditEvent.objects.filter(event_type="patients.merges_listed").count() == 1
    other = Client()
    signed_in(other, [Role.CODER])
    assert other.get("/patients/merges/").status_code == 403
