"""The master patient index listing and export (services/index.py): pages, the status filter, restricted
records left out unless cleared, minimum-necessary rows, and the audit events of a listing and an export."""

from __future__ import annotations

import json

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose, Restriction
from recordroom.patients.errors import PatientsError
from recordroom.patients.services import export_index, list_index, merge_patients
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS


def test_the_listing_pages_filters_and_shows_where_a_merged_record_went():
    clerk = make_user([Role.HIM_CLERK]).user
    patients = [make_patient(actor=clerk) for _ in range(5)]
    merge_patients(actor=clerk, purpose=OPS, survivor_id=patients[0].public_id, retired_id=patients[1].public_id,
                   reason="Duplicate registration")  # fmt: skip
    first = list_index(actor=clerk, purpose=OPS, per_page=2)
    assert (first.total, first.pages, [r.mrn for r in first.rows]) == (5, 3, [p.mrn for p in patients[:2]])
    assert first.rows[1].status == "merged"
    assert first.rows[1].merged_into_mrn == patients[0].mrn
    last = list_index(actor=clerk, purpose=OPS, per_page=2, page=99)
    assert (last.page, [r.mrn for r in last.rows]) == (3, [patients[4].mrn])
    merged = list_index(actor=clerk, purpose=OPS, status="merged")
    assert [r.public_id for r in merged.rows] == [str(patients[1].public_id)]
    event = AuditEvent.objects.filter(event_type="patients.index_listed").latest("seq")
    assert json.loads(event.detail) == {"status": "merged", "page": 1, "results": 1}
    with pytest.raises(PatientsError):
        list_index(actor=clerk, purpose=OPS, status="deleted")


def test_restricted_records_are_listed_only_for_those_cleared():
    plain = make_patient()
    vip = make_patient(restrictions=[Restriction.VIP])
    clerk = make_user([Role.HIM_CLERK]).user
    officer = make_user([Role.PRIVACY_OFFICER]).user
    assert [r.public_id for r in list_index(actor=clerk, purpose=OPS).rows] == [str(plain.public_id)]
    seen = [r.public_id for r in list_index(actor=officer, purpose=OPS).rows]
    assert seen == [str(plain.public_id), str(vip.public_id)]


def test_the_export_is_refused_to_a_clerk_and_recorded_for_the_director():
    make_patient()
    clerk = make_user([Role.HIM_CLERK]).user
    with pytest.raises(AccessDeniedError):
        export_index(actor=clerk, purpose=OPS)
    assert AuditEvent.objects.filter(event_type="access.denied", action="export").count() == 1
    director = make_user([Role.HIM_DIRECTOR]).user
    lines = list(export_index(actor=director, purpose=OPS))
    assert len(lines) == 2
    event = AuditEvent.objects.get(event_type="patients.index_exported")
    assert json.loads(event.detail) == {"status": "all", "rows": 1, "format": "csv"}
