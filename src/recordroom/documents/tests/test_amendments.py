"""Amendment requests (45 CFR 164.526): computed deadlines with the one extension, accept (amendment version
linked, whom to notify) or deny (basis, disagreement, rebuttal), all linked; refusals recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose
from recordroom.documents.errors import DocumentsError, DocumentsErrorCode
from recordroom.documents.models import AmendmentRequest, AmendmentStatus, DocumentStatus, DocumentVersion, VersionKind
from recordroom.documents.services import (
    accept_amendment,
    amendment_worklist,
    deny_amendment,
    due_date,
    extend_amendment,
    extended_due_date,
    record_disagreement,
    record_rebuttal,
    request_amendment,
)
from recordroom.documents.services.amendments import extension_allowed
from recordroom.documents.tests.factories import authored_note, make_clerk
from recordroom.vault.services import read_document

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS
TODAY = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2025, 3, 3), date(2025, 5, 2)),  # 164.526(b)(2)(i): 60 calendar days, day of receipt is day 0
        (date(2025, 1, 31), date(2025, 4, 1)),
        (date(2024, 12, 31), date(2025, 3, 1)),
    ],
)
def test_the_due_date_is_60_days_after_receipt(received, due):
    assert due_date(received) == due


def test_one_extension_of_30_days_only_within_the_first_60_days():
    received = date(2025, 3, 3)
    assert extended_due_date(received) == date(2025, 6, 1)
    assert extended_due_date(received, date(2025, 5, 20)) == date(2025, 5, 20)  # the promised date if earlier
    assert extension_allowed(received, date(2025, 5, 2), already_extended=False)
    assert not extension_allowed(received, date(2025, 5, 3), already_extended=False)
    assert not extension_allowed(received, date(2025, 4, 1), already_extended=True)


def _request(clerk, document, received=date(2025, 3, 3)):
    return request_amendment(
        actor=clerk, purpose=OPS, document=document, received_on=received,
        requested_change="My allergy is to penicillin, not sulfa.", reason="The note is wrong.",
    )  # fmt: skip


def test_accepting_appends_an_amendment_version_linked_and_records_whom_to_notify():
    document, _doctor = authored_note()
    clerk = make_clerk()
    with clock.frozen(TODAY):
        amendment = _request(clerk, document)
        assert (amendment.due_on, amendment.status) == (date(2025, 5, 2), AmendmentStatus.OPEN)
        version = accept_amendment(
            actor=clerk, purpose=OPS, amendment=amendment, content=b"Amendment: allergy to penicillin.",
            media_type="text/plain", notify=["Dr. Referring Physician", "Community pharmacy"],
        )  # fmt: skip
    document.refresh_from_db()
    assert (version.kind, version.number, version.replaces_id) == (
        VersionKind.AMENDMENT, 2, DocumentVersion.objects.get(document=document, number=1).pk,
    )  # fmt: skip
    assert (document.current_version, document.status) == (2, DocumentStatus.AMENDED)
    assert read_document(DocumentVersion.objects.get(document=document, number=1).blob_address).startswith(b"Patient")
    amendment.refresh_from_db()
    assert (amendment.status, amendment.amendment_version_id, amendment.notify) == (
        AmendmentStatus.ACCEPTED, version.pk, ["Dr. Referring Physician", "Community pharmacy"],
    )  # fmt: skip
    event = AuditEvent.objects.get(event_type="documents.amendment_accepted")
    assert event.detail_data == {"amendment_id": str(amendment.public_id), "version": 2, "notify": 2, "late": True}
    assert "penicillin" not in event.detail


def test_denial_with_basis_then_disagreement_and_rebuttal_all_linked():
    document, _doctor = authored_note()
    clerk = make_clerk()
    with clock.frozen(datetime(2025, 3, 20, 12, tzinfo=UTC)):
        amendment = _request(clerk, document)
        extend_amendment(
            actor=clerk, purpose=OPS, amendment=amendment, notice_on=date(2025, 3, 20), reason="Author on leave."
        )
        assert (amendment.status, amendment.due_on) == (AmendmentStatus.EXTENDED, date(2025, 6, 1))
        with pytest.raises(DocumentsError) as twice:
            extend_amendment(actor=clerk, purpose=OPS, amendment=amendment, notice_on=date(2025, 3, 20), reason="x")
        assert twice.value.code is DocumentsErrorCode.ALREADY_EXTENDED
        with pytest.raises(DocumentsError) as bad_basis:
            deny_amendment(actor=clerk, purpose=OPS, amendment=amendment, basis="we_disagree", explanation="x")
        assert (bad_basis.value.code, bad_basis.value.field) == (DocumentsErrorCode.INVALID_BASIS, "basis")
        deny_amendment(
            actor=clerk, purpose=OPS, amendment=amendment, basis="accurate_complete",
            explanation="The allergy was confirmed by testing.",
        )  # fmt: skip
        record_disagreement(
            actor=clerk, purpose=OPS, amendment=amendment, received_on=date(2025, 3, 20), statement="I disagree."
        )
        record_rebuttal(
            actor=clerk, purpose=OPS, amendment=amendment, written_on=date(2025, 3, 20), rebuttal="Test attached."
        )
    amendment.refresh_from_db()
    assert (amendment.status, amendment.denial_basis, amendment.disagreement, amendment.rebuttal) == (
        AmendmentStatus.DENIED, "accurate_complete", "I disagree.", "Test attached.",
    )  # fmt: skip
    with pytest.raises(DocumentsError) as closed:
        accept_amendment(
            actor=clerk, purpose=OPS, amendment=amendment, content=b"x", media_type="text/plain", notify=[]
        )
    assert closed.value.code is DocumentsErrorCode.AMENDMENT_CLOSED
    events = AuditEvent.objects.filter(event_type__startswith="documents.amendment_").order_by("seq")
    assert [e.event_type for e in events] == [
        "documents.amendment_requested", "documents.amendment_extended", "documents.amendment_denied",
        "documents.amendment_disagreement", "documents.amendment_rebuttal",
    ]  # fmt: skip


def test_a_late_notice_of_delay_is_refused_and_changes_nothing():
    document, _doctor = authored_note()
    clerk = make_clerk()
    with clock.frozen(TODAY):
        amendment = _request(clerk, document)
        before = (amendment.due_on, amendment.status, AuditEvent.objects.count())
        with pytest.raises(DocumentsError) as late:
            extend_amendment(actor=clerk, purpose=OPS, amendment=amendment, notice_on=date(2025, 5, 3), reason="Busy.")
    assert (late.value.code, late.value.field) == (DocumentsErrorCode.DEADLINE_PASSED, "notice_on")
    amendment.refresh_from_db()
    assert (amendment.due_on, amendment.status, AuditEvent.objects.count()) == before


def test_the_worklist_is_by_due_date_and_refused_to_others():
    document, _doctor = authored_note()
    clerk = make_clerk()
    with clock.frozen(TODAY):
        later = _request(clerk, document, date(2025, 4, 1))
        sooner = _request(clerk, document, date(2025, 3, 1))
        assert [a.pk for a in amendment_worklist(actor=clerk, purpose=OPS)] == [sooner.pk, later.pk]
        with pytest.raises(DocumentsError) as future:
            _request(clerk, document, date(2025, 7, 1))
        assert future.value.field == "received_on"
    coder = make_user([Role.CODER]).user
    before = AmendmentRequest.objects.count()
    with pytest.raises(AccessDeniedError):
        request_amendment(
            actor=coder, purpose=OPS, document=document, received_on=date(2025, 3, 1), requested_change="x"
        )
    with pytest.raises(AccessDeniedError):
        amendment_worklist(actor=coder, purpose=OPS)
    assert AmendmentRequest.objects.count() == before
    assert AuditEvent.objects.filter(event_type="access.denied", actor_id=coder.pk, action="amend").count() == 2
