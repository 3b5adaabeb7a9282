"""The synthetic hospital's documents: filed through the documents service for the most recent encounters,
of the types their scenario produces, with text that reads like that type, within the cap."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core import clock
from recordroom.core.vocabulary import Purpose, Relationship
from recordroom.documents.models import Document
from recordroom.documents.services.lookup import read_text
from recordroom.encounters.models import Encounter
from recordroom.interop.services import synthesize_hospital

pytestmark = pytest.mark.django_db(transaction=True)
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HEADINGS = {
    "history_and_physical": "CHIEF COMPLAINT", "progress_note": "S: ", "discharge_summary": "HOSPITAL COURSE",
    "operative_report": "PREOPERATIVE DIAGNOSIS", "emergency_department_record": "TRIAGE",
    "consultation": "REASON FOR CONSULTATION",
}  # fmt: skip


def test_documents_are_filed_for_the_latest_encounters_with_text_of_their_type():
    admin = make_user([Role.SYSADMIN]).user
    with clock.frozen(AT):
        result = synthesize_hospital(actor=admin, patients=150, seed=3, documents=25)
    documents = list(Document.objects.select_related("encounter"))
    assert len(documents) == result.counts["documents"]
    assert 0 < len(documents) <= 25
    assert {d.source for d in documents} == {"synth"}
    newest = Encounter.objects.order_by("-admitted_at").first()
    assert newest is not None
    assert any(d.encounter_id == newest.pk for d in documents)
    reader = make_user([Role.PHYSICIAN]).user
    for document in documents[:6]:
        assert document.document_type in HEADINGS
        version = read_text(actor=reader, purpose=Purpose.TREATMENT, document=document,
                            relationships=frozenset({Relationship.CARE_TEAM}))  # fmt: skip
        assert HEADINGS[document.document_type] in (version.text or "")


def test_no_documents_when_the_cap_is_zero():
    admin = make_user([Role.SYSADMIN]).user
    with clock.frozen(AT):
        result = synthesize_hospital(actor=admin, patients=60, seed=4, documents=0)
    assert result.counts["documents"] == 0
    assert not Document.objects.exists()
