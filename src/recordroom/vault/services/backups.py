"""Encrypted backups with verified restore (HIPAA 164.308(a)(7)(ii)(A) data backup plan, (B) disaster
recovery plan, (D) testing and revision: every backup can be verified by restoring it somewhere else).

``create_backup`` snapshots the database (SQLite online backup API, or ``pg_dump`` in an exported
snapshot so the row counts and the dump agree), adds every document blob and the keyring, and writes one
archive encrypted under a passphrase (:mod:`recordroom.vault.backup`). ``verify_backup`` restores it into a
temporary place (a directory, plus a temporary PostgreSQL database where needed), checks every hash, every
row count, every data key, every blob and the checks named in ``RECORDROOM_BACKUP_CHECKS`` (the audit
chain), then removes it all. ``restore_backup`` does the same and then installs the result; any failure
before the database is swapped leaves the target as it was.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.db.models import Model

from recordroom.config import home_dir
from recordroom.core import clock
from recordroom.vault.backup import ArchiveWriter, new_archive_name, read_archive
from recordroom.vault.blind_index import forget_derived_keys
from recordroom.vault.errors import VaultError, VaultErrorCode
from recordroom.vault.keyring import FileKeyring, get_keyring, reload_keyring, write_private_file
from recordroom.vault.models import Blob, DataKey
from recordroom.vault.services.documents import document_store
from recordroom.vault.services.keys import clear_key_cache
from recordroom.vault.services.snapshots import (
    pg_args,
    pg_connect,
    pg_env,
    pg_settings,
    pg_tool,
    pg_url,
    quote_name,
    run_tool,
    snapshot_database,
)

logger = logging.getLogger(__name__)
SQLITE_FILE = "database/db.sqlite3"
PG_FILE = "database/db.pgdump"
KEYRING_FILE = "keyring.json"
CHECK_TIMEOUT_S = 3600


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    vendor: str
    row_counts: dict[str, int]
    documents: int
    seconds: float


@dataclass(frozen=True)
class VerifyResult:
    path: Path
    vendor: str
    row_counts: dict[str, int]
    documents: int
    checks: list[dict[str, Any]] = field(default_factory=list)


def scratch_dir() -> Path:
    """Where a backup is unpacked for checking: under RECORDROOM_HOME (0700), never a shared /tmp, since
    the unpacked copy holds the keyring until it is removed."""
    return home_dir("tmp")


@contextmanager
def _workdir(near: Path) -> Iterator[Path]:
    """A private (0700) temporary directory, removed afterwards whatever happens."""
    path = Path(tempfile.mkdtemp(prefix=".recordroom-", dir=near))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _backup_path(path: Path | None) -> Path:
    if path is None:
        folder = Path(settings.RECORDROOM_BACKUP_DIR)
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        return folder / new_archive_name()
    if path.is_dir():
        return path / new_archive_name()
    if path.exists():
        raise VaultError(VaultErrorCode.BACKUP_FORMAT, f"{path.name} already exists; choose a new file name")
    return path


def create_backup(path: Path | None, *, passphrase: str) -> BackupResult:
    """Write one encrypted archive of the database, the document blobs and the keyring."""
    started = time.perf_counter()
    target = _backup_path(path)
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    writer = ArchiveWriter(target, passphrase=passphrase, log2n=settings.RECORDROOM_BACKUP_SCRYPT_LOG2N)
    try:
        with _workdir(target.parent) as workdir:
            vendor, snapshot, counts = snapshot_database(workdir)
            writer.add_file(SQLITE_FILE if vendor == "sqlite" else PG_FILE, snapshot)
            store = document_store()
            documents = 0
            for address in store.addresses():
                writer.add_file(f"documents/{address[:2]}/{address}", store.path_for(address))
                documents += 1
            keyring = get_keyring()
            writer.add_bytes(KEYRING_FILE, keyring.export())
            writer.close(
                {
                    "format": 1,
                    "created_at": clock.now().isoformat(),
                    "database": {"vendor": vendor, "row_counts": counts},
                    "keyring_id": keyring.keyring_id,
                    "members": writer.members,
                }
            )
    except BaseException:
        writer.abort()
        raise
    logger.info("vault: backup %s written (%s documents)", target.name, documents)
    return BackupResult(
        path=target,
        size=target.stat().st_size,
        vendor=vendor,
        row_counts=counts,
        documents=documents,
        seconds=time.perf_counter() - started,
    )


# ------------------------------------------------------------------ unpacking and checking
def _unpack(path: Path, passphrase: str, into: Path) -> dict[str, Any]:
    """Decrypt and extract an archive into ``into``; every member's SHA-256 and size must match the
    manifest and nothing may be missing or extra. Returns the manifest."""
    if not path.is_file():
        raise VaultError(VaultErrorCode.BACKUP_FORMAT, f"{path.name} is not a file")
    seen: dict[str, dict[str, object]] = {}
    manifest: dict[str, Any] | None = None
    for name, member in read_archive(path, passphrase=passphrase):
        if manifest is not None:
            raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{path.name} has members after its manifest")
        if name == "manifest.json":
            manifest = json.loads(member.read())
            continue
        target = into / name
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest, size = hashlib.sha256(), 0
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := member.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
        seen[name] = {"sha256": digest.hexdigest(), "size": size}
    if manifest is None:
        raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{path.name} has no manifest (truncated)")
    expected = manifest.get("members", {})
    if set(expected) != set(seen):
        raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{path.name} does not hold the files its manifest lists")
    for name, facts in expected.items():
        if facts != seen[name]:
            raise VaultError(VaultErrorCode.BACKUP_CORRUPT, f"{name} in {path.name} does not match its hash")
    return manifest


@contextmanager
def _restored_database(manifest: dict[str, Any], unpacked: Path) -> Iterator[str]:
    """The unpacked database as a usable ``RECORDROOM_DATABASE_URL`` (a temporary PostgreSQL database is
    created for a pg_dump and dropped afterwards)."""
    vendor = manifest["database"]["vendor"]
    if vendor == "sqlite":
        path = unpacked / SQLITE_FILE
        with sqlite3.connect(path) as db:
            status = db.execute("PRAGMA integrity_check").fetchone()[0]
        db.close()
        if status != "ok":
            raise VaultError(VaultErrorCode.BACKUP_CORRUPT, "the database in the backup fails its integrity check")
        yield f"sqlite:///{path}"
        return
    if connection.vendor != "postgresql":
        raise VaultError(
            VaultErrorCode.BACKUP_CHECK_FAILED,
            "a PostgreSQL backup is verified on a PostgreSQL server: set RECORDROOM_DATABASE_URL",
        )
    params = pg_settings()
    name = f"rr_verify_{uuid.uuid4().hex[:12]}"
    admin = pg_connect(params)
    admin.autocommit = True
    try:
        admin.execute(f"CREATE DATABASE {quote_name(name)}")
        try:
            run_tool(
                [
                    pg_tool("pg_restore"),
                    *pg_args(params),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    "--single-transaction",
                    f"--dbname={name}",
                    str(unpacked / PG_FILE),
                ],
                pg_env(params),
                "pg_restore into the temporary database",
            )
            yield pg_url(params, name)
        finally:
            admin.execute(f"DROP DATABASE IF EXISTS {quote_name(name)} WITH (FORCE)")
    finally:
        admin.close()


def _check_in_subprocess(database_url: str, unpacked: Path) -> dict[str, Any]:
    """Run ``backup checks`` in a separate process pointed at the restored copy (its database, keyring and
    document store), so nothing of this process's configuration can leak into the result."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("RECORDROOM_VAULT_KEYRING")}
    home = unpacked / "home"
    home.mkdir(mode=0o700, exist_ok=True)
    env.update(
        {
            "RECORDROOM_HOME": str(home),
            "RECORDROOM_DATABASE_URL": database_url,
            "RECORDROOM_KEYRING_PATH": str(unpacked / KEYRING_FILE),
            "RECORDROOM_DOCUMENT_STORE": str(unpacked / "documents"),
            "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", settings.SETTINGS_MODULE),
        }
    )
    args = [sys.executable, "-m", "django", "backup", "checks", "--json"]
    for check in settings.RECORDROOM_BACKUP_CHECKS:
        args += ["--check", check]
    completed = subprocess.run(  # noqa: S603
        args, env=env, capture_output=True, check=False, timeout=CHECK_TIMEOUT_S, cwd=unpacked
    )
    try:
        report: dict[str, Any] = json.loads(completed.stdout)
    except ValueError:
        last = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise VaultError(
            VaultErrorCode.BACKUP_CHECK_FAILED, f"the restored copy could not be checked: {last[0][:300]}"
        ) from None
    return report


def _verify_into(path: Path, passphrase: str, workdir: Path) -> tuple[dict[str, Any], VerifyResult]:
    manifest = _unpack(path, passphrase, workdir)
    (workdir / "documents").mkdir(exist_ok=True, mode=0o700)
    with _restored_database(manifest, workdir) as url:
        report = _check_in_subprocess(url, workdir)
    expected_counts = manifest["database"]["row_counts"]
    if "error" in report:  # the checking process itself failed (it says why)
        problems = [str(report["error"])]
    else:
        problems = [f"{c['name']}: {c['message']}" for c in report.get("checks", []) if not c.get("ok")]
        restored_counts = report.get("row_counts", {})
        for table, count in expected_counts.items():
            if restored_counts.get(table) != count:
                problems.append(f"row count of {table}: {restored_counts.get(table)} restored, {count} backed up")
    if problems:
        raise VaultError(
            VaultErrorCode.BACKUP_CHECK_FAILED, f"{path.name} failed verification: " + "; ".join(problems[:5])
        )
    documents = sum(1 for name in manifest["members"] if name.startswith("documents/"))
    return manifest, VerifyResult(
        path=path,
        vendor=manifest["database"]["vendor"],
        row_counts=expected_counts,
        documents=documents,
        checks=report.get("checks", []),
    )


def verify_backup(path: Path, *, passphrase: str) -> VerifyResult:
    """Restore ``path`` into a temporary place, check everything, remove it; raise a named VaultError on
    any problem (``backup_format``, ``backup_wrong_key``, ``backup_corrupt``, ``backup_check_failed``)."""
    with _workdir(scratch_dir()) as workdir:
        result = _verify_into(path, passphrase, workdir)[1]
    logger.info("vault: backup %s verified", path.name)
    return result


def _holds_records() -> bool:
    """Whether this machine's database already holds records: any data key, blob or user account.

    (Other apps' migrations may seed bookkeeping rows, so "any row anywhere" would call every migrated
    database full.)
    """
    from django.contrib.auth import get_user_model

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
    models: list[type[Model]] = [DataKey, Blob, get_user_model()]
    return any(model._meta.db_table in tables and model._default_manager.exists() for model in models)


@dataclass
class _Rollback:
    added_blobs: list[Path] = field(default_factory=list)
    keyring_path: Path | None = None
    keyring_before: bytes | None = None

    def undo(self) -> None:
        for path in self.added_blobs:
            path.unlink(missing_ok=True)
        if self.keyring_path is not None:
            if self.keyring_before is None:
                self.keyring_path.unlink(missing_ok=True)
            else:
                write_private_file(self.keyring_path, self.keyring_before)


def _install_blobs(unpacked: Path, undo: _Rollback) -> int:
    store = document_store()
    source_root = unpacked / "documents"
    added = 0
    for folder in sorted(source_root.iterdir()) if source_root.exists() else []:
        for source in sorted(folder.iterdir()):
            target = store.path_for(source.name)
            if target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            partial = target.with_name(target.name + ".part")
            shutil.copyfile(source, partial)
            partial.chmod(0o600)
            partial.replace(target)
            undo.added_blobs.append(target)
            added += 1
    return added


def _install_keyring(unpacked: Path, undo: _Rollback, *, force: bool) -> None:
    restored = FileKeyring.parse((unpacked / KEYRING_FILE).read_bytes(), path=None)
    current = get_keyring_if_present()
    if current is not None and current.keyring_id != restored.keyring_id and not force:
        raise VaultError(
            VaultErrorCode.RESTORE_REFUSED,
            "this machine already has a different vault keyring; restore with --force to replace it",
        )
    if current is not None and current.keyring_id == restored.keyring_id and current.path is None:
        return  # the environment already supplies this keyring
    if current is not None and current.path is None:
        raise VaultError(
            VaultErrorCode.RESTORE_REFUSED,
            "the keyring comes from RECORDROOM_VAULT_KEYRING: set it to the backup's keyring instead",
        )
    path = Path(settings.RECORDROOM_VAULT_KEYRING_PATH)
    undo.keyring_path = path
    undo.keyring_before = path.read_bytes() if path.exists() else None
    write_private_file(path, (unpacked / KEYRING_FILE).read_bytes())


def get_keyring_if_present() -> FileKeyring | None:
    """The configured keyring if one exists, without generating one (restore must not invent keys)."""
    from recordroom.config import get_secret

    env_value = get_secret("VAULT_KEYRING")
    if env_value is not None:
        return FileKeyring.parse(env_value.encode("utf-8"), path=None)
    path = Path(settings.RECORDROOM_VAULT_KEYRING_PATH)
    if not path.exists():
        return None
    return FileKeyring.parse(path.read_bytes(), path=path)


def _install_database(manifest: dict[str, Any], unpacked: Path) -> None:
    vendor = manifest["database"]["vendor"]
    if vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        if name == ":memory:" or name.startswith("file:"):
            raise VaultError(VaultErrorCode.RESTORE_REFUSED, "an in-memory database cannot be restored into")
        target = Path(name)
        connections.close_all()
        staged = target.with_name(f".{target.name}.restore")
        shutil.copyfile(unpacked / SQLITE_FILE, staged)
        staged.chmod(0o600)
        if target.exists():
            target.replace(target.with_name(f"{target.name}.pre-restore-{clock.now():%Y%m%dT%H%M%SZ}"))
        for suffix in ("-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        staged.replace(target)
        return
    params = pg_settings()
    with connection.cursor() as cursor:
        has_tables = bool(connection.introspection.table_names(cursor))
    connections.close_all()
    run_tool(
        [
            pg_tool("pg_restore"),
            *pg_args(params),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *(["--clean", "--if-exists"] if has_tables else []),
            f"--dbname={params['dbname']}",
            str(unpacked / PG_FILE),
        ],
        pg_env(params),
        "pg_restore",
    )


def restore_backup(path: Path, *, passphrase: str, force: bool = False) -> VerifyResult:
    """Verify ``path`` as :func:`verify_backup` does, then install its documents, keyring and database.

    Refused (``restore_refused``, nothing changed) when this machine's database already holds records or a
    different keyring, unless ``force``; with ``force`` an SQLite file is kept beside as ``.pre-restore-…``.
    If installing fails, the blobs and keyring written so far are taken back.
    """
    with _workdir(scratch_dir()) as workdir:
        manifest, result = _verify_into(path, passphrase, workdir)
        if manifest["database"]["vendor"] != connection.vendor:
            raise VaultError(
                VaultErrorCode.RESTORE_REFUSED,
                f"the backup holds a {manifest['database']['vendor']} database; this machine uses {connection.vendor}",
            )
        if not force and _holds_records():
            raise VaultError(
                VaultErrorCode.RESTORE_REFUSED,
                "this machine's database already holds records; restore into an empty one or use --force",
            )
        undo = _Rollback()
        try:
            _install_keyring(workdir, undo, force=force)
            _install_blobs(workdir, undo)
            _install_database(manifest, workdir)
        except BaseException:
            undo.undo()
            raise
        finally:
            clear_key_cache()
            forget_derived_keys()
        reload_keyring()
    logger.info("vault: backup %s restored", path.name)
    return result
