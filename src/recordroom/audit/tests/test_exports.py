"""CSV, FHIR R4 AuditEvent and RFC 5424 renderings of audit events."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fhir.resources.R4B.bundle import Bundle

from recordroom.audit.exports import CSV_COLUMNS, csv_lines, fhir_bundle, syslog_line
from recordroom.audit.models import AuditEvent
from recordroom.audit.services import AuditAction, Outcome, record
from recordroom.audit.tests.factories import SampleEvent, record_events
from recordroom.core.vocabulary import Purpose

pytestmark = pytest.mark.django_db


def test_csv_has_a_header_and_one_line_per_event():
    record_events(3, patient_id=9)
    rows = list(csv.reader(io.StringIO("".join(csv_lines(AuditEvent.objects.all())))))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [row[0] for row in rows[1:]] == ["1", "2", "3"]
    assert {row[CSV_COLUMNS.index("patient_id")] for row in rows[1:]} == {"9"}


def test_fhir_bundle_is_valid_r4_audit_events(person):
    record(
        SampleEvent.READ, action=AuditAction.READ, outcome=Outcome.DENIED, actor=person.user,
        purpose=Purpose.TREATMENT, resource_type="document", resource_id="d-1", patient_id=3,
        data_category="progress_note",
    )  # fmt: skip
    bundle = fhir_bundle(AuditEvent.objects.filter(event_type=SampleEvent.READ.value))
    parsed = Bundle.model_validate(bundle)
    assert parsed.entry is not None
    event: Any = parsed.entry[0].resource
    assert event.get_resource_type() == "AuditEvent"
    assert event.action == "R"
    assert event.outcome == "4"
    assert event.purposeOfEvent[0].coding[0].code == "TREAT"
    assert event.entity[0].what.identifier.value == "3"
    assert event.agent[0].who.identifier.value == str(person.user.pk)


def test_syslog_line_is_rfc5424():
    record_events(1)
    line = syslog_line(AuditEvent.objects.get())
    assert re.fullmatch(
        r"<109>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z recordroom recordroom - sample\.record_read "
        r'\[audit@32473 seq="1" type="sample\.record_read" .* hash="[0-9a-f]{64}"\]',
        line,
    )
