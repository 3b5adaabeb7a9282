"""Vault costs: sealing a demographic record, blind-index lookup among many patients, key rotation, and
streaming a large document through the encrypted store.

    .venv/bin/python bench/vault.py [--patients N] [--rounds N] [--document-mb N] [--json OUT] [--baseline FILE]

Runs on a throw-away SQLite file database (WAL) under a temporary RECORDROOM_HOME, with the test settings
(for the sample records app). Targets from the vault issue: seal + open of a demographic record <= 20 us
median; MRN lookup among 1,000,000 patients <= 5 ms p95; rotation of 1,000,000 data keys <= 5 minutes.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
HOME = Path(tempfile.mkdtemp(prefix="recordroom-bench-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["RECORDROOM_HOME"] = str(HOME)
os.environ["RECORDROOM_DATABASE_URL"] = f"sqlite:///{HOME}/bench.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "recordroom.settings.test"

RECORD = {
    "given_name": "Marguerite",
    "family_name": "Okonkwo-Lindqvist",
    "date_of_birth": "1961-07-04",
    "ssn": "123-45-6789",
    "mrn": "MRN-0055501",
    "phone": "+1 555 010 0199",
    "email": "m.okonkwo@example.org",
    "address": "1200 Elm Street, Apt 4B, Springfield, IL 62704",
    "insurance_member_id": "ZX99887766",
}


from report import report  # noqa: E402  (a script's own folder is on sys.path)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed_us(function, rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        start = time.perf_counter_ns()
        function()
        samples.append((time.perf_counter_ns() - start) / 1000)
    return samples


def seal_figures(rounds: int) -> dict[str, float]:
    import uuid

    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from recordroom.vault.envelope import new_key, open_value, seal_value
    from recordroom.vault.services import seal, unseal

    record = json.dumps(RECORD, separators=(",", ":"), sort_keys=True).encode()
    aead = AESGCM(new_key())
    aad = b"rr-value/1|" + uuid.uuid4().bytes + b"patients_patient.demographics|" + str(uuid.uuid4()).encode()

    def raw() -> None:
        open_value(aead, seal_value(aead, record, aad), aad)

    subject, context = uuid.uuid4(), f"patients_patient.demographics|{uuid.uuid4()}"
    seal(b"warm", subject_id=subject, context=context)  # creates the data key (committed: cached)

    def vault_record() -> None:
        value = json.dumps(RECORD, separators=(",", ":"), sort_keys=True).encode()
        json.loads(unseal(seal(value, subject_id=subject, context=context), subject_id=subject, context=context))

    fields = [(f"patients_patient.{name}|{context}", value.encode()) for name, value in RECORD.items()]

    def vault_fields() -> None:
        for where, value in fields:
            unseal(seal(value, subject_id=subject, context=where), subject_id=subject, context=where)

    raw_us = timed_us(raw, rounds)
    record_us = timed_us(vault_record, rounds)
    fields_us = timed_us(vault_fields, rounds // 4)
    return {
        "record_bytes": len(record),
        "raw_aes_gcm_seal_open_us_median": round(statistics.median(raw_us), 2),
        "vault_record_seal_open_us_median": round(statistics.median(record_us), 2),
        "vault_record_seal_open_us_p95": round(percentile(record_us, 0.95), 2),
        "vault_9_fields_seal_open_us_median": round(statistics.median(fields_us), 2),
    }


def fill(patients: int, batch: int = 10_000) -> tuple[float, list[str]]:
    """Register patients the way a bulk import would: a batch of data keys in one insert, then the batch
    of records (sealed through the fields, blind indexes computed on save)."""
    import uuid

    from django.db import transaction

    from recordroom.vault.services import create_data_keys
    from recordroom.vault.tests.sample_records.models import SamplePatient

    mrns = []
    start = time.perf_counter()
    for first in range(0, patients, batch):
        rows = []
        for n in range(first, min(first + batch, patients)):
            mrn = f"MRN{n:09d}"
            mrns.append(mrn)
            rows.append(
                SamplePatient(vault_subject=uuid.uuid4(), given_name=f"Given{n}", family_name=f"Family{n}", mrn=mrn)
            )
        with transaction.atomic():
            create_data_keys([row.vault_subject for row in rows])
        with transaction.atomic():
            SamplePatient.objects.bulk_create(rows, batch_size=2000)
    return time.perf_counter() - start, mrns


def lookup_figures(mrns: list[str], rounds: int) -> dict[str, float]:
    from recordroom.vault.blind_index import IndexKind, blind_index
    from recordroom.vault.tests.sample_records.models import SamplePatient

    picks = random.sample(mrns, min(rounds, len(mrns)))
    samples = []
    for mrn in picks:
        start = time.perf_counter_ns()
        patient = SamplePatient.objects.get(mrn_index=blind_index(IndexKind.MRN, mrn))
        samples.append((time.perf_counter_ns() - start) / 1e6)
        if patient.mrn != mrn:
            raise SystemExit("lookup returned the wrong patient")
    return {
        "mrn_lookup_ms_median": round(statistics.median(samples), 3),
        "mrn_lookup_ms_p95": round(percentile(samples, 0.95), 3),
    }


def document_figures(megabytes: int) -> dict[str, float]:
    import hashlib
    import uuid

    from recordroom.vault.services import open_document, put_document

    block = os.urandom(1 << 20)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    stored = put_document((block for _ in range(megabytes)), subject_id=uuid.uuid4())
    put_s = time.perf_counter() - start
    start = time.perf_counter()
    digest = hashlib.sha256()
    for chunk in open_document(stored.address):
        digest.update(chunk)
    read_s = time.perf_counter() - start
    rss_growth_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    return {
        "document_mb": megabytes,
        "document_put_mb_per_s": round(megabytes / put_s, 1),
        "document_read_mb_per_s": round(megabytes / read_s, 1),
        "document_peak_rss_growth_mb": round(rss_growth_mb, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20_000, help="seal/open iterations")
    parser.add_argument("--lookups", type=int, default=2_000)
    parser.add_argument("--document-mb", type=int, default=200)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--baseline", type=Path, help="compare with figures written earlier by --json")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    from recordroom.vault.services import rotate_keys

    call_command("migrate", verbosity=0)
    figures: dict[str, float | int] = {"patients": args.patients}
    figures.update(seal_figures(args.rounds))
    if args.document_mb:  # first, while the process is small, so its peak-RSS growth is the stream's own
        figures.update(document_figures(args.document_mb))
    fill_s, mrns = fill(args.patients)
    figures["fill_patients_per_s"] = round(args.patients / fill_s)
    figures.update(lookup_figures(mrns, args.lookups))
    rotation = rotate_keys()
    figures["rotation_s"] = round(rotation.seconds, 2)
    figures["rotation_keys"] = rotation.rewrapped
    figures["rotation_s_per_million_keys"] = round(rotation.seconds / max(rotation.rewrapped, 1) * 1e6, 1)
    report(figures, json_out=args.json, baseline=args.baseline, width=40)
    return 0


if __name__ == "__main__":
    sys.exit(main())
