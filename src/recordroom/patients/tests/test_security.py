"""Security of the master patient index: refusals change nothing and are recorded, restricted records
stay closed, and the database holds no plaintext name, MRN or date of birth."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose, Restriction
from recordroom.patients.models import MrnCounter, Patient
from recordroom.patients.services import find_patients, get_patient, register_patient
from recordroom.patients.tests.factories import make_patient
from recordroom.vault.models import SearchToken

pytestmark = pytest.mark.django_db

GIVEN = "Zebulonqx"
FAMILY = "Quartermaine"
BORN = date(1977, 8, 19)


def test_a_sysadmin_cannot_register_and_nothing_changes_but_the_refusal_is_recorded():
    admin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        register_patient(actor=admin, purpose=Purpose.OPERATIONS, given_name=GIVEN, family_name=FAMILY,
                         date_of_birth=BORN, administrative_sex="F")  # fmt: skip
    assert Patient.objects.count() == 0
    assert SearchToken.objects.count() == 0
    assert not MrnCounter.objects.exists()
    assert not AuditEvent.objects.filter(event_type="patients.registered").exists()
    [denied] = AuditEvent.objects.filter(event_type="access.denied")
    assert (denied.actor_id, denied.outcome, denied.action, denied.resource_type) == (
        admin.pk, "denied", "create", "patient",
    )  # fmt: skip


def test_a_sysadmin_cannot_search_or_read_and_each_refusal_is_recorded():
    patient = make_patient()
    admin = make_user([Role.SYSADMIN]).user
    with pytest.raises(AccessDeniedError):
        find_patients(actor=admin, purpose=Purpose.OPERATIONS, query=patient.family_name)
    with pytest.raises(AccessDeniedError):
        get_patient(actor=admin, purpose=Purpose.OPERATIONS, public_id=patient.public_id)
    assert not AuditEvent.objects.filter(event_type__in=["patients.searched", "patients.viewed"]).exists()
    denied = AuditEvent.objects.filter(event_type="access.denied", actor_id=admin.pk).order_by("seq")
    assert [(e.action, e.patient_id) for e in denied] == [("query", None), ("read", patient.pk)]


def test_a_coder_may_search_but_not_register():
    coder = make_user([Role.CODER]).user
    with pytest.raises(AccessDeniedError):
        register_patient(actor=coder, purpose=Purpose.OPERATIONS, given_name=GIVEN, family_name=FAMILY,
                         date_of_birth=BORN, administrative_sex="F")  # fmt: skip
    assert find_patients(actor=coder, purpose=Purpose.PAYMENT, query=FAMILY) == []
    assert Patient.objects.count() == 0


def test_a_clerk_cannot_open_a_vip_record_and_the_refusal_names_the_patient_id():
    vip = make_patient(restrictions=[Restriction.VIP])
    clerk = make_user([Role.HIM_CLERK]).user
    with pytest.raises(AccessDeniedError, match=r"restricted \(vip\)"):
        get_patient(actor=clerk, purpose=Purpose.OPERATIONS, public_id=vip.public_id)
    denied = AuditEvent.objects.get(event_type="access.denied", actor_id=clerk.pk)
    assert (denied.patient_id, denied.resource_id) == (vip.pk, str(vip.public_id))
    assert not AuditEvent.objects.filter(event_type="patients.viewed").exists()


def test_a_physician_searches_for_treatment_only():
    physician = make_user([Role.PHYSICIAN]).user
    with pytest.raises(AccessDeniedError):
        find_patients(actor=physician, purpose=Purpose.OPERATIONS, query=FAMILY)
    assert find_patients(actor=physician, purpose=Purpose.TREATMENT, query=FAMILY) == []


def test_the_stored_row_holds_no_plaintext_identifier():
    patient = make_patient(given_name=GIVEN, family_name=FAMILY, date_of_birth=BORN, ssn="219-09-9999",
                           phone="217-555-0199", email="zq@example.org",
                           address={"line": "77 Wintergreen Lane", "city": "Quahogville"})  # fmt: skip
    markers = [GIVEN, FAMILY, patient.mrn, BORN.isoformat(), "219099999", "2175550199", "zq@example.org",
               "Wintergreen", "Quahogville"]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM patients_patient WHERE id = %s", [patient.pk])
        row = cursor.fetchone()
        cursor.execute("SELECT digest FROM vault_searchtoken WHERE row_id = %s", [patient.public_id.hex
                       if connection.vendor == "sqlite" else patient.public_id])  # fmt: skip
        tokens = [r[0] for r in cursor.fetchall()]
    raw = b"".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row)
    for marker in markers:
        assert marker.encode() not in raw, marker
        assert marker.lower().encode() not in raw.lower(), marker
        assert marker.upper().encode() not in raw.upper(), marker
    assert tokens
    assert all(GIVEN.upper() not in t.upper() and FAMILY.upper() not in t.upper() for t in tokens)
    assert patient.birth_year == 1977  # the one part of the date of birth kept in the clear (Safe Harbor)


def test_no_name_dob_or_search_term_reaches_the_logs_or_the_audit_trail(caplog):
    caplog.set_level(logging.DEBUG)
    clerk = make_user([Role.HIM_CLERK]).user
    make_patient(given_name=GIVEN, family_name=FAMILY, date_of_birth=BORN, actor=clerk)
    find_patients(actor=clerk, purpose=Purpose.OPERATIONS, query=f"{GIVEN} Quartermain", dob=BORN)
    logged = caplog.text.lower()
    trail = json.dumps(list(AuditEvent.objects.values_list())).lower()
    for marker in (GIVEN.lower(), FAMILY.lower(), "quartermain", BORN.isoformat()):
        assert marker not in logged
        assert marker not in trail


def test_a_search_runs_the_same_queries_for_one_result_or_six():
    """No query per row: only the data-key reads vary, and those come from the key cache once the keys'
    rows are committed (inside a test transaction they are read each time)."""
    clerk = make_user([Role.HIM_CLERK]).user
    counts = []
    for n in range(6):
        make_patient(given_name="Ada", family_name=f"Lovelace{'x' * n}", actor=clerk)
        with CaptureQueriesContext(connection) as captured:
            results = find_patients(actor=clerk, purpose=Purpose.OPERATIONS, query="Ada")
        assert len(results) == n + 1
        counts.append(sum("vault_datakey" not in q["sql"] for q in captured.captured_queries))
    assert counts[1:] == [counts[1]] * 5
    assert counts[1] <= 6
