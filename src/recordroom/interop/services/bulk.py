"""Bulk writers for the synthetic hospital and the FHIR import: the rows the one-at-a-time services leave,
written a batch at a time.

Why a bulk path (docs/decisions/0006): ``register_patient`` and ``admit_patient`` lock a counter row, look
for duplicates, and append an audit event per record; at a million patients that is hours. These writers
leave exactly the rows the services leave — the sealed patient row (every PHI field through the vault's
encrypted fields, each patient with a data key of their own), the blind indexes, the name-search tokens
``vault.services.index_name`` would write, the current address of the address history, the identifiers by
authority, MRNs and encounter numbers from the same counters with the same format and check digit — and the
caller records one audit event for the whole batch run instead of one per row (HIPAA 164.312(b) is met by
recording the activity: who loaded which records, when, how many).

Data keys are created with ``vault.services.create_data_keys`` and committed *before* the rows they seal, so
the vault caches them and sealing a batch costs AES-GCM calls only (a key created in an uncommitted
transaction is looked up and unwrapped again on every seal). A batch that fails after its keys committed
leaves only unused wrapped keys, which seal nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

from recordroom.accounts.models import User
from recordroom.encounters.models import (
    AdtEvent,
    Encounter,
    EncounterCounter,
    ReportedCondition,
    ReportedProcedure,
)
from recordroom.encounters.services.admission import FIRST_NUMBER as FIRST_ENCOUNTER_NUMBER
from recordroom.patients.models import NAME_SCOPE, MrnCounter, Patient, PatientAddress, PatientIdentifier
from recordroom.patients.mrn import first_number, format_mrn
from recordroom.patients.services.demographics import Demographics
from recordroom.patients.services.identifiers import CleanIdentifier
from recordroom.vault.blind_index import IndexKind, blind_index, name_digests
from recordroom.vault.models import SearchToken
from recordroom.vault.services import create_data_keys

INSERT_BATCH = 1000
LOOKUP_CHUNK = 900  # under SQLite's historical 999 bound parameters per statement


def _columns(model: type[models.Model]) -> list[Any]:
    return [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.get_internal_type().endswith("AutoField"))
    ]


@dataclass
class Prepared:
    """Rows ready for one ``executemany``: every value already through its field (sealed, indexed), except
    the foreign keys named ``late``, filled from the related instance's primary key when executed."""

    sql: str
    rows: list[list[Any]]
    objects: Sequence[models.Model]
    late: list[tuple[int, str]]

    def execute(self) -> None:
        if not self.rows:
            return
        for row, obj in zip(self.rows, self.objects, strict=True):
            for position, name in self.late:
                related = getattr(obj, name)
                row[position] = None if related is None else related.pk
        connection = connections[DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            for start in range(0, len(self.rows), INSERT_BATCH * 5):
                cursor.executemany(self.sql, [tuple(r) for r in self.rows[start : start + INSERT_BATCH * 5]])


def prepare(model: type[models.Model], objects: Sequence[models.Model], *, late: Sequence[str] = ()) -> Prepared:
    """Prepare model instances for insertion (the CPU work: sealing, blind indexes, value conversion), which
    can run outside the writing transaction so a lock is held only while rows are sent.

    Each value goes through its field exactly as ``save()``/``bulk_create()`` would send it: ``pre_save``
    (which seals encrypted fields through the vault and computes blind indexes) then ``get_db_prep_save``.
    Primary keys are not returned; :func:`fetch_pks` reads them back by public id.
    """
    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself, not the per-attribute proxy
    fields = _columns(model)
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608  (model table and column names, quoted)
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields), ", ".join(["%s"] * len(fields))
    )
    positions = [(n, f.name) for n, f in enumerate(fields) if f.name in late]
    skip = {n for n, _ in positions}
    rows = [
        [None if n in skip else f.get_db_prep_save(f.pre_save(obj, True), connection) for n, f in enumerate(fields)]
        for obj in objects
    ]
    return Prepared(sql=sql, rows=rows, objects=objects, late=positions)


def fast_insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Prepare and insert model instances at once (inside the caller's transaction)."""
    prepare(model, objects).execute()


def fetch_pks(model: type[models.Model], objects: Sequence[Any]) -> None:
    """Set ``pk`` on freshly inserted instances from their ``public_id``."""
    by_public = {obj.public_id: obj for obj in objects}
    keys = list(by_public)
    manager: Any = model._default_manager
    for start in range(0, len(keys), LOOKUP_CHUNK):
        for public_id, pk in manager.filter(public_id__in=keys[start : start + LOOKUP_CHUNK]).values_list(
            "public_id", "pk"
        ):
            by_public[public_id].pk = pk


def insert_tokens(tokens: Sequence[tuple[str, uuid.UUID, str, bool]]) -> None:
    """Insert name-search tokens (scope, row public id, digest, phonetic), as ``index_name`` stores them."""
    connection = connections[DEFAULT_DB_ALIAS]
    fields: list[Any] = [SearchToken._meta.get_field(name) for name in ("scope", "row_id", "digest", "phonetic")]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES (%s, %s, %s, %s)".format(  # noqa: S608  (quoted model names)
        quote(SearchToken._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    row_field = fields[1]
    rows = [
        (scope, row_field.get_db_prep_save(row, connection), digest, phonetic)
        for scope, row, digest, phonetic in tokens
    ]
    with connection.cursor() as cursor:
        for start in range(0, len(rows), INSERT_BATCH * 10):
            cursor.executemany(sql, rows[start : start + INSERT_BATCH * 10])


@dataclass
class NewPatient:
    """One checked registration to insert (plaintext in memory only)."""

    data: Demographics
    identifiers: list[CleanIdentifier] = field(default_factory=list)
    address_since: date | None = None
    public_id: uuid.UUID = field(default_factory=uuid.uuid4)
    vault_subject: uuid.UUID = field(default_factory=uuid.uuid4)


@contextmanager
def bulk_session(cache_mib: int = 256) -> Iterator[None]:
    """Database settings for a bulk load, restored after: on SQLite a larger page cache (the default 2 MiB
    thrashes once the indexes of a million rows outgrow it: every insert into a random-keyed index reads
    pages back). Durability settings (WAL, synchronous=FULL) are left as they are."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size = {-int(cache_mib) * 1024}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def commit_data_keys(subjects: Sequence[uuid.UUID]) -> int:
    """Create and commit the data keys of new subjects (outside any caller transaction, see module doc)."""
    with transaction.atomic():
        return create_data_keys(list(subjects))


def _take_numbers(counter_model: Any, count: int, first: int) -> int:
    """Reserve ``count`` consecutive numbers from a one-row counter (locked; the caller's transaction) and
    return the first. Same counter and first value as ``core.models.allocate_next_number``."""
    manager = counter_model._default_manager
    counter = manager.select_for_update().order_by("pk").first()
    if counter is None:
        manager.get_or_create(pk=1, defaults={"last_number": first - 1})
        counter = manager.select_for_update().get(pk=1)
    start = int(counter.last_number) + 1
    counter.last_number = start + count - 1
    counter.save(update_fields=["last_number"])
    return start


def allocate_mrns(count: int) -> list[str]:
    """``count`` new MRNs, skipping numbers an imported legacy MRN already uses (as registration does)."""
    mrns: list[str] = []
    while len(mrns) < count:
        wanted = count - len(mrns)
        start = _take_numbers(MrnCounter, wanted, first_number())
        block = [format_mrn(n) for n in range(start, start + wanted)]
        indexes = {blind_index(IndexKind.MRN, mrn): mrn for mrn in block}
        taken = set(Patient.objects.filter(mrn_index__in=list(indexes)).values_list("mrn_index", flat=True))
        mrns.extend(mrn for index, mrn in indexes.items() if index not in taken)
    return mrns


def allocate_encounter_numbers(count: int) -> int:
    """The first of ``count`` consecutive encounter numbers (the admission service's counter)."""
    return _take_numbers(EncounterCounter, count, FIRST_ENCOUNTER_NUMBER)


def name_tokens_for(row_id: uuid.UUID, names: Iterable[str]) -> list[tuple[str, uuid.UUID, str, bool]]:
    """The search-token rows ``vault.services.index_name`` writes for one row's names."""
    exact: set[str] = set()
    phonetic: set[str] = set()
    for name in names:
        if name:
            more_exact, more_phonetic = name_digests(name)
            exact |= more_exact
            phonetic |= more_phonetic
    return [(NAME_SCOPE, row_id, d, False) for d in sorted(exact)] + [
        (NAME_SCOPE, row_id, d, True) for d in sorted(phonetic)
    ]


@dataclass
class PreparedPatients:
    patients: list[Patient]
    rows: Prepared
    addresses: Prepared
    identifiers: Prepared
    tokens: list[tuple[str, uuid.UUID, str, bool]]


def prepare_patients(
    rows: Sequence[NewPatient], *, mrns: Sequence[str], registered_by: User | None, today: date
) -> PreparedPatients:
    """Build and seal the rows of checked registrations with their (already allocated) MRNs; no writing, so
    it can run outside the writing transaction. Their data keys must be committed (:func:`commit_data_keys`)."""
    patients: list[Patient] = []
    addresses: list[PatientAddress] = []
    identifiers: list[PatientIdentifier] = []
    tokens: list[tuple[str, uuid.UUID, str, bool]] = []
    for row, mrn in zip(rows, mrns, strict=True):
        data = row.data
        patient = Patient(
            public_id=row.public_id, vault_subject=row.vault_subject, given_name=data.given_name,
            family_name=data.family_name, middle_name=data.middle_name, preferred_name=data.preferred_name,
            date_of_birth=data.date_of_birth, birth_year=data.date_of_birth.year,
            administrative_sex=data.administrative_sex, ssn=data.ssn, phone=data.phone, email=data.email,
            address=data.address, deceased_date=data.deceased_date, restrictions=list(data.restrictions), mrn=mrn,
            gender_identity=data.gender_identity, preferred_language=data.preferred_language,
            race=list(data.race) or None, ethnicity=list(data.ethnicity) or None, registered_by=registered_by,
        )  # fmt: skip
        patients.append(patient)
        if data.address:
            addresses.append(
                PatientAddress(
                    patient=patient,
                    vault_subject=row.vault_subject,
                    address=data.address,
                    valid_from=row.address_since or today,
                )
            )
        identifiers.extend(
            PatientIdentifier(
                patient=patient,
                vault_subject=row.vault_subject,
                authority=one.authority,
                type_code=one.type_code,
                value=one.value,
            )
            for one in row.identifiers
        )
        tokens.extend(name_tokens_for(row.public_id, data.names()))
    return PreparedPatients(
        patients=patients,
        rows=prepare(Patient, patients),
        addresses=prepare(PatientAddress, addresses, late=("patient",)),
        identifiers=prepare(PatientIdentifier, identifiers, late=("patient",)),
        tokens=tokens,
    )


def write_patients(prepared: PreparedPatients) -> list[Patient]:
    """Send prepared registrations (inside the caller's transaction); returns the rows with their keys."""
    prepared.rows.execute()
    fetch_pks(Patient, prepared.patients)
    prepared.addresses.execute()
    prepared.identifiers.execute()
    insert_tokens(prepared.tokens)
    return prepared.patients


def insert_patients(rows: Sequence[NewPatient], *, registered_by: User | None, today: date) -> list[Patient]:
    """Insert checked registrations with new MRNs, inside the caller's transaction; their data keys must be
    committed already (:func:`commit_data_keys`). Returns the saved rows in order."""
    mrns = allocate_mrns(len(rows))
    return write_patients(prepare_patients(rows, mrns=mrns, registered_by=registered_by, today=today))


def insert_encounters(encounters: Sequence[Encounter]) -> None:
    """Insert encounters (numbers already reserved with :func:`allocate_encounter_numbers`)."""
    fast_insert(Encounter, encounters)
    fetch_pks(Encounter, encounters)


def insert_adt(events: Sequence[AdtEvent]) -> None:
    """Append ADT movements (inserts only, like every ADT write)."""
    for event in events:
        event.encounter_id = event.encounter.pk
    fast_insert(AdtEvent, events)


def insert_reported(conditions: Sequence[ReportedCondition], procedures: Sequence[ReportedProcedure]) -> None:
    """Insert reported diagnoses and procedures (their display text sealed under the patient's key)."""
    for row in [*conditions, *procedures]:
        if row.encounter is not None:
            row.encounter_id = row.encounter.pk
        row.patient_id = row.patient.pk
    fast_insert(ReportedCondition, conditions)
    fast_insert(ReportedProcedure, procedures)
