"""Documents costs: filing text notes through ``file_document`` (policy, checks, sealed body, sealed text,
search tokens, audit), full-text search latency over them, and OCR of one scanned page.

    .venv/bin/python bench/documents.py [--documents N] [--patients N] [--searches N] [--json OUT] [--baseline FILE]

Runs on a throw-away SQLite file database (WAL) under a temporary RECORDROOM_HOME, with the test settings;
set RECORDROOM_DATABASE_URL to a PostgreSQL database to measure there instead.
"""

from __future__ import annotations

import argparse
import atexit
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
HOME = Path(tempfile.mkdtemp(prefix="recordroom-bench-"))
atexit.register(shutil.rmtree, HOME, ignore_errors=True)
os.environ["RECORDROOM_HOME"] = str(HOME)
os.environ.setdefault("RECORDROOM_DATABASE_URL", f"sqlite:///{HOME}/bench.sqlite3")
os.environ["DJANGO_SETTINGS_MODULE"] = "recordroom.settings.test"

from report import report  # noqa: E402  (a script's own folder is on sys.path)

WORDS = tuple(
    " ".join(
        [
            "patient afebrile lungs clear auscultation abdomen soft nontender plan continue ceftriaxone pneumonia",
            "sepsis cultures pending ambulating tolerating diet discharge home follow clinic weeks wound healing",
            "incision dressing pain controlled oral analgesia hemoglobin stable creatinine improving telemetry",
            "sinus rhythm echocardiogram ejection fraction appendectomy cholecystectomy laparoscopic uneventful",
        ]
    ).split(" ")
)
RARE = ("zolendronate", "pheochromocytoma", "sarcoidosis", "amyloidosis", "mesothelioma")


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def note(rng: random.Random) -> bytes:
    words = [rng.choice(WORDS) for _ in range(rng.randint(150, 400))]
    if rng.random() < 0.01:
        words.insert(rng.randrange(len(words)), rng.choice(RARE))
    return (" ".join(words) + ".").encode()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--documents", type=int, default=2_000)
    parser.add_argument("--patients", type=int, default=200)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--baseline", type=Path, help="compare with figures written earlier by --json")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from recordroom.accounts.roles import Role
    from recordroom.accounts.tests.factories import make_user
    from recordroom.core.vocabulary import Purpose
    from recordroom.documents.services import file_document, search_documents
    from recordroom.documents.services.scans import recognize, tesseract_available
    from recordroom.documents.tests.factories import png_with_text
    from recordroom.encounters.tests.factories import make_encounter

    rng = random.Random(5)  # noqa: S311 - reproducible sample text, not a secret
    clerk = make_user([Role.HIM_CLERK], enrolled=False).user
    doctor = make_user([Role.PHYSICIAN], enrolled=False).user
    encounters = [make_encounter(actor=clerk, attending=doctor) for _ in range(args.patients)]
    when = datetime(2026, 1, 6, 9, tzinfo=UTC)
    samples = []
    total_bytes = 0
    start = time.perf_counter()
    for i in range(args.documents):
        encounter = encounters[i % len(encounters)]
        body = note(rng)
        total_bytes += len(body)
        t0 = time.perf_counter()
        file_document(
            actor=clerk, purpose=Purpose.OPERATIONS, patient_id=encounter.patient.public_id,
            encounter_id=encounter.public_id, document_type="progress_note", title=f"Progress note {i}",
            content=body, media_type="text/plain", service_date=when + timedelta(minutes=i), author=doctor,
            author_name=None, source="synth", source_key=f"bench:{i}",
        )  # fmt: skip
        samples.append((time.perf_counter() - t0) * 1000)
    filing_s = time.perf_counter() - start
    figures: dict[str, float | int | str] = {
        "database": "postgresql" if "postgres" in os.environ["RECORDROOM_DATABASE_URL"] else "sqlite",
        "documents": args.documents,
        "patients": args.patients,
        "filing_docs_per_s": round(args.documents / filing_s, 1),
        "filing_ms_p50": round(percentile(samples, 0.5), 2),
        "filing_ms_p95": round(percentile(samples, 0.95), 2),
        "mean_note_bytes": round(total_bytes / max(args.documents, 1)),
    }
    for label, terms in (("common_word", lambda: rng.choice(WORDS)), ("rare_word", lambda: rng.choice(RARE)),
                         ("two_words", lambda: f"{rng.choice(WORDS)} {rng.choice(WORDS)}")):  # fmt: skip
        latencies = []
        hits = 0
        for _ in range(args.searches):
            t0 = time.perf_counter()
            hits += len(search_documents(actor=doctor, purpose=Purpose.TREATMENT, query=terms()))
            latencies.append((time.perf_counter() - t0) * 1000)
        figures[f"search_{label}_ms_p50"] = round(percentile(latencies, 0.5), 2)
        figures[f"search_{label}_ms_p95"] = round(percentile(latencies, 0.95), 2)
        figures[f"search_{label}_mean_hits"] = round(hits / args.searches, 1)
    if tesseract_available():
        page = png_with_text("DISCHARGE SUMMARY pneumonia resolved", size=(1700, 220))
        t0 = time.perf_counter()
        text, _method = recognize(page, "image/png")
        figures["ocr_one_line_page_s"] = round(time.perf_counter() - t0, 2)
        figures["ocr_read_ok"] = "PNEUMONIA" in text.upper()
    report(figures, json_out=args.json, baseline=args.baseline, width=36)
    return 0


if __name__ == "__main__":
    sys.exit(main())
