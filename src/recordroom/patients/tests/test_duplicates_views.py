"""The duplicate review screens: the queue shows no names, the pair page opens both records for a
reviewer (recorded), links to the merge screen with the older record kept, and records "not a duplicate";
the bulk vault read behind the batch skips crypto-shredded records and stops at a tampered value."""

from __future__ import annotations

import json

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user, sign_in
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose
from recordroom.patients.models import DuplicatePair, DuplicateStatus, Patient
from recordroom.patients.services import find_duplicates
from recordroom.patients.services.duplicates import SEALED_COLUMNS
from recordroom.patients.tests.test_duplicates import pair_of, plant
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.services import destroy_data_key, open_columns

pytestmark = pytest.mark.django_db


def signed_in(client, roles):
    person = make_user(roles)
    sign_in(client, person)
    return person.user


def test_queue_and_pair_screens_show_evidence_and_record_the_decision(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    people = plant(clerk)
    find_duplicates(actor=clerk, purpose=Purpose.OPERATIONS)
    pair = pair_of(*people["typo"])
    assert pair is not None

    queue = client.get("/patients/duplicates/")
    page = client.get(f"/patients/duplicates/{pair.public_id}/")
    decided = client.post(f"/patients/duplicates/{pair.public_id}/not-duplicate/", {"reason": "family_member"})

    assert queue.status_code == 200
    listing = queue.content.decode()
    assert f"/patients/duplicates/{pair.public_id}/" in listing
    assert "Okonkwo" not in listing
    assert page.status_code == 200
    html = page.content.decode()
    assert "Margarethe Okonkwo" in html
    assert "Margarete Okonkwo" in html
    survivor, retired = people["typo"]
    assert f"/patients/merge/?survivor={survivor.public_id}&amp;retired={retired.public_id}" in html
    assert decided.status_code == 302
    assert decided["Location"] == "/patients/duplicates/?dismissed=1"
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.NOT_DUPLICATE
    assert pair.decision_reason == "family_member"
    reads = AuditEvent.objects.filter(event_type="patients.viewed", detail__contains="duplicate_review")
    assert set(reads.values_list("patient_id", flat=True)) == {survivor.pk, retired.pk}
    again = client.get(f"/patients/duplicates/{pair.public_id}/")
    assert "Not a duplicate" in again.content.decode()
    assert 'name="reason"' not in again.content.decode()  # decided: no form to decide again


def test_a_decision_without_a_reason_is_refused_and_changes_nothing(client):
    clerk = signed_in(client, [Role.HIM_CLERK])
    people = plant(clerk)
    find_duplicates(actor=clerk, purpose=Purpose.OPERATIONS)
    pair = pair_of(*people["swap"])
    assert pair is not None

    response = client.post(f"/patients/duplicates/{pair.public_id}/not-duplicate/", {"reason": ""})

    assert response.status_code == 400
    assert "Choose why these records are different people." in response.content.decode()
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.OPEN
    assert not AuditEvent.objects.filter(event_type="patients.duplicate_dismissed").exists()


def test_roles_without_the_grant_get_403_and_the_refusal_is_recorded(client):
    signed_in(client, [Role.CODER])

    response = client.get("/patients/duplicates/")

    assert response.status_code == 403
    denied = AuditEvent.objects.filter(event_type="access.denied").latest("seq")
    assert json.loads(denied.detail)["action"] == "review"
    assert not DuplicatePair.objects.exists()


def test_the_bulk_read_skips_shredded_records_and_stops_at_a_tampered_value():
    clerk = make_user([Role.HIM_CLERK]).user
    plant(clerk)
    query = Patient.objects.order_by("id")
    shredded = query.first()
    assert shredded is not None
    total = query.count()

    destroy_data_key(subject_id=shredded.vault_subject)
    opened = open_columns(query, SEALED_COLUMNS, clear=("id",))

    assert opened.skipped == 1
    assert len(opened.rows) == total - 1
    assert {row[1] for row in opened.rows} == set(query.values_list("id", flat=True)) - {shredded.pk}
    by_id = {row[1]: row for row in opened.rows}
    last = query.last()
    assert last is not None
    assert by_id[last.pk][2:4] == (last.given_name, last.family_name)
    assert by_id[last.pk][4] == last.date_of_birth
    # A ciphertext moved to another row fails authentication: the batch stops, nothing is guessed.
    donor, victim = list(query[1:3])
    Patient.objects.filter(pk=victim.pk).update(given_name=Patient.objects.get(pk=donor.pk).__dict__["given_name"])
    with pytest.raises(VaultError) as caught:
        open_columns(query, SEALED_COLUMNS)
    assert caught.value.code is VaultErrorCode.CIPHERTEXT_TAMPERED
