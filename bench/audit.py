"""Audit trail and access-decision figures on this machine (issue: access and audit).

    .venv/bin/python bench/audit.py [--append N] [--verify N] [--decisions N] [--json OUT] [--baseline FILE]

- append: N events through ``audit.record()``, one transaction and one commit each (fsync'd: SQLite
  WAL with synchronous=FULL), on SQLite and, if RECORDROOM_BENCH_PG_URL is set (or PostgreSQL answers on
  127.0.0.1:5432), on a fresh PostgreSQL database. Targets: >= 1,000/s SQLite, >= 500/s PostgreSQL.
- verify: ``verify_chain()`` over an N-event chain on SQLite (default 1,000,000; built with one
  transaction per 10,000 events to save time). Target: >= 200,000 events/s.
- decisions: median and p99 of ``authorize()`` for a coder reading a document in their queue.
  Target: <= 20 us median, no database query.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


from report import report  # noqa: E402  (a script's own folder is on sys.path)


def child(mode: str, n: int, db_url: str) -> dict[str, float]:
    """Run one measurement in a fresh process (its own database settings)."""
    env = {**os.environ, "RECORDROOM_HOME": tempfile.mkdtemp(prefix="rr-bench-"), "RECORDROOM_DATABASE_URL": db_url,
           "DJANGO_SETTINGS_MODULE": os.environ.get("RR_BENCH_SETTINGS", "recordroom.settings.dev")}  # fmt: skip
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--n", str(n)], env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise SystemExit(f"{mode} on {db_url.split(':', maxsplit=1)[0]} failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def run_child(mode: str, n: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    call_command("migrate", verbosity=0)
    from enum import StrEnum

    from recordroom.audit.registry import register_event_types
    from recordroom.audit.services import AuditAction, Outcome, record, verify_chain

    class BenchEvent(StrEnum):
        READ = "bench.record_read"

    register_event_types(BenchEvent)

    def one(i: int) -> None:
        record(BenchEvent.READ, action=AuditAction.READ, outcome=Outcome.SUCCESS, resource_type="document",
               resource_id=f"doc-{i}", patient_id=i % 5000, data_category="progress_note", detail={"n": i})  # fmt: skip

    if mode == "append":
        for i in range(200):  # warm up
            with transaction.atomic():
                one(i)
        start = time.perf_counter()
        for i in range(n):
            with transaction.atomic():
                one(i)
        elapsed = time.perf_counter() - start
        print(json.dumps({"events_per_s": n / elapsed, "vendor": connection.vendor}))
    elif mode == "verify":
        for block in range(0, n, 10_000):
            with transaction.atomic():
                for i in range(block, min(n, block + 10_000)):
                    one(i)
        start = time.perf_counter()
        result = verify_chain()
        elapsed = time.perf_counter() - start
        if not result.ok or result.checked != n:
            raise SystemExit(f"verify failed: {result.as_dict()}")
        print(json.dumps({"events_per_s": n / elapsed, "seconds": elapsed, "events": n}))


def decisions(n: int) -> dict[str, float]:
    os.environ.setdefault("RECORDROOM_HOME", tempfile.mkdtemp(prefix="rr-bench-"))
    os.environ["RECORDROOM_DATABASE_URL"] = "sqlite:///" + str(Path(os.environ["RECORDROOM_HOME"]) / "d.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", os.environ.get("RR_BENCH_SETTINGS", "recordroom.settings.dev"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from recordroom.access.decisions import Resource, authorize
    from recordroom.accounts.roles import Role
    from recordroom.accounts.services import create_user
    from recordroom.core.vocabulary import Action, Purpose, Relationship, ResourceType

    coder = create_user(username="bench.coder", display_name="Bench", roles=[Role.CODER], actor=None)
    coder.role_set()
    resource = Resource(ResourceType.DOCUMENT, id="d", patient_id=1, document_type="discharge_summary",
                        relationships=frozenset({Relationship.CODING_QUEUE}))  # fmt: skip
    authorize(coder, Action.READ, resource, Purpose.PAYMENT)
    samples = []
    with CaptureQueriesContext(connection) as queries:
        for _ in range(n):
            start = time.perf_counter_ns()
            decision = authorize(coder, Action.READ, resource, Purpose.PAYMENT)
            samples.append(time.perf_counter_ns() - start)
    if not decision.allowed:
        raise SystemExit("the benchmark decision should be an allow")
    samples.sort()
    return {"median_us": statistics.median(samples) / 1000, "p99_us": samples[int(len(samples) * 0.99)] / 1000,
            "queries": len(queries.captured_queries)}  # fmt: skip


def postgres_url() -> str | None:
    url = os.environ.get("RECORDROOM_BENCH_PG_URL")
    if url:
        return url
    name = f"rr_bench_{os.getpid()}"
    made = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", f"CREATE DATABASE {name}", "postgres"],
                          capture_output=True, check=False)  # fmt: skip
    return f"postgresql://postgres@127.0.0.1:5432/{name}" if made.returncode == 0 else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--append", type=int, default=3000)
    parser.add_argument("--verify", type=int, default=1_000_000)
    parser.add_argument("--decisions", type=int, default=100_000)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--child", choices=["append", "verify"], help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.n)
        return 0
    figures: dict[str, float] = {}
    sqlite_url = "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="rr-bench-db-")) / "append.sqlite3")
    figures["append_sqlite_events_per_s"] = round(child("append", args.append, sqlite_url)["events_per_s"])
    pg = postgres_url()
    if pg:
        figures["append_postgresql_events_per_s"] = round(child("append", args.append, pg)["events_per_s"])
        if not os.environ.get("RECORDROOM_BENCH_PG_URL"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc",
                            f"DROP DATABASE {pg.rsplit('/', 1)[1]}", "postgres"], check=False)  # fmt: skip
    verify_url = "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="rr-bench-db-")) / "verify.sqlite3")
    verified = child("verify", args.verify, verify_url)
    figures["verify_events"] = args.verify
    figures["verify_sqlite_events_per_s"] = round(verified["events_per_s"])
    decided = decisions(args.decisions)
    figures["authorize_median_us"] = round(decided["median_us"], 2)
    figures["authorize_p99_us"] = round(decided["p99_us"], 2)
    figures["authorize_queries"] = decided["queries"]
    report(figures, json_out=args.json, baseline=args.baseline, width=34)
    return 0


if __name__ == "__main__":
    sys.exit(main())
