"""Database snapshots for backups: the SQLite online backup API (https://sqlite.org/backup.html) or
``pg_dump`` inside an exported snapshot, so the row counts written to the manifest and the dump agree
(PostgreSQL 15 docs, "pg_export_snapshot"; HIPAA 164.308(a)(7)(ii)(A) exact copies of ePHI).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django.db import connection

from recordroom.vault.errors import VaultError, VaultErrorCode


def quote_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# ------------------------------------------------------------------ database snapshots
def sqlite_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as db:
        names = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {name: db.execute(f"SELECT COUNT(*) FROM {quote_name(name)}").fetchone()[0] for name in names}  # noqa: S608


def pg_settings() -> dict[str, str]:
    source = connection.settings_dict
    return {
        "dbname": str(source["NAME"]),
        "user": str(source.get("USER") or ""),
        "password": str(source.get("PASSWORD") or ""),
        "host": str(source.get("HOST") or ""),
        "port": str(source.get("PORT") or ""),
    }


def pg_env(params: dict[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    if params["password"]:
        env["PGPASSWORD"] = params["password"]
    return env


def pg_args(params: dict[str, str]) -> list[str]:
    args = []
    if params["host"]:
        args += ["--host", params["host"]]
    if params["port"]:
        args += ["--port", params["port"]]
    if params["user"]:
        args += ["--username", params["user"]]
    return args


def pg_connect(params: dict[str, str], *, dbname: str | None = None) -> Any:
    import psycopg

    kwargs: dict[str, Any] = {key: value for key, value in params.items() if value and key != "dbname"}
    return psycopg.connect(dbname=dbname or params["dbname"], **kwargs)


def pg_url(params: dict[str, str], dbname: str) -> str:
    credentials = quote(params["user"], safe="")
    if params["password"]:
        credentials += ":" + quote(params["password"], safe="")
    host = params["host"] or "localhost"
    port = f":{params['port']}" if params["port"] else ""
    return f"postgresql://{credentials}@{host}{port}/{quote(dbname, safe='')}"


def pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise VaultError(VaultErrorCode.BACKUP_TOOL_FAILED, f"{name} is not installed (PostgreSQL client tools)")
    return found


def run_tool(args: list[str], env: dict[str, str], what: str) -> None:
    completed = subprocess.run(args, env=env, capture_output=True, check=False)  # noqa: S603
    if completed.returncode != 0:
        last = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        raise VaultError(VaultErrorCode.BACKUP_TOOL_FAILED, f"{what} failed: {last[0][:300]}")


def snapshot_database(workdir: Path) -> tuple[str, Path, dict[str, int]]:
    """Write a consistent copy of the database into ``workdir``: (vendor, file, row counts)."""
    if connection.vendor == "sqlite":
        target = workdir / "db.sqlite3"
        connection.ensure_connection()
        source = connection.connection
        with sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
        return "sqlite", target, sqlite_counts(target)
    if connection.vendor == "postgresql":
        params = pg_settings()
        target = workdir / "db.pgdump"
        pg_dump = pg_tool("pg_dump")
        with pg_connect(params) as snapshot_conn:
            snapshot_conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            snapshot_id = snapshot_conn.execute("SELECT pg_export_snapshot()").fetchone()[0]
            tables = [
                row[0]
                for row in snapshot_conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename"
                )
            ]
            counts = {
                name: snapshot_conn.execute(f"SELECT COUNT(*) FROM {quote_name(name)}").fetchone()[0]  # noqa: S608
                for name in tables
            }
            run_tool(
                [
                    pg_dump,
                    *pg_args(params),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot_id}",
                    f"--file={target}",
                    params["dbname"],
                ],
                pg_env(params),
                "pg_dump",
            )
            snapshot_conn.rollback()
        return "postgresql", target, counts
    raise VaultError(
        VaultErrorCode.BACKUP_TOOL_FAILED, f"backups support SQLite and PostgreSQL, not {connection.vendor}"
    )
