"""The physician, disease and procedure indices: rows by physician or code within a date range and code
prefix, restricted patients left out unless cleared, each view recorded as a query and each export before
it is produced, refused (and recorded) for roles without report access."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.access.services import grant_restriction
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core.vocabulary import Purpose, Restriction
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.models import AdtEvent
from recordroom.encounters.services import (
    IndexFilter,
    RecordIndex,
    add_consulting_physician,
    cancel_event,
    export_index,
    view_index,
)
from recordroom.encounters.tests.factories import (
    T0,
    make_clerk,
    make_condition,
    make_encounter,
    make_physician,
    make_procedure,
)
from recordroom.patients.tests.factories import make_patient

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
DAY = timedelta(days=1)


def director():
    return make_user([Role.HIM_DIRECTOR]).user


def test_the_physician_index_lists_attending_and_consulting_cases_in_the_range():
    clerk = make_clerk()
    doctor, other = make_physician(), make_physician()
    inside = make_encounter(actor=clerk, attending=doctor)
    consult = make_encounter(actor=clerk, attending=other, admitted_at=T0 + DAY)
    add_consulting_physician(actor=clerk, purpose=OPS, encounter=consult, physician=doctor)
    make_encounter(actor=clerk, attending=doctor, admitted_at=T0 - 10 * DAY)
    cancelled = make_encounter(actor=clerk, attending=doctor)
    cancel_event(actor=clerk, purpose=OPS, event=AdtEvent.objects.get(encounter=cancelled), reason_code="wrong_patient")
    boss = director()
    page = view_index(
        actor=boss, purpose=OPS, index=RecordIndex.PHYSICIAN,
        filters=IndexFilter(start=T0.date(), end=T0.date() + DAY, physician_id=doctor.pk),
    )  # fmt: skip
    assert page.columns[:4] == ("Physician", "Role", "Encounter", "MRN")
    assert [(r[1], r[2], r[3]) for r in page.rows] == [
        ("attending", str(inside.number), inside.patient.mrn), ("consulting", str(consult.number), consult.patient.mrn),
    ]  # fmt: skip
    everyone = view_index(actor=boss, purpose=OPS, index=RecordIndex.PHYSICIAN, filters=IndexFilter(start=T0.date()))
    assert len(everyone.rows) == 3
    [audit, _] = AuditEvent.objects.filter(event_type="encounters.index_viewed").order_by("seq")
    assert (audit.actor_id, audit.action, audit.resource_type, audit.resource_id, audit.patient_id) == (
        boss.pk, "query", "report", "physician_index", None,
    )  # fmt: skip
    assert json.loads(audit.detail) == {
        "index": "physician", "start": "2026-01-05", "end": "2026-01-06", "physician_id": doctor.pk, "results": 2,
        "truncated": False,
    }  # fmt: skip


def test_the_disease_index_filters_by_code_prefix_system_and_date():
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk)
    a = make_condition(actor=clerk, encounter=encounter, code="E11.9")
    b = make_condition(actor=clerk, code="E11.65", onset_at=T0 + DAY)
    make_condition(actor=clerk, code="I10")
    make_condition(actor=clerk, code="E11.9", onset_at=T0 - 30 * DAY)
    make_condition(actor=clerk, code="E11.9", verification_status="refuted")
    make_condition(actor=clerk, code_system="snomed", code="44054006")
    boss = director()

    def codes(**filters):
        page = view_index(actor=boss, purpose=OPS, index=RecordIndex.DISEASE, filters=IndexFilter(**filters))
        return [(row[0], row[3]) for row in page.rows]

    in_range = {"start": T0.date(), "end": T0.date() + DAY}
    assert codes(code_prefix="e11", **in_range) == [("E11.65", b.patient.mrn), ("E11.9", a.patient.mrn)]
    assert codes(code_prefix="E119", **in_range) == [("E11.9", a.patient.mrn)]
    assert [c for c, _ in codes(code_system="snomed")] == ["44054006"]
    assert [c for c, _ in codes(code_prefix="E11")] == ["E11.65", "E11.9", "E11.9"]
    page = view_index(actor=boss, purpose=OPS, index=RecordIndex.DISEASE, filters=IndexFilter(code_prefix="E11.9"))
    row = next(r for r in page.rows if r[4] == str(encounter.number))
    assert row[2] == "Type 2 diabetes mellitus without complications"


def test_the_procedure_index_lists_reported_procedures_by_code():
    clerk = make_clerk()
    encounter = make_encounter(actor=clerk)
    make_procedure(actor=clerk, encounter=encounter, status="completed")
    make_procedure(actor=clerk, code_system="cpt", code="99213")
    make_procedure(actor=clerk, code="0DTJ4ZZ", status="not-done")
    page = view_index(actor=director(), purpose=OPS, index=RecordIndex.PROCEDURE, filters=IndexFilter(code_prefix="0D"))
    assert [(r[0], r[4], r[7]) for r in page.rows] == [("0DTJ4ZZ", str(encounter.number), "completed")]


def test_restricted_patients_are_left_out_unless_the_user_is_cleared():
    clerk = make_clerk()
    vip = make_patient(actor=clerk, restrictions=["vip"])
    officer = make_user([Role.PRIVACY_OFFICER]).user
    importer = make_clerk()
    grant_restriction(user=importer, restriction=Restriction.VIP, actor=officer, reason="Interface account", days=1)
    plain = make_condition(actor=importer, code="J18.9")
    make_condition(actor=importer, patient=vip, code="J18.9")
    boss = director()

    def mrns():
        page = view_index(actor=boss, purpose=OPS, index=RecordIndex.DISEASE, filters=IndexFilter(code_prefix="J18"))
        return [r[3] for r in page.rows]

    assert mrns() == [plain.patient.mrn]
    grant_restriction(
        user=boss, restriction=Restriction.VIP, actor=officer, reason="VIP case review", days=1, patient_id=vip.pk
    )
    boss = type(boss).objects.get(pk=boss.pk)
    assert sorted(mrns()) == sorted([plain.patient.mrn, vip.mrn])


def test_the_screen_stops_at_its_limit_and_says_so():
    clerk = make_clerk()
    for _ in range(3):
        make_condition(actor=clerk, code="K35.80")
    page = view_index(
        actor=director(), purpose=OPS, index=RecordIndex.DISEASE, filters=IndexFilter(code_prefix="K35"), limit=2
    )
    assert (len(page.rows), page.truncated) == (2, True)


def test_an_export_streams_csv_and_is_recorded_before_it_is_produced():
    clerk = make_clerk()
    row = make_condition(actor=clerk, code="E11.9", display="=HYPERLINK(1)")
    boss = director()
    lines = export_index(actor=boss, purpose=OPS, index=RecordIndex.DISEASE, filters=IndexFilter(code_prefix="E11"))
    [audit] = AuditEvent.objects.filter(event_type="encounters.index_exported")
    assert (audit.action, audit.resource_id, json.loads(audit.detail)) == (
        "export", "disease_index", {"index": "disease", "code_prefix": "E11", "format": "csv"},
    )  # fmt: skip
    table = list(csv.reader(io.StringIO("".join(lines))))
    assert table[0][:4] == ["Code", "Code system", "Description", "MRN"]
    assert table[1][:4] == ["E11.9", "ICD-10-CM", "'=HYPERLINK(1)", row.patient.mrn]
    assert len(table) == 2


def test_indices_are_refused_and_recorded_for_a_clerk():
    clerk = make_clerk()
    for call in (view_index, export_index):
        with pytest.raises(AccessDeniedError):
            call(actor=clerk, purpose=OPS, index=RecordIndex.DISEASE, filters=IndexFilter())
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=clerk.pk, resource_type="report").count() == 2
    assert not AuditEvent.objects.filter(event_type__startswith="encounters.index_").exists()


@pytest.mark.parametrize(
    ("index", "filters", "code", "field"),
    [
        (RecordIndex.DISEASE, IndexFilter(start=date(2026, 2, 1), end=date(2026, 1, 1)), "date_out_of_order", "end"),
        (RecordIndex.DISEASE, IndexFilter(code_prefix="E11;DROP"), "invalid_code", "code_prefix"),
        (RecordIndex.DISEASE, IndexFilter(code_system="icd9"), "unknown_code", "code_system"),
        (RecordIndex.PHYSICIAN, IndexFilter(code_prefix="E11"), "invalid_input", "code_prefix"),
    ],
)
def test_bad_filters_are_refused_with_the_field(index, filters, code, field):
    with pytest.raises(EncountersError) as caught:
        view_index(actor=director(), purpose=OPS, index=index, filters=filters)
    assert (caught.value.code, caught.value.field) == (EncountersErrorCode(code), field)
    assert not AuditEvent.objects.filter(event_type__startswith="encounters.index_").exists()
