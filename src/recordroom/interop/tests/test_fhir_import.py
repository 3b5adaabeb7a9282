"""The FHIR import: the shared Synthea bundles and bulk NDJSON land with the counts the files hold, a
re-import creates nothing, and every malformed input is refused naming the file and entry or line, with
nothing of that file kept and the refusal recorded."""

from __future__ import annotations

import base64
import copy
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.documents.models import Document
from recordroom.encounters.models import AdtEvent, Encounter, ReportedCondition, ReportedProcedure
from recordroom.interop.errors import InteropError, InteropErrorCode
from recordroom.interop.models import ImportedResource
from recordroom.interop.services import import_fhir
from recordroom.patients.models import Patient, PatientIdentifier

pytestmark = pytest.mark.django_db(transaction=True)
EXTERNAL = Path(__file__).resolve().parents[5] / "shared" / "external"
BUNDLES = EXTERNAL / "synthea-r4-transaction-bundles"
NDJSON = EXTERNAL / "synthea-bulk-ndjson" / "10-patients"
SMALL = ("Agustín_Fonseca_cb5696d9-a0de-4f49-94f9-433f96a28eb0.json",
         "Gustavo_Mejía_59a8543c-e24f-4a01-b28b-47ccde6bc11d.json")  # fmt: skip
needs_data = pytest.mark.skipif(not BUNDLES.exists(), reason="the shared Synthea samples are not present")


def state() -> tuple[int, ...]:
    return (
        Patient.objects.count(), Encounter.objects.count(), AdtEvent.objects.count(),
        ReportedCondition.objects.count(), ReportedProcedure.objects.count(), Document.objects.count(),
        ImportedResource.objects.count(),
    )  # fmt: skip


@pytest.fixture
def clerk():
    return make_user([Role.HIM_CLERK]).user


def _types(path: Path) -> Counter[str]:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    return Counter(entry["resource"]["resourceType"] for entry in bundle["entry"])


def _bundle(tmp_path: Path, name: str, mutate) -> Path:
    bundle = json.loads((BUNDLES / SMALL[0]).read_text(encoding="utf-8"))
    mutate(bundle)
    target = tmp_path / name
    target.write_text(json.dumps(bundle), encoding="utf-8")
    return target


@needs_data
def test_bundles_land_with_the_counts_they_hold(clerk):
    report = import_fhir(actor=clerk, paths=[BUNDLES / name for name in SMALL])
    assert report.ok, [f.error for f in report.files]
    expected = sum((_types(BUNDLES / name) for name in SMALL), Counter())
    created = sum((f.created for f in report.files), Counter())
    skipped = sum((f.skipped for f in report.files), Counter())
    assert created["Patient"] == expected["Patient"] == Patient.objects.count() == 2
    assert created["Encounter"] == expected["Encounter"] == Encounter.objects.count()
    invalid = {kind: skipped[f"{kind}:code_invalid"] for kind in ("Condition", "Procedure")}
    assert created["Condition"] + invalid["Condition"] == expected["Condition"] == (
        ReportedCondition.objects.count() + invalid["Condition"])  # fmt: skip
    assert created["Procedure"] + invalid["Procedure"] == expected["Procedure"]
    assert skipped["Observation"] == expected["Observation"]
    assert ImportedResource.objects.count() == sum(created.values())
    events = AuditEvent.objects.filter(event_type="interop.fhir_imported")
    assert events.count() == 2
    assert all(e.actor_id == clerk.pk for e in events)


@needs_data
def test_patient_demographics_identifiers_and_codes_are_mapped(clerk):
    import_fhir(actor=clerk, paths=[BUNDLES / SMALL[0]])
    resource = next(e["resource"] for e in json.loads((BUNDLES / SMALL[0]).read_text())["entry"]
                    if e["resource"]["resourceType"] == "Patient")  # fmt: skip
    patient = Patient.objects.get()
    name = resource["name"][0]
    assert (patient.given_name, patient.family_name) == (name["given"][0], name["family"])
    assert patient.date_of_birth.isoformat() == resource["birthDate"]
    assert patient.administrative_sex == {"male": "M", "female": "F"}[resource["gender"]]
    assert len(patient.address["state"]) == 2
    authorities = set(PatientIdentifier.objects.filter(patient=patient).values_list("authority", flat=True))
    assert "urn:oid:2.16.840.1.113883.4.3.25" in authorities  # driver's licence keeps its assigning authority
    assert "http://hl7.org/fhir/sid/us-ssn" in authorities  # Synthea's 999- numbers: an identifier, not an SSN
    assert not patient.ssn
    assert set(ReportedCondition.objects.values_list("code_system", flat=True)) == {"snomed"}
    assert Encounter.objects.filter(encounter_class="outpatient").exists()
    assert all(e.attending.has_role(Role.PHYSICIAN) for e in Encounter.objects.all()[:5])


@needs_data
def test_importing_the_same_files_again_creates_nothing(clerk):
    import_fhir(actor=clerk, paths=[BUNDLES / SMALL[0]])
    before = state()
    again = import_fhir(actor=clerk, paths=[BUNDLES / SMALL[0]])
    assert again.ok
    assert state() == before
    assert sum(again.files[0].created.values()) == 0
    assert again.files[0].existing["Patient"] == 1


@needs_data
def test_the_same_patient_from_another_source_is_linked_by_identifier(clerk):
    import_fhir(actor=clerk, paths=[BUNDLES / SMALL[0]])
    report = import_fhir(actor=clerk, paths=[BUNDLES / SMALL[0]], source="another-feed")
    assert report.ok
    assert Patient.objects.count() == 1
    assert report.files[0].existing["Patient:matched_by_identifier"] == 1


@needs_data
def test_bulk_ndjson_resolves_references_across_files(clerk, tmp_path):
    patient_line = (NDJSON / "Patient.000.ndjson").read_text().splitlines()[0]
    patient_id = json.loads(patient_line)["id"]
    ref = f"Patient/{patient_id}"

    def lines_of(name: str, limit: int) -> list[str]:
        found = [line for line in (NDJSON / name).read_text().splitlines() if ref in line]
        return found[:limit]

    encounters = lines_of("Encounter.000.ndjson", 30)
    encounter_ids = {json.loads(line)["id"] for line in encounters}

    def in_those(line: str) -> bool:
        return any(f"Encounter/{eid}" in line for eid in encounter_ids)

    conditions = [line for line in lines_of("Condition.000.ndjson", 400) if in_those(line)][:10]
    documents = [line for line in lines_of("DocumentReference.000.ndjson", 400) if in_those(line)][:2]
    folder = tmp_path / "export"
    folder.mkdir()
    # File names sort before Patient's on purpose: the import orders by what references what.
    (folder / "Condition.000.ndjson").write_text("\n".join(conditions) + "\n")
    (folder / "DocumentReference.000.ndjson").write_text("\n".join(documents) + "\n")
    (folder / "Encounter.000.ndjson").write_text("\n".join(encounters) + "\n")
    (folder / "Patient.000.ndjson").write_text(patient_line + "\n")
    (folder / "log.ndjson").write_text('{"transactionTime": "2025-01-01"}\n')
    report = import_fhir(actor=clerk, paths=[folder])
    assert report.ok, [f.error for f in report.files]
    assert Patient.objects.count() == 1
    assert Encounter.objects.count() == len(encounters)
    assert ReportedCondition.objects.count() == len(conditions)
    assert Document.objects.count() == len(documents)
    assert {f.name for f in report.files} == {p.name for p in folder.iterdir()} - {"log.ndjson"}


@needs_data
def test_an_attachment_given_by_url_is_skipped_with_a_warning(clerk, tmp_path):
    document: dict[str, Any] = {
        "resourceType": "DocumentReference", "id": "doc-url-1", "status": "current",
        "subject": {"reference": "urn:uuid:cb5696d9-a0de-4f49-94f9-433f96a28eb0"},
        "content": [{"attachment": {"contentType": "application/pdf", "url": "https://example.org/note.pdf"}}],
    }  # fmt: skip
    inline = copy.deepcopy(document)
    inline["id"] = "doc-inline-1"
    inline["type"] = {"coding": [{"system": "http://loinc.org", "code": "18842-5"}]}
    inline["content"] = [{"attachment": {"contentType": "text/plain",
                                         "data": base64.b64encode(b"Discharge summary text.").decode()}}]  # fmt: skip

    def add(bundle):
        patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
        document["subject"]["reference"] = inline["subject"]["reference"] = patient["fullUrl"]
        bundle["entry"] += [{"fullUrl": "urn:uuid:doc-url-1", "resource": document},
                            {"fullUrl": "urn:uuid:doc-inline-1", "resource": inline}]  # fmt: skip

    report = import_fhir(actor=clerk, paths=[_bundle(tmp_path, "with-docs.json", add)])
    assert report.ok, [f.error for f in report.files]
    assert report.files[0].skipped["DocumentReference:attachment_url_not_fetched"] == 1
    assert Document.objects.count() == 1


def _refused(clerk, path: Path, code: InteropErrorCode, *fragments: str) -> None:
    before = state()
    report = import_fhir(actor=clerk, paths=[path])
    assert not report.ok
    failed = report.files[0]
    assert failed.error_code == code.value
    for fragment in fragments:
        assert fragment in failed.error
    assert state() == before
    assert AuditEvent.objects.filter(event_type="interop.fhir_rejected", actor_id=clerk.pk).exists()


def test_a_file_that_is_not_json_is_refused_naming_it(clerk, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"resourceType": "Bundle", "entry": [', encoding="utf-8")
    _refused(clerk, path, InteropErrorCode.NOT_JSON, "broken.json", "not valid JSON")


def test_json_that_is_not_a_bundle_is_refused(clerk, tmp_path):
    path = tmp_path / "patient.json"
    path.write_text('{"resourceType": "Patient", "id": "x"}', encoding="utf-8")
    _refused(clerk, path, InteropErrorCode.NOT_A_BUNDLE, "patient.json")


@needs_data
def test_a_resource_missing_a_required_element_refuses_the_whole_bundle(clerk, tmp_path):
    def drop_birth_date(bundle):
        for entry in bundle["entry"]:
            if entry["resource"]["resourceType"] == "Patient":
                del entry["resource"]["birthDate"]

    _refused(clerk, _bundle(tmp_path, "no-dob.json", drop_birth_date), InteropErrorCode.INVALID_RESOURCE,
             "no-dob.json entry 0", "Patient.birthDate is missing")  # fmt: skip


@needs_data
def test_a_reference_to_nothing_refuses_the_whole_bundle(clerk, tmp_path):
    where: list[str] = []

    def dangle(bundle):
        for number, entry in enumerate(bundle["entry"]):
            if entry["resource"]["resourceType"] == "Encounter":
                entry["resource"]["subject"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"
                where.append(f"entry {number}")
                return

    path = _bundle(tmp_path, "dangling.json", dangle)
    _refused(clerk, path, InteropErrorCode.UNRESOLVED_REFERENCE, f"dangling.json {where[0]}", "Encounter.subject")


@needs_data
def test_an_ndjson_file_with_bad_lines_names_them_and_keeps_nothing(clerk, tmp_path):
    lines = (NDJSON / "Patient.000.ndjson").read_text().splitlines()[:3]
    path = tmp_path / "Patient.000.ndjson"
    path.write_text("\n".join([lines[0], "{not json", lines[1], '{"id": "no type"}', lines[2]]) + "\n")
    _refused(clerk, path, InteropErrorCode.NOT_JSON, "2 bad line(s)", "line 2", "line 4")


def test_a_missing_path_is_an_error_before_anything_is_read(clerk, tmp_path):
    with pytest.raises(InteropError) as refused:
        import_fhir(actor=clerk, paths=[tmp_path / "nowhere"])
    assert refused.value.code is InteropErrorCode.NOT_FOUND


@needs_data
def test_a_user_who_may_not_register_patients_is_refused_and_recorded(tmp_path):
    coder = make_user([Role.CODER]).user
    with pytest.raises(AccessDeniedError):
        import_fhir(actor=coder, paths=[BUNDLES / SMALL[0]])
    assert state() == (0, 0, 0, 0, 0, 0, 0)
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=coder.pk).exists()


@needs_data
def test_a_refused_file_does_not_spoil_the_next_one_in_the_same_run(clerk, tmp_path):
    def dangle_last_condition(bundle):
        conditions = [e for e in bundle["entry"] if e["resource"]["resourceType"] == "Condition"]
        conditions[-1]["resource"]["encounter"]["reference"] = "urn:uuid:00000000-0000-0000-0000-000000000000"

    _bundle(tmp_path, "a-broken.json", dangle_last_condition)  # fails after its encounters and providers
    (tmp_path / "b-good.json").write_text((BUNDLES / SMALL[0]).read_text(encoding="utf-8"), encoding="utf-8")
    report = import_fhir(actor=clerk, paths=[tmp_path])
    assert [f.ok for f in report.files] == [False, True]
    assert Patient.objects.count() == 1
    assert Encounter.objects.count() == _types(BUNDLES / SMALL[0])["Encounter"]


@needs_data
def test_two_patients_of_one_file_claiming_one_identifier_refuse_the_file(clerk, tmp_path):
    def twin_records(bundle):
        patient = next(e for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
        copy_of = copy.deepcopy(patient)
        copy_of["fullUrl"] = "urn:uuid:11111111-1111-1111-1111-111111111111"
        copy_of["resource"]["id"] = "11111111-1111-1111-1111-111111111111"
        bundle["entry"].append(copy_of)

    _refused(clerk, _bundle(tmp_path, "same-id.json", twin_records), InteropErrorCode.INVALID_RESOURCE,
             "same-id.json", "same identifier")  # fmt: skip
