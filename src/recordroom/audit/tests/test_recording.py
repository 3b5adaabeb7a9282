"""audit.record(): registered types only, ids and codes only, consecutive sequence, chained hashes."""

from __future__ import annotations

import hashlib
from enum import StrEnum

import pytest
from django.db import IntegrityError, connection, transaction

from recordroom.audit.chain import CHAIN_COLUMNS, SEPARATOR
from recordroom.audit.errors import AuditError, AuditErrorCode
from recordroom.audit.models import GENESIS_HASH, AuditCheckpoint, AuditEvent
from recordroom.audit.services import AuditAction, Outcome, record, recorded_attempt
from recordroom.audit.tests.factories import SampleEvent, record_events
from recordroom.core.vocabulary import Purpose

pytestmark = pytest.mark.django_db


class Unregistered(StrEnum):
    X = "sample.never_registered"


def test_events_get_consecutive_numbers_and_a_hash_chain():
    seqs = record_events(3)
    assert seqs == [1, 2, 3]
    events = list(AuditEvent.objects.order_by("seq"))
    previous = GENESIS_HASH
    for event in events:
        values = []
        for column in CHAIN_COLUMNS:
            value = getattr(event, column)
            values.append("" if value is None else str(int(value)) if isinstance(value, bool) else str(value))
        expected = hashlib.sha256((previous + SEPARATOR.join(values)).encode()).hexdigest()
        assert event.hash == expected
        previous = event.hash


def test_event_fields_follow_astm_e2147(person):
    seq = record(
        SampleEvent.READ, action=AuditAction.READ, outcome=Outcome.SUCCESS, actor=person.user,
        purpose=Purpose.TREATMENT, resource_type="document", resource_id="d-9", patient_id=42,
        data_category="medication_list", detail={"count": 3},
    )  # fmt: skip
    event = AuditEvent.objects.get(seq=seq)
    assert event.actor_id == person.user.pk
    assert event.actor_roles == "him_clerk"
    assert event.patient_id == 42
    assert event.action == "read"
    assert event.data_category == "medication_list"
    assert event.purpose == "treatment"
    assert event.detail_data == {"count": 3}
    assert abs(event.occurred_at.timestamp() - __import__("time").time()) < 60


def test_unregistered_event_type_is_refused():
    with pytest.raises(AuditError) as caught:
        record(Unregistered.X, action=AuditAction.READ, outcome=Outcome.SUCCESS)
    assert caught.value.code is AuditErrorCode.UNKNOWN_EVENT_TYPE
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"detail": {"note": "patient John Smith said"}}, AuditErrorCode.INVALID_FIELD),
        ({"detail": {"ssn": "123-45-6789"}}, AuditErrorCode.PHI_IN_FREE_FIELD),
        ({"detail": {"contact": "jane@example.org"}}, AuditErrorCode.PHI_IN_FREE_FIELD),
        ({"detail": {"phone": "555-123-4567"}}, AuditErrorCode.PHI_IN_FREE_FIELD),
        ({"resource_id": "John Smith"}, AuditErrorCode.INVALID_FIELD),
        ({"data_category": "x" * 65}, AuditErrorCode.INVALID_FIELD),
        ({"detail": {"Bad Key": 1}}, AuditErrorCode.INVALID_FIELD),
        ({"detail": {"nested": {"a": 1}}}, AuditErrorCode.INVALID_FIELD),
        ({"detail": {"many": list(range(21))}}, AuditErrorCode.INVALID_FIELD),
    ],
)
def test_phi_looking_or_malformed_fields_are_refused(fields, code):
    with pytest.raises(AuditError) as caught:
        record(SampleEvent.READ, action=AuditAction.READ, outcome=Outcome.SUCCESS, **fields)
    assert caught.value.code is code
    assert not AuditEvent.objects.exists()


def test_events_roll_back_with_their_transaction():
    record_events(1)
    with pytest.raises(RuntimeError), transaction.atomic():
        record_events(2)
        raise RuntimeError("boom")
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == [1]
    assert record_events(1) == [2]


def test_recorded_attempt_records_the_failure_after_rollback():
    with (
        pytest.raises(ValueError, match="bad"),
        recorded_attempt(SampleEvent.READ, action=AuditAction.UPDATE, resource_type="document", patient_id=5),
    ):
        record_events(1, patient_id=5)
        raise ValueError("bad")
    events = list(AuditEvent.objects.all())
    assert len(events) == 1
    assert events[0].outcome == "failure"
    assert events[0].detail_data == {"error": "ValueError"}
    assert events[0].seq == 1


def test_rows_cannot_be_saved_or_deleted_through_the_orm():
    record_events(1)
    event = AuditEvent.objects.get()
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()


def test_postgresql_refuses_update_and_delete():
    """RULES.md ONC-05: an UPDATE on an audit row is refused by the database."""
    if connection.vendor != "postgresql":
        pytest.skip("the database triggers exist on PostgreSQL; on SQLite `audit verify` is the guard")
    record_events(1)
    for statement in ("UPDATE audit_auditevent SET outcome = 'denied'", "DELETE FROM audit_auditevent"):
        with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEvent.objects.get().outcome == "success"


def test_checkpoint_every_n_events(settings):
    settings.RECORDROOM_AUDIT_CHECKPOINT_EVERY = 5
    record_events(12)
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [1, 6, 11]


def test_checkpoint_at_least_once_a_minute(settings):
    from datetime import timedelta

    from recordroom.core import clock

    settings.RECORDROOM_AUDIT_CHECKPOINT_EVERY = 1000
    start = clock.now()
    with clock.frozen(start) as move_to:
        record_events(3)
        move_to(start + timedelta(seconds=59))
        record_events(1)
        move_to(start + timedelta(seconds=61))
        record_events(1)
    assert list(AuditCheckpoint.objects.values_list("seq", flat=True)) == [1, 5]


def test_duplicate_sequence_cannot_be_inserted():
    record_events(1)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditevent (seq, event_us, event_type, action, outcome, actor_roles, on_behalf_of, "
            "resource_type, resource_id, data_category, purpose, emergency, source_ip, user_agent, session_id, "
            "request_id, detail, hash) "
            "VALUES (1, 0, 'x', 'x', 'x', '', '', '', '', '', '', %s, '', '', '', '', '{}', 'h')",
            [False],
        )
