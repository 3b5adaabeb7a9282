"""A separate "machine" for the vault's end-to-end tests and bench/no_plaintext.py: a process with its own
RECORDROOM_HOME and database that plants synthetic records with marker strings, backs them up, restores
them, reads them back, and scans every byte it wrote for the markers (DESIGN.md invariant 3).

    python -m recordroom.vault.tests.machine plant MARKERS.json   # prints a JSON report
    python -m recordroom.vault.tests.machine read MARKERS.json
    python -m recordroom.vault.tests.machine restore ARCHIVE

Run with DJANGO_SETTINGS_MODULE=recordroom.settings.test, RECORDROOM_HOME and RECORDROOM_DATABASE_URL
set (see :func:`machine_env`).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import string
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PASSPHRASE = "synthetic backup passphrase for tests"
MARKER_FIELDS = ("given_name", "family_name", "mrn", "address", "sentence")


def new_markers() -> dict[str, str]:
    """Unique marker strings: names, MRN, address and a document sentence of random capitals, and an SSN
    and phone of random digits."""

    def letters(n: int) -> str:
        return "".join(secrets.choice(string.ascii_uppercase) for _ in range(n))

    return {
        "given_name": "QZX" + letters(13),
        "family_name": "QZX" + letters(13),
        "mrn": "QZXMRN" + letters(10),
        "address": f"QZX{letters(12)} Lane",
        "sentence": f"The patient reports QZX{letters(14)} pain since Tuesday.",
        "ssn": "".join(secrets.choice(string.digits) for _ in range(9)),
        "phone": "555" + "".join(secrets.choice(string.digits) for _ in range(7)),
    }


def needles(markers: dict[str, str]) -> dict[str, bytes]:
    """Every encoding of every marker to look for: UTF-8 (as is and lower case), UTF-16 LE/BE, and base64
    (standard and URL-safe) at all three byte alignments. SSN and phone also in their dashed forms."""
    texts = dict(markers)
    texts["ssn_dashed"] = f"{markers['ssn'][:3]}-{markers['ssn'][3:5]}-{markers['ssn'][5:]}"
    texts["phone_dashed"] = f"{markers['phone'][:3]}-{markers['phone'][3:6]}-{markers['phone'][6:]}"
    found: dict[str, bytes] = {}
    for name, text in texts.items():
        raw = text.encode("utf-8")
        found[f"{name}/utf-8"] = raw
        found[f"{name}/lower"] = text.lower().encode("utf-8")
        found[f"{name}/utf-16-le"] = text.encode("utf-16-le")
        found[f"{name}/utf-16-be"] = text.encode("utf-16-be")
        for offset in range(3):
            for label, encode in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
                encoded = encode(b"\0" * offset + raw)
                start = 4 if offset else 0
                found[f"{name}/{label}{offset}"] = encoded[start:-4]
    return found


def scan(paths: Iterable[Path], markers: dict[str, str]) -> dict[str, Any]:
    """Search every byte of every file under ``paths`` for every needle; returns files, bytes and hits."""
    patterns = needles(markers)
    files, total, hits = [], 0, []
    for root in paths:
        for path in sorted(p for p in ([root] if root.is_file() else root.rglob("*")) if p.is_file()):
            data = path.read_bytes()
            files.append(str(path))
            total += len(data)
            lowered = data.lower()
            for label, needle in patterns.items():
                if needle in data or (label.endswith(("/utf-8", "/lower")) and needle.lower() in lowered):
                    hits.append({"file": str(path), "needle": label})
    return {"files": files, "bytes": total, "hits": hits}


def machine_env(home: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RECORDROOM_")}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "recordroom.settings.test",
            "RECORDROOM_HOME": str(home),
            "RECORDROOM_DATABASE_URL": database_url,
            "RECORDROOM_BACKUP_SCRYPT_LOG2N": "14",
            "RECORDROOM_BACKUP_PASSPHRASE": PASSPHRASE,
            "RECORDROOM_LOG_LEVEL": "DEBUG",
        }
    )
    return env


def run_machine(env: dict[str, str], *args: str, cwd: Path) -> dict[str, Any]:
    """Run this module in a child process with ``env``; returns its JSON report (raises on failure)."""
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "recordroom.vault.tests.machine", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        check=False,
        timeout=600,
    )
    if completed.returncode != 0:
        raise AssertionError(f"machine {args[0]} failed:\n{completed.stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(completed.stdout.decode().strip().splitlines()[-1])
    return result


def _plant(markers: dict[str, str]) -> dict[str, Any]:
    import logging

    from django.core.management import call_command
    from django.db import connection

    from recordroom.vault.blind_index import IndexKind, blind_index
    from recordroom.vault.services import create_backup, destroy_data_key, rotate_keys, search_name
    from recordroom.vault.tests.factories import NAME_SCOPE, make_document, make_patient
    from recordroom.vault.tests.sample_records.models import SamplePatient

    call_command("migrate", verbosity=0)
    logging.getLogger("recordroom.vault").info("planting synthetic records")
    patient = make_patient(
        given_name=markers["given_name"],
        family_name=markers["family_name"],
        mrn=markers["mrn"],
        ssn=markers["ssn"],
        phone=markers["phone"],
        address=markers["address"],
    )
    make_document(patient, title=markers["sentence"], note=markers["sentence"], body=markers["sentence"].encode())
    for _ in range(20):
        make_patient()
    doomed = make_patient()
    destroy_data_key(subject_id=doomed.vault_subject)
    rotate_keys()
    found = SamplePatient.objects.get(mrn_index=blind_index(IndexKind.MRN, markers["mrn"]))
    assert found.family_name == markers["family_name"]
    assert search_name(scope=NAME_SCOPE, query=markers["family_name"])[0].row_id == patient.public_id
    backup = create_backup(None, passphrase=PASSPHRASE)
    home = Path(os.environ["RECORDROOM_HOME"])
    extra: list[Path] = []
    if connection.vendor == "postgresql":
        dump = home / "proof.sql"
        settings = connection.settings_dict
        env = dict(os.environ, PGPASSWORD=str(settings.get("PASSWORD") or ""))
        args = ["pg_dump", "--format=plain", f"--file={dump}", str(settings["NAME"])]
        if settings.get("HOST"):
            args[1:1] = ["--host", str(settings["HOST"])]
        if settings.get("PORT"):
            args[1:1] = ["--port", str(settings["PORT"])]
        if settings.get("USER"):
            args[1:1] = ["--username", str(settings["USER"])]
        subprocess.run(args, env=env, check=True)  # noqa: S603
        extra.append(dump)
    # Scan while this process still holds the database open, so SQLite's WAL is there to be read.
    report = scan([home, *extra], markers)
    report["backup"] = str(backup.path)
    report["vendor"] = connection.vendor
    report["wal_present"] = any(name.endswith("-wal") for name in report["files"])
    return report


def _read(markers: dict[str, str]) -> dict[str, Any]:
    from recordroom.vault.blind_index import IndexKind, blind_index
    from recordroom.vault.services import read_document
    from recordroom.vault.tests.sample_records.models import SampleDocument, SamplePatient

    patient = SamplePatient.objects.get(mrn_index=blind_index(IndexKind.MRN, markers["mrn"]))
    document = SampleDocument.objects.get(patient=patient)
    return {
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "mrn": patient.mrn,
        "ssn": patient.ssn,
        "phone": patient.phone,
        "address": patient.address,
        "sentence": document.note,
        "body": read_document(document.blob_address).decode(),
        "patients": SamplePatient.objects.count(),
    }


def main(argv: list[str]) -> int:
    import django

    django.setup()
    action, argument = argv[0], Path(argv[1])
    if action == "restore":
        from recordroom.vault.services import restore_backup

        result = restore_backup(argument, passphrase=PASSPHRASE)
        report: dict[str, Any] = {"restored": True, "documents": result.documents}
    else:
        markers = json.loads(argument.read_text())
        report = _plant(markers) if action == "plant" else _read(markers)
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
