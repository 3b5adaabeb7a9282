"""``recordroom import fhir PATH...``: FHIR R4 bundles and bulk NDJSON into the MPI, encounters, reported
codes and documents.

Shape: the policy is asked first for each kind of record the import writes (patients, encounters,
documents; a refusal is recorded and nothing is read). Every file is read and every resource checked
(``interop.fhir.mapping``) before anything of that file is written; then one transaction per file writes
it all or nothing (a transaction bundle's all-or-nothing rule, FHIR R4 3.1.0.11.2, applied to every file)
and records one ``interop.fhir_imported`` event with the counts. A file that fails records
``interop.fhir_rejected`` with the error code and changes nothing; the other files go on.

- References: ``urn:uuid:`` full URLs inside a bundle, ``Type/id`` across the files of one run and
  against earlier imports (``ImportedResource``), conditional ``Practitioner?identifier=...|NPI``.
- Idempotent: every imported resource is keyed by sha256(source | type | id); importing it again finds
  the record it became and writes nothing. A Patient whose identifier (same assigning authority and value)
  is already on a record is linked to that record instead of registered again (AHIMA MPI guidance: one
  authority's number names one person).
- A demographic element the MPI refuses (a phone that is not a phone, a state that is not a state) is left
  out with a warning (``phone_dropped``); a missing name, birth date or subject refuses the file.
- Attending physicians: one account per practitioner (``npi.<NPI>``, physician role, no password), created
  by the system actor the first time a practitioner appears, as an interface engine's provider dictionary.
- Documents go through ``documents.services.file_document`` (content checked and sealed in the blob store,
  one audit event each); a DocumentReference whose attachment is only a URL is skipped with a warning
  (nothing is fetched from the network).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from recordroom.access.decisions import Decision, Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.services import create_user
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.errors import RecordroomError
from recordroom.core.vocabulary import Purpose
from recordroom.documents.services import file_document
from recordroom.encounters.codes import AdmitSource, ExpectedPayer
from recordroom.encounters.models import (
    AdtEvent,
    AdtKind,
    ConditionClinicalStatus,
    ConditionVerificationStatus,
    Encounter,
    EncounterStatus,
    ProcedureStatus,
    ReportedCondition,
    ReportedProcedure,
    ReportedSource,
)
from recordroom.encounters.services.reported import clean_code
from recordroom.interop.audit_events import InteropEvent
from recordroom.interop.errors import InteropError, InteropErrorCode
from recordroom.interop.fhir import mapping
from recordroom.interop.fhir.reading import Entry, SourceFile, find_files, read_file
from recordroom.interop.models import ImportedResource, TargetKind
from recordroom.interop.permissions import InteropPermission
from recordroom.interop.services.bulk import (
    LOOKUP_CHUNK,
    NewPatient,
    allocate_encounter_numbers,
    commit_data_keys,
    insert_adt,
    insert_encounters,
    insert_patients,
    insert_reported,
)
from recordroom.patients.errors import PatientsError
from recordroom.patients.models import Patient, PatientIdentifier
from recordroom.patients.services.demographics import Demographics, clean_demographics
from recordroom.patients.services.identifiers import CleanIdentifier, clean_identifier

REQUIRED_PATIENT_FIELDS = {"given_name", "family_name", "date_of_birth", "administrative_sex"}
UNKNOWN_PROVIDER = "provider.unknown"
CONDITION_SYSTEMS = frozenset({"icd10cm", "snomed", "other"})
PROCEDURE_SYSTEMS = frozenset({"icd10pcs", "cpt", "hcpcs", "snomed", "loinc", "other"})
PERMISSIONS = (
    InteropPermission.IMPORT_PATIENTS,
    InteropPermission.IMPORT_ENCOUNTERS,
    InteropPermission.IMPORT_DOCUMENTS,
)


@dataclass
class FileReport:
    name: str
    kind: str = ""
    ok: bool = False
    resources: int = 0
    created: Counter[str] = field(default_factory=Counter)
    existing: Counter[str] = field(default_factory=Counter)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: Counter[str] = field(default_factory=Counter)
    error: str = ""
    error_code: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.name, "kind": self.kind, "ok": self.ok, "resources": self.resources,
            "created": dict(self.created), "existing": dict(self.existing), "skipped": dict(self.skipped),
            "warnings": dict(self.warnings), "error": self.error, "error_code": self.error_code,
        }  # fmt: skip


@dataclass
class ImportReport:
    files: list[FileReport]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.files)

    @property
    def resources(self) -> int:
        return sum(f.resources for f in self.files if f.ok)

    def as_dict(self) -> dict[str, Any]:
        rate = self.resources / self.seconds if self.seconds else 0.0
        return {"files": [f.as_dict() for f in self.files], "resources": self.resources,
                "seconds": round(self.seconds, 3), "resources_per_second": round(rate, 1),
                "failed_files": sum(not f.ok for f in self.files)}  # fmt: skip


def resource_key(source: str, resource_type: str, resource_id: str) -> str:
    return hashlib.sha256(f"{source}|{resource_type}|{resource_id}".encode()).hexdigest()


def import_fhir(
    *,
    actor: User,
    paths: Iterable[Path],
    source: str = "fhir",
    full_validation: bool = False,
    request: HttpRequest | None = None,
) -> ImportReport:
    """Import FHIR files and folders; returns a report per file (a failed file changed nothing).

    Raises ``AccessDeniedError`` (recorded) when the actor may not create patients, encounters or documents,
    and :class:`InteropError` ``not_found`` when a path does not exist or ``invalid_input`` for a bad source
    label (nothing read then).
    """
    purpose = Purpose.OPERATIONS
    decisions = {p: enforce(actor, p.action, Resource(p.resource_type), purpose, request=request) for p in PERMISSIONS}
    label = source.strip()
    if not label or len(label) > 64 or not label.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise InteropError(InteropErrorCode.INVALID_INPUT, "source is 1-64 letters, digits, . - _", field="source")
    started = time.perf_counter()
    files = find_files(list(paths))
    run = _ImportRun(actor=actor, source=label, purpose=purpose, decisions=decisions, request=request,
                     full_validation=full_validation)  # fmt: skip
    loaded: list[tuple[SourceFile | None, FileReport]] = []
    for path in files:
        report = FileReport(name=path.name)
        try:
            read = read_file(path)
            report.kind = read.kind
            run.index(read)
            loaded.append((read, report))
        except InteropError as exc:
            run.reject(report, exc)
            loaded.append((None, report))
    ordered = sorted(loaded, key=lambda item: run.rank(item[0]))
    for source_file, report in ordered:
        if source_file is not None:
            run.import_file(source_file, report)
    return ImportReport(files=[report for _, report in loaded], seconds=time.perf_counter() - started)


@dataclass
class _Target:
    kind: str
    public_id: uuid.UUID
    row: Any = None


class _ImportRun:
    """The state of one import: every resource read, by the references that name it, and what each became."""

    def __init__(self, *, actor: User, source: str, purpose: Purpose, decisions: dict[InteropPermission, Decision],
                 request: HttpRequest | None, full_validation: bool) -> None:  # fmt: skip
        self.actor = actor
        self.source = source
        self.purpose = purpose
        self.decisions = decisions
        self.request = request
        self.full_validation = full_validation
        self.entries: dict[str, Entry] = {}
        self.targets: dict[str, _Target] = {}  # resource key -> record, this run
        self.providers: dict[str, User] = {}

    # --------------------------------------------------------------------------------- references

    def index(self, source_file: SourceFile) -> None:
        for entry in source_file.entries:
            for key in entry.reference_keys():
                self.entries[key] = entry

    def rank(self, source_file: SourceFile | None) -> int:
        if source_file is None or not source_file.entries:
            return 9
        return min(mapping.TYPE_RANK.get(e.type, 5) for e in source_file.entries)

    def key_of(self, entry: Entry) -> str:
        return resource_key(self.source, entry.type, entry.id or entry.full_url)

    def resolve(self, ref: str, entry: Entry, element: str, kind: str) -> _Target:
        """The record a reference names: in this run, or imported before. A reference to nothing refuses."""
        target_entry = self.entries.get(ref)
        if target_entry is not None:
            key = self.key_of(target_entry)
        elif "/" in ref and not ref.startswith(("urn:", "http")) and "?" not in ref:
            resource_type, _, resource_id = ref.partition("/")
            key = resource_key(self.source, resource_type, resource_id)
        else:
            key = ""
        found = self.targets.get(key) if key else None
        if found is None and key:
            row = ImportedResource.objects.filter(key=key).values_list("target_kind", "target_id").first()
            if row is not None:
                found = _Target(kind=row[0], public_id=row[1])
                self.targets[key] = found
        if found is None or found.kind != kind:
            raise InteropError(InteropErrorCode.UNRESOLVED_REFERENCE,
                               f"{entry.type}.{element} refers to a {kind} that is neither in this import nor "
                               "imported before", where=entry.where, field=element)  # fmt: skip
        if found.row is None:
            model = Patient if kind == TargetKind.PATIENT else Encounter
            found.row = model.objects.get(public_id=found.public_id)
        return found

    # ------------------------------------------------------------------------------------ one file

    def reject(self, report: FileReport, exc: RecordroomError[Any]) -> None:
        report.ok = False
        report.error = exc.message
        report.error_code = str(exc.code)
        record(
            InteropEvent.FHIR_REJECTED, action=AuditAction.CREATE, outcome=Outcome.FAILURE, actor=self.actor,
            request=self.request, purpose=self.purpose, resource_type="patient",
            detail={"kind": report.kind, "error": str(exc.code), "resources": report.resources},
        )  # fmt: skip

    def import_file(self, source_file: SourceFile, report: FileReport) -> None:
        report.resources = len(source_file.entries)
        plan = _FilePlan()
        try:
            self._prepare(source_file, report, plan)
            commit_data_keys([row.vault_subject for _, row in plan.new_patients])
            with transaction.atomic():
                self._write(plan, report)
                record(
                    InteropEvent.FHIR_IMPORTED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS,
                    actor=self.actor, request=self.request,
                    detail={"kind": source_file.kind, "resources": report.resources,
                            **{f"created_{k.lower()}": v for k, v in report.created.items()},
                            "existing": sum(report.existing.values()), "skipped": sum(report.skipped.values())},
                    **audit_fields(self.decisions[InteropPermission.IMPORT_PATIENTS],
                                   Resource(InteropPermission.IMPORT_PATIENTS.resource_type), self.purpose),
                )  # fmt: skip
            report.ok = True
        except (RecordroomError, IntegrityError) as exc:
            for key in plan.written_keys:  # what this file wrote is gone with its transaction
                self.targets.pop(key, None)
            self.providers.clear()  # accounts created in the rolled-back transaction are gone too
            report.created.clear()
            if isinstance(exc, InteropError):
                error = exc
            elif isinstance(exc, RecordroomError):
                error = InteropError(InteropErrorCode.INVALID_RESOURCE, exc.message, where=source_file.name)
            else:  # e.g. two Patients of the file claiming one identifier of one authority
                error = InteropError(InteropErrorCode.INVALID_RESOURCE, "two resources of the file claim the same "
                                     "identifier or key", where=source_file.name)  # fmt: skip
            self.reject(report, error)

    def _prepare(self, source_file: SourceFile, report: FileReport, plan: _FilePlan) -> None:
        keys = [self.key_of(entry) for entry in source_file.entries if entry.type in mapping.MAPPERS]
        known: set[str] = set()
        for start in range(0, len(keys), LOOKUP_CHUNK):
            chunk = keys[start : start + LOOKUP_CHUNK]
            known.update(ImportedResource.objects.filter(key__in=chunk).values_list("key", flat=True))
        for entry in source_file.entries:
            kind = entry.type
            if kind not in mapping.MAPPERS:
                report.skipped[kind] += 1
                continue
            if self.full_validation:
                _validate_model(entry)
            key = self.key_of(entry)
            if key in self.targets or key in known:
                report.existing[kind] += 1
                continue
            mapped: Any = mapping.MAPPERS[kind](entry)
            for warning in getattr(mapped, "warnings", []):
                report.warnings[warning] += 1
            if getattr(mapped, "skip", ""):
                report.skipped[f"{kind}:{mapped.skip}"] += 1
                continue
            if kind == "Patient":
                self._prepare_patient(entry, key, mapped, plan, report)
            else:
                plan.others.append((entry, key, mapped))

    def _prepare_patient(
        self, entry: Entry, key: str, mapped: mapping.PatientIn, plan: _FilePlan, report: FileReport
    ) -> None:
        identifiers: list[CleanIdentifier] = []
        for item in mapped.identifiers:
            try:
                identifiers.append(clean_identifier(**item))
            except PatientsError:
                report.warnings["identifier_dropped"] += 1
        for one in identifiers:
            holder = (
                PatientIdentifier.objects.filter(authority=one.authority, value_index=one.index())
                .values_list("patient__public_id", flat=True)
                .first()
            )
            if holder is not None:
                plan.matched.append((key, holder))
                report.existing["Patient:matched_by_identifier"] += 1
                return
        data = _clean_patient(entry, dict(mapped.fields), report)
        ssn = str(mapped.fields.get("ssn") or "")
        if ssn and not data.ssn:
            # Not a number the SSA assigns (Synthea's are all 999-xx-xxxx): kept as the sender's SS
            # identifier, so it is not lost and still matches exactly, but never taken for a real SSN.
            try:
                identifiers.append(clean_identifier(authority=mapping.SSN_SYSTEM, type_code="SS", value=ssn))
            except PatientsError:
                report.warnings["identifier_dropped"] += 1
        plan.new_patients.append((key, NewPatient(data=data, identifiers=identifiers)))

    # ----------------------------------------------------------------------------------- writing

    def _write(self, plan: _FilePlan, report: FileReport) -> None:
        imported: list[ImportedResource] = []
        today = timezone.localdate(clock.now())
        if plan.new_patients:
            saved = insert_patients([row for _, row in plan.new_patients], registered_by=self.actor, today=today)
            for (key, _), patient in zip(plan.new_patients, saved, strict=True):
                self.targets[key] = _Target(TargetKind.PATIENT, patient.public_id, patient)
                imported.append(self._imported(key, "Patient", TargetKind.PATIENT, patient.public_id))
                plan.written_keys.append(key)
            report.created["Patient"] += len(saved)
        for key, public_id in plan.matched:
            self.targets[key] = _Target(TargetKind.PATIENT, public_id)
            imported.append(self._imported(key, "Patient", TargetKind.PATIENT, public_id))
            plan.written_keys.append(key)
        encounters = [(e, k, m) for e, k, m in plan.others if e.type == "Encounter"]
        imported += self._write_encounters(encounters, plan, report)
        imported += self._write_codes([(e, k, m) for e, k, m in plan.others if e.type in {"Condition", "Procedure"}],
                                      plan, report)  # fmt: skip
        imported += self._write_documents([(e, k, m) for e, k, m in plan.others if e.type == "DocumentReference"],
                                          plan, report)  # fmt: skip
        ImportedResource.objects.bulk_create(imported, batch_size=1000)

    def _imported(self, key: str, resource_type: str, kind: str, public_id: uuid.UUID) -> ImportedResource:
        return ImportedResource(key=key, source=self.source, resource_type=resource_type, target_kind=kind,
                                target_id=public_id)  # fmt: skip

    def _write_encounters(self, items: list[Any], plan: _FilePlan, report: FileReport) -> list[ImportedResource]:
        if not items:
            return []
        first = allocate_encounter_numbers(len(items))
        rows, events, imported = [], [], []
        for n, (entry, key, mapped) in enumerate(items):
            patient = self.resolve(mapped.patient_ref, entry, "subject", TargetKind.PATIENT).row
            attending = self._provider(mapped.attending_ref, mapped.attending_display)
            encounter = Encounter(
                patient=patient, number=first + n, encounter_class=mapped.encounter_class,
                admit_type=mapped.admit_type, admit_source=AdmitSource.NOT_AVAILABLE, admitted_at=mapped.admitted_at,
                discharged_at=mapped.discharged_at, discharge_disposition=mapped.disposition, attending=attending,
                expected_payer=ExpectedPayer.OTHER,
                status=EncounterStatus.DISCHARGED if mapped.discharged_at else EncounterStatus.ACTIVE,
            )  # fmt: skip
            rows.append(encounter)
            events.append(AdtEvent(encounter=encounter, kind=AdtKind.ADMIT, effective_at=mapped.admitted_at,
                                   recorded_by=self.actor))  # fmt: skip
            if mapped.discharged_at is not None:
                events.append(AdtEvent(encounter=encounter, kind=AdtKind.DISCHARGE, effective_at=mapped.discharged_at,
                                       disposition=mapped.disposition, recorded_by=self.actor))  # fmt: skip
            self.targets[key] = _Target(TargetKind.ENCOUNTER, encounter.public_id, encounter)
            plan.written_keys.append(key)
            imported.append(self._imported(key, "Encounter", TargetKind.ENCOUNTER, encounter.public_id))
        insert_encounters(rows)
        insert_adt(events)
        report.created["Encounter"] += len(rows)
        return imported

    def _write_codes(self, items: list[Any], plan: _FilePlan, report: FileReport) -> list[ImportedResource]:
        conditions, procedures, imported = [], [], []
        for entry, key, mapped in items:
            patient = self.resolve(mapped.patient_ref, entry, "subject", TargetKind.PATIENT).row
            encounter = (
                self.resolve(mapped.encounter_ref, entry, "encounter", TargetKind.ENCOUNTER).row
                if mapped.encounter_ref else None
            )  # fmt: skip
            is_condition = entry.type == "Condition"
            allowed = CONDITION_SYSTEMS if is_condition else PROCEDURE_SYSTEMS
            try:
                code = clean_code(
                    mapped.code_system, mapped.code, allowed, "diagnosis" if is_condition else "procedure"
                )
            except RecordroomError:
                # A code that fails its system's check (Synthea labels some LOINC codes as SNOMED CT) is the
                # source's data-quality problem, not a malformed resource: skipped and counted, never guessed.
                report.skipped[f"{entry.type}:code_invalid"] += 1
                report.warnings["code_invalid"] += 1
                continue
            common = {
                "patient": patient, "encounter": encounter, "vault_subject": patient.vault_subject,
                "code_system": mapped.code_system, "code": code, "display": mapped.display, "recorded_by": self.actor,
                "source": ReportedSource.FHIR, "source_key": key,
            }  # fmt: skip
            if is_condition:
                status = mapped.status if mapped.status in ConditionClinicalStatus.values else ""
                verification = mapped.verification if mapped.verification in ConditionVerificationStatus.values else ""
                row: Any = ReportedCondition(onset_at=mapped.at, clinical_status=status,
                                             verification_status=verification, **common)  # fmt: skip
                conditions.append(row)
                kind = TargetKind.CONDITION
            else:
                status = mapped.status if mapped.status in ProcedureStatus.values else ProcedureStatus.UNKNOWN
                row = ReportedProcedure(performed_at=mapped.at, status=status, **common)
                procedures.append(row)
                kind = TargetKind.PROCEDURE
            imported.append(self._imported(key, entry.type, kind, row.public_id))
            plan.written_keys.append(key)
        insert_reported(conditions, procedures)
        report.created["Condition"] += len(conditions)
        report.created["Procedure"] += len(procedures)
        return imported

    def _write_documents(self, items: list[Any], plan: _FilePlan, report: FileReport) -> list[ImportedResource]:
        imported = []
        for entry, key, mapped in items:
            patient = self.resolve(mapped.patient_ref, entry, "subject", TargetKind.PATIENT).row
            encounter = (
                self.resolve(mapped.encounter_ref, entry, "context.encounter", TargetKind.ENCOUNTER).row
                if mapped.encounter_ref else None
            )  # fmt: skip
            when: datetime = mapped.service_date or (encounter.admitted_at if encounter else clock.now())
            try:
                filed = file_document(
                    actor=self.actor, purpose=self.purpose, patient_id=patient.public_id,
                    encounter_id=encounter.public_id if encounter else None, document_type=mapped.document_type,
                    title=mapped.title, content=mapped.content, media_type=mapped.media_type, service_date=when,
                    author=None, author_name=mapped.author_display or f"Unknown author ({self.source})", source="fhir",
                    source_key=key,
                    request=self.request,
                )  # fmt: skip
            except RecordroomError as exc:
                if isinstance(exc, InteropError):
                    raise
                raise InteropError(InteropErrorCode.INVALID_RESOURCE, f"DocumentReference: {exc.message}",
                                   where=entry.where) from None  # fmt: skip
            imported.append(self._imported(key, "DocumentReference", TargetKind.DOCUMENT, filed.public_id))
            plan.written_keys.append(key)
        report.created["DocumentReference"] += len(imported)
        return imported

    def _provider(self, ref: str, display: str) -> User:
        """The attending's account: one per practitioner (NPI), created once by the system actor."""
        npi, name = "", display
        if ref.startswith("Practitioner?identifier="):
            npi = ref.rsplit("|", 1)[-1]
        elif ref in self.entries:
            npi, found_name = mapping.practitioner_key(self.entries[ref])
            name = name or found_name
        elif ref:
            npi = hashlib.sha256(ref.encode()).hexdigest()[:12]
        digits = "".join(ch for ch in npi if ch.isalnum())[:40]
        username = f"npi.{digits}".lower() if digits else UNKNOWN_PROVIDER
        user = self.providers.get(username)
        if user is None:
            user = User.objects.filter(username=username).first()
            if user is None:
                label = name.strip() or (f"Practitioner NPI {digits}" if digits else "Unknown attending (imported)")
                user = create_user(username=username, display_name=label[:120], roles=[Role.PHYSICIAN], actor=None)
            self.providers[username] = user
        return user


@dataclass
class _FilePlan:
    new_patients: list[tuple[str, NewPatient]] = field(default_factory=list)
    matched: list[tuple[str, uuid.UUID]] = field(default_factory=list)
    others: list[tuple[Entry, str, Any]] = field(default_factory=list)
    written_keys: list[str] = field(default_factory=list)


def _clean_patient(entry: Entry, fields: dict[str, Any], report: FileReport) -> Demographics:
    """The MPI's checks; an optional element they refuse is left out with a warning, a required one refuses."""
    for _ in range(len(fields)):
        try:
            return clean_demographics(**fields)
        except PatientsError as exc:
            name = (exc.field or "").split(".", 1)[0]
            if not name or name in REQUIRED_PATIENT_FIELDS or name not in fields:
                raise InteropError(InteropErrorCode.INVALID_RESOURCE, f"Patient: {exc.message}", where=entry.where,
                                   field=name) from None  # fmt: skip
            fields[name] = None if name in {"address", "deceased_date"} else () if name in {"race", "ethnicity"} else ""
            report.warnings[f"{name}_dropped"] += 1
    raise InteropError(InteropErrorCode.INVALID_RESOURCE, "Patient: demographics refused", where=entry.where)


def _validate_model(entry: Entry) -> None:
    """Full validation with the fhir.resources R4B models (``--full-validation``)."""
    from fhir.resources.R4B import get_fhir_model_class

    try:
        get_fhir_model_class(entry.type).model_validate(entry.resource)
    except (KeyError, ValueError) as exc:
        first = str(exc).splitlines()[:3]
        raise InteropError(InteropErrorCode.INVALID_RESOURCE, f"fails FHIR R4B validation: {' '.join(first)}",
                           where=entry.where) from None  # fmt: skip
