"""Signed checkpoints (RULES.md 8.2 (d)(2): "periodically anchored checkpoints").

A checkpoint signs (sequence, chain hash, time) with the Ed25519 key kept outside the database. One is
written every ``RECORDROOM_AUDIT_CHECKPOINT_EVERY`` events and whenever the last is older than
``RECORDROOM_AUDIT_CHECKPOINT_SECONDS`` (60) at the next event; ``recordroom audit checkpoint`` writes
one on demand (cron it every minute for idle periods) and can export it to a file outside the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from recordroom.audit import signing
from recordroom.core import clock


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    signed_us: int
    key_id: str
    signature: str

    def as_json(self) -> str:
        return json.dumps(
            {"seq": self.seq, "hash": self.hash, "signed_us": self.signed_us, "key_id": self.key_id,
             "signature": self.signature},
            sort_keys=True,
        )  # fmt: skip


def checkpoint_due(seq: int, event_us: int, last_seq: int, last_us: int) -> bool:
    every = int(getattr(settings, "RECORDROOM_AUDIT_CHECKPOINT_EVERY", 1000))
    seconds = int(getattr(settings, "RECORDROOM_AUDIT_CHECKPOINT_SECONDS", 60))
    return seq - last_seq >= every or event_us - last_us >= seconds * 1_000_000


def insert_checkpoint(cursor: Any, seq: int, chain_hash: str, signed_us: int) -> Checkpoint:
    signature = signing.sign(signing.checkpoint_message(seq, chain_hash, signed_us))
    checkpoint = Checkpoint(seq, chain_hash, signed_us, signing.current_key_id(), signature)
    cursor.execute(
        "INSERT INTO audit_auditcheckpoint (seq, hash, signed_us, key_id, public_key, signature) "
        "VALUES (%s, %s, %s, %s, %s, %s)",
        [seq, chain_hash, signed_us, checkpoint.key_id, signing.current_public_hex(), signature],
    )
    return checkpoint


def write_checkpoint(*, export_to: Path | None = None) -> Checkpoint | None:
    """Sign the current head now (unless it is already signed); append it to ``export_to`` (one JSON
    line per checkpoint) so the head is anchored outside the database. ``None`` on an empty trail."""
    lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash, checkpoint_seq FROM audit_audithead WHERE id = 1" + lock)  # noqa: S608
        head = cursor.fetchone()
        if head is None or int(head[0]) == 0:
            return None
        seq, chain_hash, checkpoint_seq = int(head[0]), str(head[1]), int(head[2])
        if checkpoint_seq == seq:
            cursor.execute(
                "SELECT seq, hash, signed_us, key_id, signature FROM audit_auditcheckpoint WHERE seq = %s",
                [seq],
            )
            found = cursor.fetchone()
            checkpoint = Checkpoint(int(found[0]), str(found[1]), int(found[2]), str(found[3]), str(found[4]))
        else:
            now_us = clock.to_microseconds(clock.now())
            checkpoint = insert_checkpoint(cursor, seq, chain_hash, now_us)
            cursor.execute(
                "UPDATE audit_audithead SET checkpoint_seq = %s, checkpoint_us = %s WHERE id = 1",
                [seq, now_us],
            )
    if export_to is not None:
        with export_to.open("a", encoding="utf-8") as handle:
            handle.write(checkpoint.as_json() + "\n")
    return checkpoint
