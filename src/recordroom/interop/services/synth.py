"""The synthetic hospital: ``recordroom synth --patients N --seed S``.

A believable hospital for demos, tests and benchmarks, deterministic for a seed and a day: units and beds
(set up through the encounters capacity services), physicians (users with the physician role and no
password, so they cannot sign in until someone enrols them), a population with realistic demographics,
twins and planted near-duplicate registrations (their ground truth written with ``--truth``), a year of
encounters of every class with coherent ADT movements (no bed double-booked; some patients still in house),
reported ICD-10-CM/PCS codes, and documents with text fit for their type.

Policy: the actor must hold ``system``/``administer`` (a system administration task; synthetic records keep
real PHI out of test systems, HIPAA 164.308(a)(1)). The clinical rows are attributed to a service account
``synthetic.feed`` (HIM clerk role, no password), as an interface engine's account is in a real hospital.
One ``interop.synthesized`` audit event records the run with its counts (the bulk path, see
:mod:`recordroom.interop.services.bulk` and docs/decisions/0006).
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import OperationalError, connections, transaction
from django.http import HttpRequest
from django.utils import timezone

from recordroom.access.decisions import Resource
from recordroom.access.services import audit_fields, enforce
from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.services import create_user
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.encounters.codes import UnitKind
from recordroom.encounters.models import (
    AdtEvent,
    AdtKind,
    Bed,
    CodeSystem,
    Encounter,
    EncounterStatus,
    ReportedCondition,
    ReportedProcedure,
    ReportedSource,
    Unit,
)
from recordroom.encounters.services.capacity import add_bed, create_unit
from recordroom.interop.audit_events import InteropEvent
from recordroom.interop.errors import InteropError, InteropErrorCode
from recordroom.interop.models import SyntheticRun
from recordroom.interop.permissions import InteropPermission
from recordroom.interop.services.bulk import (
    NewPatient,
    Prepared,
    allocate_encounter_numbers,
    allocate_mrns,
    bulk_session,
    commit_data_keys,
    fetch_pks,
    prepare,
    prepare_patients,
    write_patients,
)
from recordroom.interop.services.synth_documents import file_synthetic_documents
from recordroom.interop.synthdata.clinical import DX, NEWBORN_CESAREAN_DX, PCS, Scenario
from recordroom.interop.synthdata.names import FAMILY, FEMALE_GIVEN, MALE_GIVEN, ROMANIZED
from recordroom.interop.synthdata.people import Person, Planted, make_population
from recordroom.interop.synthdata.plan import UNIT_LAYOUT, WINDOW_DAYS, PlannedEncounter, draw_scenarios
from recordroom.interop.synthdata.plan import plan_encounters as plan_year
from recordroom.patients.codes import LANGUAGES, Ethnicity, GenderIdentity, Race
from recordroom.patients.services.demographics import clean_demographics
from recordroom.patients.services.identifiers import clean_identifier
from recordroom.vault.blind_index import name_tokens

MAX_PATIENTS = 5_000_000
PATIENT_BATCH = 5000
PARALLEL_FROM = 20_000
LOCK_RETRIES = 10
FEED_USERNAME = "synthetic.feed"
CLINIC_AUTHORITY = "RECORDROOM-CLINICS"
SPECIALTIES = (  # (specialty, share of the medical staff, unit kinds or classes they attend)
    ("Hospital Medicine", 6, ("medical", "observation")), ("General Surgery", 3, ("surgical", "day_surgery")),
    ("Critical Care", 2, ("icu",)), ("Obstetrics and Gynecology", 2, ("ob",)),
    ("Pediatrics", 2, ("nursery", "pediatric", "newborn")), ("Psychiatry", 1, ("psychiatric",)),
    ("Emergency Medicine", 3, ("emergency",)), ("Family Medicine", 3, ("outpatient",)),
    ("Gastroenterology", 1, ("day_surgery",)), ("Orthopaedic Surgery", 1, ("surgical",)),
)  # fmt: skip


@dataclass
class SynthResult:
    run_id: uuid.UUID
    counts: dict[str, int]
    seconds: dict[str, float]
    demographics_digest: str
    truth: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"run_id": str(self.run_id), "counts": self.counts, "seconds": self.seconds,
                "demographics_digest": self.demographics_digest}  # fmt: skip


def romanize(name: str) -> str:
    """The name itself when the MPI's name search can index it, else its romanization."""
    if name_tokens(name):
        return name
    return ROMANIZED.get(name, "Doe")


def value_sets() -> dict[str, tuple[str, ...]]:
    """The coded demographics the patients app accepts, minus the null flavors for most people."""
    return {
        "preferred_language": tuple(LANGUAGES),
        "race": tuple(code for code in Race.values if code not in {"ASKU", "UNK"}),
        "ethnicity": tuple(Ethnicity.values),
        "gender_identity": tuple(GenderIdentity.values),
    }


def window_for(patients: int) -> int:
    """Days of activity to plan: a year for a large hospital; a small one (a demo) gets a shorter, busier
    window so that its census on the day shows patients in house."""
    return max(30, min(WINDOW_DAYS, patients // 40))


def default_workers(patients: int) -> int:
    """Worker processes for the record batches: one per core (at most 4) for large runs on a database other
    processes can open (a file or a server; an in-memory SQLite database lives in this process only)."""
    name = str(connections["default"].settings_dict.get("NAME") or "")
    in_memory = connections["default"].vendor == "sqlite" and ("memory" in name or not name)
    if patients < PARALLEL_FROM or in_memory:
        return 1
    return max(1, min(4, os.cpu_count() or 1))


def demographics_digest(people: list[Person]) -> str:
    """SHA-256 over every generated field of every person: equal for equal seeds (determinism check)."""
    digest = hashlib.sha256()
    for person in people:
        digest.update(person.fingerprint().encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def _check_inputs(patients: int, seed: int, duplicate_rate: float, encounter_rate: float, documents: int) -> None:
    if not isinstance(patients, int) or not 10 <= patients <= MAX_PATIENTS:
        raise InteropError(InteropErrorCode.INVALID_INPUT, f"patients is 10 to {MAX_PATIENTS:,}.", field="patients")
    if not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise InteropError(InteropErrorCode.INVALID_INPUT, "seed is a whole number from 0.", field="seed")
    if not 0 <= duplicate_rate <= 0.3:
        raise InteropError(InteropErrorCode.INVALID_INPUT, "duplicate_rate is 0 to 0.3.", field="duplicate_rate")
    if not 0 <= encounter_rate <= 5:
        raise InteropError(InteropErrorCode.INVALID_INPUT, "encounter_rate is 0 to 5.", field="encounter_rate")
    if documents < 0:
        raise InteropError(InteropErrorCode.INVALID_INPUT, "documents is 0 or more.", field="documents")


def synthesize_hospital(
    *,
    actor: User,
    patients: int,
    seed: int,
    duplicate_rate: float = 0.05,
    encounter_rate: float = 0.4,
    documents: int = 2000,
    truth_path: Path | None = None,
    progress: Callable[[str, int], None] | None = None,
    workers: int | None = None,
    request: HttpRequest | None = None,
) -> SynthResult:
    """Build the synthetic hospital into this (empty of synthetic data) database.

    Raises ``AccessDeniedError`` (recorded) without ``system``/``administer``, :class:`InteropError`
    ``invalid_input`` (a parameter out of range) or ``already_synthesized`` (the database holds a
    synthetic hospital or units of the same codes); nothing is written then. ``documents`` caps how many
    documents are filed (each goes through the documents service one at a time); the most recent
    encounters get theirs first.
    """
    permission = InteropPermission.SYNTHESIZE_HOSPITAL
    decision = enforce(actor, permission.action, Resource(permission.resource_type), Purpose.OPERATIONS,
                       request=request)  # fmt: skip
    _check_inputs(patients, seed, duplicate_rate, encounter_rate, documents)
    codes = [code for code, *_ in UNIT_LAYOUT]
    if SyntheticRun.objects.exists() or Unit.objects.filter(code__in=codes).exists():
        raise InteropError(
            InteropErrorCode.ALREADY_SYNTHESIZED,
            "This database already holds a synthetic hospital (or units with its codes); use an empty database.",
        )
    timings: dict[str, float] = {}
    started = time.perf_counter()
    now = clock.now().replace(microsecond=0)
    today = timezone.localdate(now)
    run = SyntheticRun.objects.create(seed=seed, patients=patients, started_at=now, actor=actor)
    builder = _Builder(actor=actor, seed=seed, now=now, today=today, progress=progress)

    mark = time.perf_counter()
    builder.plan(patients, duplicate_rate, encounter_rate)
    timings["plan"] = time.perf_counter() - mark
    mark = time.perf_counter()
    builder.build_facility()
    timings["facility"] = time.perf_counter() - mark
    mark = time.perf_counter()
    with bulk_session():
        builder.write_records(workers if workers is not None else default_workers(patients))
    timings["records"] = time.perf_counter() - mark
    mark = time.perf_counter()
    builder.file_documents(documents)
    timings["documents"] = time.perf_counter() - mark
    truth = builder.truth()
    if truth_path is not None:
        truth_path.write_text("".join(json.dumps(line) + "\n" for line in truth), encoding="utf-8")
    counts = builder.counts
    timings["total"] = time.perf_counter() - started
    seconds = {key: round(value, 2) for key, value in timings.items()}
    with transaction.atomic():
        run.finished_at = clock.now()
        run.counts = counts
        run.save(update_fields=["finished_at", "counts", "updated_at"])
        record(
            InteropEvent.SYNTHESIZED, action=AuditAction.CREATE, outcome=Outcome.SUCCESS, actor=actor,
            request=request, detail={"run_id": str(run.public_id), "seed": seed, **counts},
            **audit_fields(decision, Resource(permission.resource_type, id=str(run.public_id)), Purpose.OPERATIONS),
        )  # fmt: skip
    return SynthResult(run.public_id, counts, seconds, builder.digest, truth)


BatchResult = tuple[dict[str, int], dict[int, tuple[list[str], list[str]]]]
_ACTIVE: _Builder | None = None


def _write_batch_in_worker(batch: int) -> BatchResult:
    """A forked worker's share: one batch, written through its own connection."""
    if _ACTIVE is None:
        raise InteropError(InteropErrorCode.INVALID_INPUT, "no synthetic run in progress")
    _ACTIVE.progress = _quiet
    try:
        with bulk_session():
            return _ACTIVE.write_batch(batch)
    finally:
        connections.close_all()


def _quiet(stage: str, done: int) -> None:
    """Workers report nothing themselves; the parent reports each finished batch."""


class _Builder:
    """The run's state: the plan in memory, then the rows written batch by batch."""

    def __init__(
        self, *, actor: User, seed: int, now: datetime, today: date, progress: Callable[[str, int], None] | None
    ) -> None:
        self.actor = actor
        self.rng = random.Random(seed)  # noqa: S311  (synthetic test data, not secrets)
        self.seed = seed
        self.now = now
        self.today = today
        self.progress = progress or (lambda stage, done: None)
        self.counts: dict[str, int] = {}
        self.people: list[Person] = []
        self.planted: list[Planted] = []
        self.encounters: list[PlannedEncounter] = []
        self.bed_counts: dict[str, int] = {}
        self.digest = ""
        self.window_days = WINDOW_DAYS
        self.public_ids: list[uuid.UUID] = []
        self.patient_rows: dict[int, Any] = {}  # population index -> (pk, public id, vault subject)
        self.beds: dict[str, list[Bed]] = {}
        self.units: dict[str, Unit] = {}
        self.physicians: dict[str, list[User]] = {}
        self.feed: User | None = None
        self.codes_of: dict[int, tuple[list[str], list[str]]] = {}
        self.codes_by_number: dict[int, tuple[list[str], list[str]]] = {}
        self.numbers: dict[int, int] = {}
        self.by_patient: dict[int, list[PlannedEncounter]] = {}

    def _feed(self) -> User:
        if self.feed is None:
            raise InteropError(InteropErrorCode.INVALID_INPUT, "the facility is set up before the records")
        return self.feed

    # ------------------------------------------------------------------------------------------ plan

    def plan(self, patients: int, duplicate_rate: float, encounter_rate: float) -> None:
        rng = self.rng
        scenarios = draw_scenarios(rng, round(patients * encounter_rate))
        deliveries = [n for n, s in enumerate(scenarios) if s.key in {"delivery", "cesarean"}]
        deliveries = deliveries[: max(0, patients // 10)]
        adults = patients - len(deliveries)
        population = make_population(
            rng, self.today, adults, duplicate_rate=duplicate_rate, romanize=romanize, value_sets=value_sets()
        )
        self.people, self.planted = population.people, population.planted
        babies = {}
        for position in deliveries:
            babies[position] = len(self.people)
            self.people.append(self._newborn_placeholder())
        pools = self._pools(scenarios)
        self.window_days = window_for(patients)
        plan = plan_year(rng, scenarios, pools, self.now, babies, window_days=self.window_days)
        self.encounters, self.bed_counts = plan.encounters, plan.beds
        self._finish_newborns(babies)
        self.digest = demographics_digest(self.people)
        self.counts.update(
            patients=len(self.people), planted_duplicates=sum(p.is_duplicate for p in self.planted),
            twin_pairs=sum(not p.is_duplicate for p in self.planted), encounters=len(self.encounters),
            in_house=sum(e.in_house for e in self.encounters),
        )  # fmt: skip

    def _newborn_placeholder(self) -> Person:
        rng = self.rng
        sex = rng.choice(("F", "M"))
        return Person(given_name="", family_name="", date_of_birth=self.today, administrative_sex=sex)

    def _finish_newborns(self, babies: dict[int, int]) -> None:
        """Name each newborn after the mother's family, at her address, born at the delivery (or, when the
        delivery found no bed, earlier in the year at another hospital)."""
        rng = self.rng
        born_at = {e.patient: e.admitted_at for e in self.encounters if e.scenario.encounter_class == "newborn"}
        mothers = {e.patient: e.mother for e in self.encounters if e.mother is not None}
        for baby in babies.values():
            person = self.people[baby]
            mother_encounter = mothers.get(baby)
            mother = self.people[mother_encounter.patient] if mother_encounter is not None else None
            pool = FEMALE_GIVEN if person.administrative_sex == "F" else MALE_GIVEN
            person.given_name = romanize(rng.choice(pool))
            person.family_name = mother.family_name if mother else romanize(rng.choice(FAMILY))
            person.address = dict(mother.address) if mother else {}
            person.phone = mother.phone if mother else ""
            person.coded = dict(mother.coded) if mother else {}
            person.coded.pop("gender_identity", None)
            when = born_at.get(baby)
            person.date_of_birth = (
                timezone.localdate(when) if when else self.today - timedelta(days=rng.randint(1, self.window_days))
            )

    def _pools(self, scenarios: list[Scenario]) -> dict[str, list[int]]:
        by_age_sex: dict[tuple[int, str], list[int]] = {}
        for index, person in enumerate(self.people):
            if person.deceased_date is not None or not person.given_name:
                continue
            age = min(100, (self.today - person.date_of_birth).days // 365)
            by_age_sex.setdefault((age, person.administrative_sex), []).append(index)
        pools: dict[str, list[int]] = {"any": [i for members in by_age_sex.values() for i in members]}
        for scenario in {s.key: s for s in scenarios}.values():
            low, high = scenario.ages
            members = [
                i
                for (age, sex), indexes in by_age_sex.items()
                if low <= age <= high and (not scenario.sex or sex == scenario.sex)
                for i in indexes
            ]
            pools[scenario.key] = sorted(members)
        pools["any"].sort()
        return pools

    def truth(self) -> list[dict[str, Any]]:
        ids = self.public_ids
        return [
            {"original": str(ids[p.original]), "duplicate": str(ids[p.duplicate]), "kind": p.kind,
             "is_duplicate": p.is_duplicate}
            for p in self.planted
        ]  # fmt: skip

    # -------------------------------------------------------------------------------------- facility

    def build_facility(self) -> None:
        actor = self.actor
        opened = self.today - timedelta(days=WINDOW_DAYS + 30)
        kinds = set(UnitKind.values)
        for code, name, kind, _, _ in UNIT_LAYOUT:
            beds = self.bed_counts.get(code, 0)
            unit_kind = kind if kind in kinds else "medical"
            unit = create_unit(actor=actor, code=code, name=name, kind=unit_kind, licensed_beds=max(beds, 1),
                               staffed_beds=max(beds, 1), effective_from=opened)  # fmt: skip
            self.units[code] = unit
            self.beds[code] = [add_bed(actor=actor, unit=unit, code=f"{n + 1:03d}") for n in range(beds)]
        self.counts["units"] = len(self.units)
        self.counts["beds"] = sum(len(b) for b in self.beds.values())
        self._staff()

    def _staff(self) -> None:
        """Physicians (no password: they cannot sign in until enrolled) and the feed service account."""
        rng = random.Random(self.seed ^ 0x5EED)  # noqa: S311  (synthetic test data)
        staff = max(len(SPECIALTIES), min(400, len(self.people) // 2500 + len(SPECIALTIES)))
        total_share = sum(share for _, share, _ in SPECIALTIES)
        taken = set(User.objects.values_list("username", flat=True))
        made = 0
        for specialty, share, covers in SPECIALTIES:
            for _ in range(max(1, round(staff * share / total_share))):
                given = romanize(rng.choice(MALE_GIVEN if rng.random() < 0.5 else FAMILY_GIVEN_F))
                family = romanize(rng.choice(FAMILY))
                username = _username(given, family, taken)
                user = create_user(
                    username=username, display_name=f"{given} {family}, MD ({specialty})"[:120],
                    roles=[Role.PHYSICIAN], actor=self.actor,
                )  # fmt: skip
                made += 1
                for cover in covers:
                    self.physicians.setdefault(cover, []).append(user)
        if FEED_USERNAME in taken:
            self.feed = User.objects.get(username=FEED_USERNAME)
        else:
            self.feed = create_user(username=FEED_USERNAME, display_name="Synthetic hospital feed",
                                    roles=[Role.HIM_CLERK], actor=self.actor, is_service_account=True)  # fmt: skip
        self.counts["physicians"] = made

    # --------------------------------------------------------------------------------------- records

    def write_records(self, workers: int = 1) -> None:
        """Patients batch by batch; each batch's encounters, ADT and codes right after it, while the batch's
        data keys are in the vault's cache (displays are sealed under the patient's key).

        With ``workers`` > 1 the batches are shared by forked worker processes, each with its own database
        connection: one prepares and seals a batch while another writes (SQLite serializes the writers;
        PostgreSQL runs them side by side). Each batch draws from its own generator seeded by (seed, batch),
        so the output is the same whichever process writes a batch, and the same as with one process."""
        rng = self.rng
        self.public_ids = [uuid.UUID(int=rng.getrandbits(128), version=4) for _ in self.people]
        first_number = 0
        if self.encounters:
            with transaction.atomic():
                first_number = allocate_encounter_numbers(len(self.encounters))
        self.numbers = {id(e): first_number + n for n, e in enumerate(self.encounters)}
        for planned in self.encounters:
            self.by_patient.setdefault(planned.patient, []).append(planned)
        batches = range((len(self.people) + PATIENT_BATCH - 1) // PATIENT_BATCH)
        totals = {"adt_events": 0, "conditions": 0, "procedures": 0, "identifiers": 0}
        if workers > 1 and len(batches) > 1:
            results = self._in_workers(list(batches), workers)
        else:
            results = [self.write_batch(batch) for batch in batches]
        for counts, codes in results:
            for key, value in counts.items():
                totals[key] += value
            self.codes_by_number.update(codes)
        self.counts.update(totals)

    def _in_workers(self, batches: list[int], workers: int) -> list[BatchResult]:
        global _ACTIVE  # noqa: PLW0603  (handed to the forked workers, which inherit the process memory)
        connections.close_all()  # each worker opens its own connection
        _ACTIVE = self
        try:
            context = multiprocessing.get_context("fork")
            with context.Pool(workers) as pool:
                results = []
                for result in pool.imap(_write_batch_in_worker, batches, chunksize=1):
                    results.append(result)
                    self.progress("patients", min(len(self.people), len(results) * PATIENT_BATCH))
                return results
        finally:
            _ACTIVE = None

    def write_batch(self, batch: int) -> BatchResult:
        """Write patient batch ``batch`` with its encounters; returns its counts and codes by encounter."""
        self.rng = random.Random(self.seed * 1_000_003 + batch)  # noqa: S311  (synthetic test data)
        indexes = range(batch * PATIENT_BATCH, min((batch + 1) * PATIENT_BATCH, len(self.people)))
        totals = {"adt_events": 0, "conditions": 0, "procedures": 0, "identifiers": 0}
        rows = [self._new_patient(i) for i in indexes]
        commit_data_keys([row.vault_subject for row in rows])
        with transaction.atomic():
            mrns = allocate_mrns(len(rows))
        # Everything that costs CPU (sealing, blind indexes, value conversion) happens here, outside the
        # writing transaction: another worker can hold the write lock meanwhile.
        prepared = prepare_patients(rows, mrns=mrns, registered_by=self.feed, today=self.today)
        for index, patient in zip(indexes, prepared.patients, strict=True):
            self.patient_rows[index] = patient
        batch_plan = [e for i in indexes for e in self.by_patient.get(i, [])]
        encounters, to_write = self._build_encounters(batch_plan, self.numbers, totals)
        for attempt in range(LOCK_RETRIES):
            try:
                with transaction.atomic():
                    write_patients(prepared)
                    to_write[0].execute()
                    fetch_pks(Encounter, encounters)
                    for more in to_write[1:]:
                        more.execute()
                break
            except OperationalError as exc:  # SQLite: another worker held the write lock past the busy timeout
                if "locked" not in str(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                time.sleep(1 + attempt)
        totals["identifiers"] += sum(len(r.identifiers) for r in rows)
        self.progress("patients", indexes.stop)
        codes = {self.numbers[id(plan)]: self.codes_of[id(plan)] for plan in batch_plan}
        for plan in batch_plan:
            self.codes_of.pop(id(plan), None)
        for index in indexes:
            self.patient_rows.pop(index, None)
        return totals, codes

    def _new_patient(self, index: int) -> NewPatient:
        person = self.people[index]
        data = clean_demographics(**person.fields())
        identifiers = []
        if self.rng.random() < 0.2:  # also registered at the health system's clinics
            value = f"C{index:09d}"
            identifiers.append(clean_identifier(authority=CLINIC_AUTHORITY, type_code="PI", value=value))
        since = person.date_of_birth + timedelta(days=self.rng.randint(0, 8000))
        return NewPatient(
            data=data, identifiers=identifiers, address_since=min(since, self.today),
            public_id=self.public_ids[index],
        )  # fmt: skip

    def _attending(self, planned: PlannedEncounter) -> User:
        scenario = planned.scenario
        key = scenario.units[0] if scenario.units else scenario.encounter_class
        if scenario.encounter_class == "newborn":
            key = "newborn"
        pool = self.physicians.get(key) or self.physicians["medical"]
        return pool[self.rng.randrange(len(pool))]

    def _build_encounters(
        self, planned: list[PlannedEncounter], numbers: dict[int, int], totals: dict[str, int]
    ) -> tuple[list[Encounter], list[Prepared]]:
        """The batch's encounters, ADT movements and codes, prepared for writing (patients' and encounters'
        keys are filled in when the rows are sent)."""
        feed = self._feed()
        rows: list[tuple[PlannedEncounter, Encounter]] = []
        events: list[AdtEvent] = []
        conditions: list[ReportedCondition] = []
        procedures: list[ReportedProcedure] = []
        for plan in planned:
            patient = self.patient_rows[plan.patient]
            last = plan.movements[-1]
            in_bed = plan.in_house and last.unit is not None
            encounter = Encounter(
                patient=patient, number=numbers[id(plan)], encounter_class=plan.scenario.encounter_class,
                admit_type=plan.scenario.admit_type, admit_source=plan.admit_source, admitted_at=plan.admitted_at,
                discharged_at=plan.discharged_at, discharge_disposition=plan.disposition,
                attending=self._attending(plan), expected_payer=plan.payer,
                current_unit=self.units[last.unit] if in_bed and last.unit else None,
                current_bed=self.beds[last.unit][last.bed] if in_bed and last.unit and last.bed is not None else None,
                status=EncounterStatus.ACTIVE if plan.in_house else EncounterStatus.DISCHARGED,
                created_at=plan.admitted_at, updated_at=plan.discharged_at or plan.admitted_at,
            )  # fmt: skip
            rows.append((plan, encounter))
            for movement in plan.movements:
                unit = self.units[movement.unit] if movement.unit else None
                bed = self.beds[movement.unit][movement.bed] if movement.unit and movement.bed is not None else None
                events.append(AdtEvent(
                    encounter=encounter, kind=AdtKind(movement.kind), effective_at=movement.at, unit=unit, bed=bed,
                    disposition=movement.disposition, recorded_by=feed,
                    recorded_at=movement.at + timedelta(minutes=self.rng.randint(1, 20)),
                ))  # fmt: skip
            conditions.extend(self._conditions(plan, patient, encounter))
            procedures.extend(self._procedures(plan, patient, encounter))
        totals["adt_events"] += len(events)
        totals["conditions"] += len(conditions)
        totals["procedures"] += len(procedures)
        encounters = [encounter for _, encounter in rows]
        return encounters, [
            prepare(Encounter, encounters, late=("patient",)),
            prepare(AdtEvent, events, late=("encounter",)),
            prepare(ReportedCondition, conditions, late=("patient", "encounter")),
            prepare(ReportedProcedure, procedures, late=("patient", "encounter")),
        ]

    def _diagnoses(self, plan: PlannedEncounter) -> list[str]:
        scenario, rng = plan.scenario, self.rng
        principal = rng.choice(scenario.dx)
        if plan.mother is not None and plan.mother.scenario.key == "cesarean":
            principal = NEWBORN_CESAREAN_DX
        secondary = [code for code in scenario.secondary if rng.random() < 0.4 and code != principal]
        return [principal, *secondary]

    def _conditions(self, plan: PlannedEncounter, patient: Any, encounter: Encounter) -> list[ReportedCondition]:
        feed = self._feed()
        codes = self._diagnoses(plan)
        self.codes_of[id(plan)] = (codes, [])
        return [
            ReportedCondition(
                patient=patient,
                encounter=encounter,
                vault_subject=patient.vault_subject,
                code_system=CodeSystem.ICD10CM,
                code=code,
                display=DX[code],
                onset_at=plan.admitted_at,
                clinical_status="active" if plan.in_house else "resolved",
                verification_status="confirmed",
                recorded_at=plan.admitted_at,
                recorded_by=feed,
                source=ReportedSource.SYNTHETIC,
                source_key=f"{self.seed}:{encounter.number}:dx{n}",
            )
            for n, code in enumerate(codes)
        ]

    def _procedures(self, plan: PlannedEncounter, patient: Any, encounter: Encounter) -> list[ReportedProcedure]:
        feed = self._feed()
        done = [code for code in plan.scenario.px if self.rng.random() < 0.85]
        end = plan.discharged_at or self.now
        rows = []
        for n, code in enumerate(done):
            at = plan.admitted_at + (end - plan.admitted_at) * self.rng.uniform(0.05, 0.6)
            rows.append(ReportedProcedure(
                patient=patient, encounter=encounter, vault_subject=patient.vault_subject,
                code_system=CodeSystem.ICD10PCS, code=code, display=PCS[code], performed_at=at.replace(microsecond=0),
                status="completed", recorded_at=at, recorded_by=feed, source=ReportedSource.SYNTHETIC,
                source_key=f"{self.seed}:{encounter.number}:px{n}",
            ))  # fmt: skip
        self.codes_of[id(plan)] = (self.codes_of.get(id(plan), ([], []))[0], done)
        return rows

    # ------------------------------------------------------------------------------------- documents

    def file_documents(self, limit: int) -> None:
        self.counts["documents"] = file_synthetic_documents(self, limit)


FAMILY_GIVEN_F = ("Mary", "Patricia", "Sarah", "Emily", "María", "Aisha", "Mei", "Priya", "Ngozi", "Ingrid")


def _username(given: str, family: str, taken: set[str]) -> str:
    base = "dr." + "".join(ch for ch in f"{given[:1]}{family}".lower() if ch.isascii() and ch.isalnum())
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    taken.add(name)
    return name
