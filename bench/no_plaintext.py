"""The no-plaintext proof (DESIGN.md invariant 3) as a standalone run: plant synthetic records whose name,
SSN, MRN, phone, address and a document sentence are unique markers, back them up, rotate keys, restore
the backup on a second empty "machine", and search every byte both machines wrote (database file and WAL,
document store, backups, logs, keys; a plain-format pg_dump on PostgreSQL) for every marker in UTF-8,
UTF-16 and base64.

    .venv/bin/python bench/no_plaintext.py [--postgres URL-of-a-server-database] [--json OUT] [--baseline FILE]

Exit status 0 only with zero hits. With --postgres, each machine gets a fresh database on that server
(created and dropped here).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from report import report  # noqa: E402  (a script's own folder is on sys.path)

from recordroom.vault.tests.machine import machine_env, needles, new_markers, run_machine, scan  # noqa: E402


def _database(url: str | None, home: Path, created: list[tuple[str, str]]) -> str:
    if not url:
        return f"sqlite:///{home}/recordroom.sqlite3"
    import psycopg

    base, _, _ = url.rpartition("/")
    name = f"rr_proof_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    created.append((url, name))
    return f"{base}/{name}"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--postgres", help="postgresql://user@host:port/db to create the machines' databases on")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--baseline", type=Path, help="compare with figures written earlier by --json")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="recordroom-proof-"))
    markers = new_markers()
    marker_file = work / "markers.json"
    marker_file.write_text(json.dumps(markers))
    created: list[tuple[str, str]] = []
    started = time.perf_counter()
    try:
        first, second = work / "first", work / "second"
        first.mkdir()
        second.mkdir()
        planted = run_machine(
            machine_env(first, _database(args.postgres, first, created)), "plant", str(marker_file), cwd=work
        )
        second_env = machine_env(second, _database(args.postgres, second, created))
        run_machine(second_env, "restore", planted["backup"], cwd=work)
        read_back = run_machine(second_env, "read", str(marker_file), cwd=work)
        after = scan([first, second], markers)
    finally:
        if created:
            import psycopg

            for url, name in created:
                with psycopg.connect(url, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    restored_ok = all(read_back[key] == value for key, value in markers.items())
    figures = {
        "vendor": planted["vendor"],
        "files_scanned": len(planted["files"]) + len(after["files"]),
        "bytes_scanned": planted["bytes"] + after["bytes"],
        "wal_scanned": planted["wal_present"],
        "needles": len(needles(markers)),
        "hits": len(planted["hits"]) + len(after["hits"]),
        "restore_read_back_ok": restored_ok,
        "seconds": round(time.perf_counter() - started, 1),
    }
    for hit in planted["hits"] + after["hits"]:
        print(f"HIT {hit['needle']} in {hit['file']}")
    report(figures, json_out=args.json, baseline=args.baseline, width=24)
    return 0 if figures["hits"] == 0 and restored_ok else 1


if __name__ == "__main__":
    sys.exit(main())
