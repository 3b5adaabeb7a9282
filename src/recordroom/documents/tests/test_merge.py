"""A patient merge moves the retired record's documents, scans and amendment requests to the survivor and
an unmerge moves exactly those back; the bodies open unchanged (each document keeps its own key)."""

from __future__ import annotations

from datetime import date

import pytest

from recordroom.core.vocabulary import Purpose
from recordroom.documents.models import AmendmentRequest, Document, DocumentVersion
from recordroom.documents.services import read_text, request_amendment
from recordroom.documents.tests.factories import NOTE, file_as, make_clerk
from recordroom.patients.services.merging import merge_patients, unmerge_patients
from recordroom.patients.tests.factories import make_patient
from recordroom.vault.services import read_document

pytestmark = pytest.mark.django_db
OPS = Purpose.OPERATIONS


def test_merge_and_unmerge_move_documents_without_reencryption():
    clerk = make_clerk()
    survivor = make_patient(actor=clerk)
    retired = make_patient(actor=clerk)
    document = file_as(clerk, patient=retired)
    amendment = request_amendment(
        actor=clerk, purpose=OPS, document=document, received_on=date(2026, 1, 2), requested_change="Fix it."
    )
    version = DocumentVersion.objects.get(document=document)
    merge = merge_patients(
        actor=clerk, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason="duplicate"
    )
    document.refresh_from_db()
    assert document.patient_id == survivor.pk
    assert AmendmentRequest.objects.get(pk=amendment.pk).patient_id == survivor.pk
    assert read_document(DocumentVersion.objects.get(pk=version.pk).blob_address) == NOTE
    assert Document.objects.get(pk=document.pk).title == "Progress note"
    unmerge_patients(actor=clerk, purpose=OPS, merge_id=merge.public_id, reason="not the same person")
    document.refresh_from_db()
    assert document.patient_id == retired.pk
    assert AmendmentRequest.objects.get(pk=amendment.pk).patient_id == retired.pk


def test_the_survivors_physician_reads_a_moved_document():
    from recordroom.encounters.tests.factories import make_encounter

    clerk = make_clerk()
    encounter = make_encounter()
    survivor = encounter.patient
    retired = make_patient(actor=clerk)
    document = file_as(clerk, patient=retired)
    merge_patients(
        actor=clerk, purpose=OPS, survivor_id=survivor.public_id, retired_id=retired.public_id, reason="duplicate"
    )
    document.refresh_from_db()
    version = read_text(actor=encounter.attending, purpose=Purpose.TREATMENT, document=document)
    assert version.text == NOTE.decode()
