"""The synthetic hospital: deterministic for a seed, coherent ADT (no bed double-booked), the planted
duplicates and twins in the truth file, the rows the registration service leaves, one audit event, and no
plaintext PHI in the database."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from django.db import connection

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.encounters.models import AdtEvent, Bed, Encounter, EncounterStatus, ReportedCondition
from recordroom.encounters.services.occupancy import stays_in_beds
from recordroom.interop.errors import InteropError, InteropErrorCode
from recordroom.interop.models import SyntheticRun
from recordroom.interop.services import synthesize_hospital
from recordroom.interop.services.synth import _Builder
from recordroom.patients.models import Patient, PatientAddress
from recordroom.patients.mrn import luhn_valid

pytestmark = pytest.mark.django_db(transaction=True)
AT = datetime(2026, 6, 15, 14, 30, tzinfo=UTC)
PATIENTS = 240


def _digest(seed: int, patients: int = PATIENTS) -> str:
    builder = _Builder(actor=None, seed=seed, now=AT, today=AT.date(), progress=None)  # type: ignore[arg-type]
    builder.plan(patients, 0.05, 0.4)
    return builder.digest


@pytest.fixture
def hospital(tmp_path):
    admin = make_user([Role.SYSADMIN]).user
    truth = tmp_path / "truth.jsonl"
    with clock.frozen(AT):
        result = synthesize_hospital(actor=admin, patients=PATIENTS, seed=11, documents=12, truth_path=truth)
    return admin, result, truth


def test_the_same_seed_gives_the_same_people_and_another_seed_other_people(hospital):
    _, result, _ = hospital
    assert result.demographics_digest == _digest(11)
    assert _digest(11) == _digest(11)
    assert _digest(12) != _digest(11)


def test_every_patient_encounter_and_code_is_written(hospital):
    _, result, _ = hospital
    counts = result.counts
    assert Patient.objects.count() == counts["patients"] == PATIENTS
    assert Encounter.objects.count() == counts["encounters"] > 0
    assert AdtEvent.objects.count() == counts["adt_events"]
    assert ReportedCondition.objects.count() == counts["conditions"] >= counts["encounters"]
    classes = set(Encounter.objects.values_list("encounter_class", flat=True))
    assert classes >= {"inpatient", "emergency", "outpatient", "observation", "day_surgery"}
    assert all(luhn_valid(p.mrn[-8:]) for p in Patient.objects.all()[:50])


def test_no_bed_holds_two_patients_at_once(hospital):
    bed_ids = list(Bed.objects.values_list("id", flat=True))
    by_bed = defaultdict(list)
    for stay in stays_in_beds(bed_ids):
        by_bed[stay.bed_id].append(stay)
    assert by_bed
    for stays in by_bed.values():
        stays.sort(key=lambda s: s.start)
        for earlier, later in itertools.pairwise(stays):
            assert earlier.end is not None
            assert earlier.end <= later.start


def test_in_house_patients_have_a_bed_and_no_discharge(hospital):
    open_ones = Encounter.objects.filter(status=EncounterStatus.ACTIVE)
    for encounter in open_ones:
        kinds = list(encounter.events.values_list("kind", flat=True))
        assert "discharge" not in kinds
        assert encounter.discharged_at is None
    discharged = Encounter.objects.filter(status=EncounterStatus.DISCHARGED).first()
    assert discharged is not None
    assert discharged.discharge_disposition
    assert discharged.events.filter(kind="discharge", disposition=discharged.discharge_disposition).exists()


def test_the_truth_file_lists_every_planted_duplicate_and_every_twin_pair(hospital):
    _, result, truth = hospital
    lines = [json.loads(line) for line in truth.read_text().splitlines()]
    duplicates = [line for line in lines if line["is_duplicate"]]
    twins = [line for line in lines if line["kind"] == "twin"]
    assert len(duplicates) == result.counts["planted_duplicates"] == round(PATIENTS * 0.05)
    assert len(twins) == result.counts["twin_pairs"]
    assert {line["kind"] for line in duplicates} <= {"typo", "swap", "moved", "nickname", "dob_slip", "missing_ssn",
                                                     "married_name"}  # fmt: skip
    ids = {str(p) for p in Patient.objects.values_list("public_id", flat=True)}
    assert all(line["original"] in ids and line["duplicate"] in ids for line in lines)
    for line in duplicates:
        original = Patient.objects.get(public_id=line["original"])
        duplicate = Patient.objects.get(public_id=line["duplicate"])
        if line["kind"] == "swap":
            assert (duplicate.given_name, duplicate.family_name) == (original.family_name, original.given_name)
        if line["kind"] == "moved":
            assert duplicate.address != original.address
            assert duplicate.date_of_birth == original.date_of_birth


def test_twins_share_birth_date_surname_and_address_but_not_the_first_name():
    admin = make_user([Role.SYSADMIN]).user
    with clock.frozen(AT):
        result = synthesize_hospital(actor=admin, patients=1200, seed=5, documents=0, encounter_rate=0.02)
    twins = [line for line in result.truth if line["kind"] == "twin"]
    assert twins
    for line in twins:
        first = Patient.objects.get(public_id=line["original"])
        second = Patient.objects.get(public_id=line["duplicate"])
        assert (first.date_of_birth, first.family_name, first.address) == (
            second.date_of_birth, second.family_name, second.address)  # fmt: skip
        assert first.given_name != second.given_name


def test_the_rows_are_those_registration_leaves(hospital):
    from recordroom.core.vocabulary import Purpose
    from recordroom.patients.services import find_patients
    from recordroom.vault.models import SearchToken

    clerk = make_user([Role.HIM_CLERK]).user
    patient = Patient.objects.order_by("id")[0]
    found = find_patients(actor=clerk, purpose=Purpose.OPERATIONS, query=patient.mrn)
    assert [str(r.public_id) for r in found] == [str(patient.public_id)]
    name = f"{patient.given_name} {patient.family_name}"
    by_name = find_patients(actor=clerk, purpose=Purpose.OPERATIONS, query=name, dob=patient.date_of_birth)
    assert str(patient.public_id) in {str(r.public_id) for r in by_name}
    assert SearchToken.objects.filter(row_id=patient.public_id).count() >= 2
    if patient.address:
        assert PatientAddress.objects.get(patient=patient).address == patient.address


def test_one_audit_event_records_the_run_with_counts_only(hospital):
    admin, result, _ = hospital
    event = AuditEvent.objects.get(event_type="interop.synthesized")
    assert event.actor_id == admin.pk
    detail = event.detail if isinstance(event.detail, dict) else json.loads(event.detail)
    assert detail["patients"] == PATIENTS
    assert detail["encounters"] == result.counts["encounters"]
    assert not AuditEvent.objects.filter(event_type="patients.registered").exists()
    assert SyntheticRun.objects.get().finished_at is not None


def test_a_second_run_is_refused_and_changes_nothing(hospital):
    admin, _, _ = hospital
    before = (Patient.objects.count(), Encounter.objects.count(), AuditEvent.objects.count())
    with pytest.raises(InteropError) as refused:
        synthesize_hospital(actor=admin, patients=PATIENTS, seed=11)
    assert refused.value.code is InteropErrorCode.ALREADY_SYNTHESIZED
    assert (Patient.objects.count(), Encounter.objects.count(), AuditEvent.objects.count()) == before


def test_someone_who_may_not_administer_the_system_is_refused_and_recorded():
    clerk = make_user([Role.HIM_CLERK]).user
    with pytest.raises(AccessDeniedError):
        synthesize_hospital(actor=clerk, patients=50, seed=1)
    assert Patient.objects.count() == 0
    assert not SyntheticRun.objects.exists()
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.pk).exists()


@pytest.mark.parametrize(("field", "value"), [("patients", 5), ("seed", -1), ("duplicate_rate", 0.9)])
def test_out_of_range_parameters_are_refused_naming_them(field, value):
    admin = make_user([Role.SYSADMIN]).user
    arguments = {"patients": 50, "seed": 1, field: value}
    with pytest.raises(InteropError) as refused:
        synthesize_hospital(actor=admin, **arguments)
    assert refused.value.code is InteropErrorCode.INVALID_INPUT
    assert refused.value.field == field
    assert Patient.objects.count() == 0


def test_no_plaintext_phi_reaches_the_database(hospital, settings):
    patients = list(Patient.objects.order_by("id")[:40])
    markers = set()
    for patient in patients:
        if patient.ssn:
            markers.add(patient.ssn)
        if patient.phone:
            markers.add(patient.phone)  # normalized +1NXXNXXXXXX: no timestamp or counter looks like it
        if patient.email:
            markers.add(patient.email)
        if patient.address:
            markers.add(patient.address["line"])
        if patient.birth_year < AT.year - 2:  # a newborn's birth date is its encounter's date, kept in the clear
            markers.add(patient.date_of_birth.isoformat())
        markers.add(f"{patient.given_name} {patient.family_name}")
    markers.add("HISTORY OF PRESENT ILLNESS")
    tables = connection.introspection.table_names()
    quote = connection.ops.quote_name
    dump = []
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT * FROM {quote(table)}")
            for row in cursor.fetchall():
                dump.append(b"|".join(bytes(v) if isinstance(v, bytes | memoryview) else str(v).encode() for v in row))
    raw = b"\n".join(dump)
    store = b"".join(p.read_bytes() for p in settings.RECORDROOM_DOCUMENT_STORE.rglob("*") if p.is_file())
    for marker in markers:
        assert marker.encode() not in raw, "plaintext PHI in the database"
        assert marker.encode() not in store, "plaintext PHI in the document store"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="worker processes need a database they can open")
def test_worker_processes_write_the_same_hospital(monkeypatch):
    from recordroom.interop.services import synth

    monkeypatch.setattr(synth, "PATIENT_BATCH", 60)
    admin = make_user([Role.SYSADMIN]).user
    with clock.frozen(AT):
        result = synthesize_hospital(actor=admin, patients=PATIENTS, seed=11, documents=0, workers=2)
    assert result.demographics_digest == _digest(11)
    assert Patient.objects.count() == PATIENTS
    assert Encounter.objects.count() == result.counts["encounters"]
    assert AdtEvent.objects.count() == result.counts["adt_events"]
    assert ReportedCondition.objects.count() == result.counts["conditions"]
    ids = {str(p) for p in Patient.objects.values_list("public_id", flat=True)}
    assert {line["original"] for line in result.truth} <= ids
    assert {line["duplicate"] for line in result.truth} <= ids
