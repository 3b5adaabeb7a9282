"""Coding costs: loading a fiscal year's code sets, code search, the edits over a large inpatient encounter,
and MS-DRG grouping.

    .venv/bin/python bench/coding.py [--rounds N] [--json OUT] [--baseline FILE]

Runs on a throw-away SQLite file database (WAL) under a temporary RECORDROOM_HOME, with the test settings.
Targets from issue 7: loading FY2026 ICD-10-CM + ICD-10-PCS <= 30 s; code search <= 20 ms p95; validation of
a 25-diagnosis, 10-procedure inpatient encounter <= 5 ms median; grouping <= 10 ms median.
"""

from __future__ import annotations

import argparse
import atexit
import os
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

from report import report  # noqa: E402  (a script's own folder is on sys.path)

QUERIES = [
    "E11.9",
    "e119",
    "S72.001",
    "I21",
    "0SR9",
    "02703DZ",
    "type 2 diabetes without complications",
    "fracture neck right femur initial",
    "diabtes mellitus complicatons",
    "pneumonia",
    "acute respiratory failure hypoxia",
    "chronic kidney disease stage 4",
    "replacement right hip joint metal",
    "sepsis",
    "hypertensive heart disease",
    "cholera",
    "migrane",
    "congestive heart failure",
    "dilation coronary artery intraluminal",
    "breast cancer",
]
# 25 diagnoses and 10 procedures, all valid FY2026 codes (a long cardiac stay).
DIAGNOSES = [
    "I21.4", "I50.23", "J96.01", "N17.9", "E11.22", "N18.4", "D63.1", "I25.10", "I10", "E78.5",
    "E66.01", "Z68.41", "J44.1", "F17.210", "K21.9", "E87.1", "D62", "R57.0", "I48.91", "Z79.4",
    "Z95.5", "Z86.73", "M10.9", "G47.33", "E03.9",
]  # fmt: skip
PROCEDURES = [
    "02703DZ", "02713DZ", "4A023N7", "B2111ZZ", "5A1955Z", "0BH17EZ", "30233N1", "5A1D70Z",
    "02HV33Z", "3E033GC",
]  # fmt: skip


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def encounter() -> dict[str, object]:
    return {
        "encounter_type": "inpatient",
        "admit_date": "2026-03-01",
        "discharge_date": "2026-03-09",
        "discharge_disposition": "01",
        "patient": {"birth_date": "1948-02-11", "sex": "M"},
        "diagnoses": [{"code": code, "poa": "Y", "principal": i == 0} for i, code in enumerate(DIAGNOSES)],
        "procedures": [{"code": code, "date": "2026-03-02"} for code in PROCEDURES],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--json", type=Path, dest="json_out")
    parser.add_argument("--baseline", type=Path)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from recordroom.coding.services import check_encounter, find_codes, group_checked, load_code_sets
    from recordroom.coding.services.codesets import code_set_for
    from recordroom.coding.services.index import index_for

    started = time.perf_counter()
    results = load_code_sets(fiscal_year=2026)
    load_s = time.perf_counter() - started
    started = time.perf_counter()
    from datetime import date

    day = date(2026, 3, 9)
    index_for(code_set_for("icd10cm", day))
    index_for(code_set_for("icd10pcs", day))
    index_s = time.perf_counter() - started

    search_ms: list[float] = []
    for _ in range(max(1, args.rounds // len(QUERIES))):
        for query in QUERIES:
            t0 = time.perf_counter()
            find_codes(query=query, on=day, limit=25)
            search_ms.append((time.perf_counter() - t0) * 1000)

    data = encounter()
    check_encounter(data)  # warm the MCE and note caches as a coder's session would be
    validate_ms: list[float] = []
    group_ms: list[float] = []
    edits = 0
    for _ in range(args.rounds):
        t0 = time.perf_counter()
        checked = check_encounter(data)
        validate_ms.append((time.perf_counter() - t0) * 1000)
        edits = len(checked.edits)
        t0 = time.perf_counter()
        grouped = group_checked(checked)
        group_ms.append((time.perf_counter() - t0) * 1000)

    from recordroom.coding.services import mce

    cold_ms: list[float] = []
    for _ in range(max(1, args.rounds // 4)):
        mce._edit.cache_clear()
        t0 = time.perf_counter()
        check_encounter(data)
        cold_ms.append((time.perf_counter() - t0) * 1000)

    figures = {
        "code_sets_loaded": ", ".join(f"{r.system} {r.version} {r.codes}" for r in results),
        "load_fiscal_year_s": round(load_s, 2),
        "build_search_indexes_s": round(index_s, 2),
        "search_ms_median": round(statistics.median(search_ms), 3),
        "search_ms_p95": round(percentile(search_ms, 0.95), 3),
        "validate_25dx_10px_ms_median": round(statistics.median(validate_ms), 3),
        "validate_uncached_mce_ms_median": round(statistics.median(cold_ms), 3),
        "validate_edits_found": edits,
        "group_ms_median": round(statistics.median(group_ms), 3),
        "group_drg": grouped["drg"],
    }
    report(figures, json_out=args.json_out, baseline=args.baseline)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
