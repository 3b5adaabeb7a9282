"""Audit reports: time period [from, to), filters, sorting by each field, refusals, and the report
run itself audited (RULES.md ONC-07)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.audit.selectors import SORTABLE, AuditQuery, audit_events_visible_to
from recordroom.audit.tests.factories import record_events
from recordroom.core import clock

pytestmark = pytest.mark.django_db

JAN = datetime(2025, 1, 1, tzinfo=UTC)
FEB = datetime(2025, 2, 1, tzinfo=UTC)


@pytest.fixture
def officer():
    return make_user([Role.PRIVACY_OFFICER], enrolled=False).user


def test_report_covers_from_inclusive_to_exclusive(officer):
    for moment in (JAN - timedelta(microseconds=1), JAN, FEB - timedelta(microseconds=1), FEB):
        with clock.frozen(moment):
            record_events(1)
    query = AuditQuery(start=JAN, end=FEB, sort="seq", event_type="sample.record_read")
    events, total = audit_events_visible_to(officer, query)
    assert total == 2
    assert [e.occurred_at for e in events] == [JAN, FEB - timedelta(microseconds=1)]


def test_report_by_patient_and_user(officer):
    clerk = make_user([Role.HIM_CLERK], enrolled=False).user
    record_events(2, patient_id=5, actor=clerk)
    record_events(3, patient_id=6)
    events, total = audit_events_visible_to(officer, AuditQuery(patient_id=5, actor_id=clerk.pk))
    assert total == 2
    assert {e.patient_id for e in events} == {5}


@pytest.mark.parametrize("field", SORTABLE)
def test_report_sorts_by_every_field(officer, field):
    record_events(3, patient_id=2)
    record_events(2, patient_id=1)
    ascending, _ = audit_events_visible_to(officer, AuditQuery(sort=field, event_type="sample.record_read"))
    keys = [getattr(e, field) for e in ascending]
    assert keys == sorted(keys, key=lambda v: (v is None, v))
    descending, _ = audit_events_visible_to(officer, AuditQuery(sort=f"-{field}", event_type="sample.record_read"))
    assert [getattr(e, field) for e in descending] == sorted(keys, key=lambda v: (v is None, v), reverse=True)


def test_the_report_run_is_itself_audited(officer):
    record_events(1)
    audit_events_visible_to(officer, AuditQuery(patient_id=1))
    viewed = AuditEvent.objects.get(event_type="audit.trail_viewed")
    assert viewed.actor_id == officer.pk
    assert viewed.patient_id == 1
    assert viewed.detail_data["rows"] == 1


@pytest.mark.parametrize("role", [Role.CODER, Role.SYSADMIN, Role.HIM_CLERK])
def test_roles_without_audit_permission_are_refused_and_recorded(role):
    user = make_user([role], enrolled=False).user
    record_events(1)
    with pytest.raises(AccessDeniedError):
        audit_events_visible_to(user, AuditQuery())
    denied = AuditEvent.objects.get(event_type="access.denied")
    assert denied.actor_id == user.pk
    assert denied.resource_type == "audit_trail"
    assert not AuditEvent.objects.filter(event_type="audit.trail_viewed").exists()
