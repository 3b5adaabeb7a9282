"""Records figures: synthesizing a hospital, finding patients in it, importing FHIR.

    .venv/bin/python bench/records.py [--patients N] [--seed S] [--documents N] [--lookups N]
        [--postgres URL-of-a-server-database] [--no-fhir] [--json OUT] [--baseline FILE]

Runs on a throw-away database under a temporary RECORDROOM_HOME: a SQLite file (WAL), or with --postgres a
fresh database created (and dropped) on that server. Targets (issue 5, 2-core machine): ``recordroom synth
--patients 1000000`` in <= 15 minutes; MRN lookup p95 <= 5 ms and name + date of birth search p95 <= 50 ms
through ``patients.services.find_patients`` (policy, blind indexes, audit event included); FHIR import
>= 1,000 resources/s over the shared Synthea samples (../shared/external).
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
HOME = Path(tempfile.mkdtemp(prefix="recordroom-bench-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["RECORDROOM_HOME"] = str(HOME)
os.environ["DJANGO_SETTINGS_MODULE"] = "recordroom.settings.test"
EXTERNAL = ROOT.parent / "shared" / "external"
BUNDLES = EXTERNAL / "synthea-r4-transaction-bundles"
NDJSON = EXTERNAL / "synthea-bulk-ndjson" / "10-patients"

from report import report  # noqa: E402  (a script's own folder is on sys.path)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def _database(url: str | None, created: list[tuple[str, str]]) -> str:
    if not url:
        return f"sqlite:///{HOME}/bench.sqlite3"
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"rr_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    created.append((url, name))
    return f"{base}/{name}"


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def synth_figures(admin, patients: int, seed: int, documents: int) -> dict[str, float | int | str]:
    from recordroom.interop.services import synthesize_hospital

    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    result = synthesize_hospital(actor=admin, patients=patients, seed=seed, documents=documents)
    seconds = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    figures: dict[str, float | int | str] = {
        "synth_patients": result.counts["patients"],
        "synth_s": round(seconds, 1),
        "synth_patients_per_s": round(result.counts["patients"] / seconds),
        "synth_s_per_million_patients_projected": round(seconds / result.counts["patients"] * 1e6),
        # CPU seconds of this process and its worker processes: on a shared machine the wall time also
        # measures the other load; CPU / cores is the wall time the run needs on an idle machine.
        "synth_cpu_s": round(cpu, 1),
        "synth_cpu_s_per_core_idle_machine_estimate": round(cpu / (os.cpu_count() or 1), 1),
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
    }
    for key in ("encounters", "adt_events", "conditions", "procedures", "documents", "planted_duplicates"):
        figures[f"synth_{key}"] = result.counts.get(key, 0)
    for key, value in result.seconds.items():
        figures[f"synth_stage_{key}_s"] = value
    return figures


def lookup_figures(clerk, lookups: int, seed: int) -> dict[str, float]:
    from recordroom.core.vocabulary import Purpose
    from recordroom.patients.models import Patient
    from recordroom.patients.services import find_patients

    rng = random.Random(seed)  # noqa: S311  (a reproducible sample, not a secret)
    total = Patient.objects.count()
    picks = sorted(rng.sample(range(1, total + 1), min(lookups, total)))
    ids = list(Patient.objects.order_by("id").values_list("id", flat=True))
    chosen = [Patient.objects.get(id=ids[n - 1]) for n in picks]
    targets = [(p.mrn, f"{p.given_name} {p.family_name}", p.date_of_birth, p.public_id) for p in chosen]
    rng.shuffle(targets)
    mrn_ms, name_ms, misses = [], [], 0
    for mrn, _, _, public_id in targets:
        start = time.perf_counter_ns()
        found = find_patients(actor=clerk, purpose=Purpose.OPERATIONS, query=mrn)
        mrn_ms.append((time.perf_counter_ns() - start) / 1e6)
        misses += not any(str(r.public_id) == str(public_id) for r in found)
    for _, name, born, public_id in targets:
        start = time.perf_counter_ns()
        found = find_patients(actor=clerk, purpose=Purpose.OPERATIONS, query=name, dob=born, limit=100)
        name_ms.append((time.perf_counter_ns() - start) / 1e6)
        misses += not any(str(r.public_id) == str(public_id) for r in found)
    return {
        "lookups": len(targets),
        "mrn_lookup_ms_median": round(statistics.median(mrn_ms), 2),
        "mrn_lookup_ms_p95": round(percentile(mrn_ms, 0.95), 2),
        "name_dob_search_ms_median": round(statistics.median(name_ms), 2),
        "name_dob_search_ms_p95": round(percentile(name_ms, 0.95), 2),
        "lookup_misses": misses,
    }


def fhir_figures(clerk) -> dict[str, float | int]:
    from recordroom.interop.services import import_fhir

    figures: dict[str, float | int] = {}
    for label, path in (("bundles", BUNDLES), ("ndjson", NDJSON)):
        if not path.exists():
            continue
        result = import_fhir(actor=clerk, paths=[path], source=f"bench-{label}")
        data = result.as_dict()
        created = sum(sum(f["created"].values()) for f in data["files"])
        figures[f"fhir_{label}_resources"] = data["resources"]
        figures[f"fhir_{label}_records_created"] = created
        figures[f"fhir_{label}_failed_files"] = data["failed_files"]
        figures[f"fhir_{label}_s"] = round(result.seconds, 2)
        figures[f"fhir_{label}_resources_per_s"] = round(data["resources"] / result.seconds, 1)
        figures[f"fhir_{label}_records_created_per_s"] = round(created / result.seconds, 1)
        again = import_fhir(actor=clerk, paths=[path], source=f"bench-{label}")
        figures[f"fhir_{label}_reimport_created"] = sum(sum(f.created.values()) for f in again.files)
        figures[f"fhir_{label}_reimport_resources_per_s"] = round(data["resources"] / again.seconds, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--patients", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--documents", type=int, default=200, help="documents the synthetic hospital files")
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--postgres", help="postgresql://user@host:port/db to create the bench database on")
    parser.add_argument("--no-fhir", action="store_true", help="skip the FHIR import figures")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--baseline", type=Path, help="compare with figures written earlier by --json")
    args = parser.parse_args()

    created: list[tuple[str, str]] = []
    os.environ["RECORDROOM_DATABASE_URL"] = _database(args.postgres, created)
    try:
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        from recordroom.accounts.roles import Role
        from recordroom.accounts.services import create_user

        call_command("migrate", verbosity=0)
        admin = create_user(username="bench.admin", display_name="Bench admin", roles=[Role.SYSADMIN], actor=None)
        clerk = create_user(username="bench.clerk", display_name="Bench clerk", roles=[Role.HIM_CLERK], actor=None)
        figures: dict[str, float | int | str] = {"vendor": connection.vendor}
        figures.update(synth_figures(admin, args.patients, args.seed, args.documents))
        figures.update(lookup_figures(clerk, args.lookups, args.seed))
        if not args.no_fhir:
            figures.update(fhir_figures(clerk))
        report(figures, json_out=args.json, baseline=args.baseline, width=44)
        connection.close()
    finally:
        if created:
            import psycopg

            for url, name in created:
                with psycopg.connect(url, autocommit=True) as admin_db:
                    admin_db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return 0


if __name__ == "__main__":
    sys.exit(main())
