"""DESIGN.md invariant 3, proved: records with marker strings are written, backed up, key-rotated and
restored on another machine, and no byte written anywhere (database file and WAL, document store, backup,
logs, keys; a pg_dump on PostgreSQL) holds a marker in UTF-8, UTF-16 or base64."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from django.db import connection

from recordroom.vault.services.snapshots import pg_connect, pg_settings, pg_url, quote_name
from recordroom.vault.tests.machine import machine_env, new_markers, run_machine, scan


@pytest.fixture
def machines(tmp_path):
    """Build fresh "machines": a RECORDROOM_HOME each and an empty database of the suite's engine."""
    databases: list[str] = []

    def make(name: str) -> dict[str, str]:
        home = tmp_path / name
        home.mkdir()
        if connection.vendor == "postgresql":
            params = pg_settings()
            dbname = f"rr_machine_{uuid.uuid4().hex[:10]}"
            with pg_connect(params) as admin:
                admin.autocommit = True
                admin.execute(f"CREATE DATABASE {quote_name(dbname)}")
            databases.append(dbname)
            return machine_env(home, pg_url(params, dbname))
        return machine_env(home, f"sqlite:///{home}/recordroom.sqlite3")

    yield make
    for dbname in databases:
        with pg_connect(pg_settings()) as admin:
            admin.autocommit = True
            admin.execute(f"DROP DATABASE IF EXISTS {quote_name(dbname)} WITH (FORCE)")


def test_scanner_finds_every_encoding_of_a_marker(tmp_path):
    markers = new_markers()
    control = tmp_path / "control.bin"
    control.write_bytes(
        markers["family_name"].encode("utf-16-le")
        + b"|"
        + markers["ssn"].encode()
        + b"|"
        + base64.b64encode(b"x" + markers["sentence"].encode())
    )
    labels = {hit["needle"] for hit in scan([tmp_path], markers)["hits"]}
    assert {"family_name/utf-16-le", "ssn/utf-8", "sentence/b641"} <= labels


def test_no_marker_in_any_byte_written_and_restore_on_an_empty_machine(machines, tmp_path):
    markers = new_markers()
    marker_file = tmp_path / "markers.json"
    marker_file.write_text(json.dumps(markers))
    first = machines("first")
    planted = run_machine(first, "plant", str(marker_file), cwd=tmp_path)
    assert planted["hits"] == []
    assert planted["bytes"] > 100_000
    names = "\n".join(planted["files"])
    assert "/documents/" in names
    assert "/backups/" in names
    assert "/logs/recordroom.log" in names
    if planted["vendor"] == "sqlite":
        assert planted["wal_present"] is True
    else:
        assert "proof.sql" in names
    first_home = tmp_path / "first"
    assert scan([first_home], markers)["hits"] == []

    second = machines("second")
    run_machine(second, "restore", planted["backup"], cwd=tmp_path)
    read_back = run_machine(second, "read", str(marker_file), cwd=tmp_path)
    assert {key: read_back[key] for key in markers} == markers
    assert read_back["body"] == markers["sentence"]
    assert read_back["patients"] == 22
    assert scan([tmp_path / "second"], markers)["hits"] == []
