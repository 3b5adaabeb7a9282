"""Factories for the documents tests: documents are filed through the real ``file_document`` service by a
real clerk or physician, so every row a test sees was checked, sealed, indexed and audited the way
production does it (STYLE R10)."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Any

from recordroom.accounts.models import User
from recordroom.accounts.roles import Role
from recordroom.accounts.tests.factories import make_user
from recordroom.core.vocabulary import Purpose
from recordroom.documents.models import Document
from recordroom.documents.services import file_document
from recordroom.encounters.models import Encounter
from recordroom.encounters.tests.factories import make_encounter
from recordroom.patients.models import Patient

SERVICE_DATE = datetime(2026, 1, 6, 9, 30, tzinfo=UTC)
NOTE = b"Patient seen on rounds. Afebrile. Lungs clear to auscultation. Plan: continue ceftriaxone."


def make_clerk() -> User:
    return make_user([Role.HIM_CLERK]).user


def make_doctor() -> User:
    return make_user([Role.PHYSICIAN]).user


def file_as(actor: User | None, purpose: Purpose = Purpose.OPERATIONS, **overrides: Any) -> Document:
    """File a document through ``file_document`` (a progress note on a new encounter unless overridden)."""
    encounter: Encounter | None = overrides.pop("encounter", None)
    patient: Patient | None = overrides.pop("patient", None)
    if encounter is None and patient is None:
        encounter = make_encounter()
    if patient is None:
        assert encounter is not None
        patient = encounter.patient
    values: dict[str, Any] = {
        "patient_id": patient.public_id,
        "encounter_id": encounter.public_id if encounter is not None else None,
        "document_type": "progress_note",
        "title": "Progress note",
        "content": NOTE,
        "media_type": "text/plain",
        "service_date": SERVICE_DATE,
        "author": None,
        "author_name": "Dr. Outside Author",
        "source": "manual",
        "source_key": None,
    }
    values.update(overrides)
    filed = file_document(actor=actor, purpose=purpose, **values)
    return Document.objects.select_related("patient", "encounter").get(public_id=filed.public_id)


def make_document(**overrides: Any) -> Document:
    """A progress note filed by a new clerk."""
    return file_as(make_clerk(), **overrides)


def authored_note(**overrides: Any) -> tuple[Document, User]:
    """A note written by the encounter's attending physician (care team), unsigned."""
    encounter: Encounter = overrides.pop("encounter", None) or make_encounter()
    doctor = encounter.attending
    document = file_as(doctor, Purpose.TREATMENT, encounter=encounter, author=doctor, author_name=None, **overrides)
    return document, doctor


def png_with_text(text: str, *, size: tuple[int, int] = (900, 140)) -> bytes:
    """A PNG with ``text`` drawn large enough for Tesseract to read."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", size, color=255)
    draw = ImageDraw.Draw(image)
    try:
        font: Any = ImageFont.load_default(size=48)
    except TypeError:  # older Pillow: no sized default font
        font = ImageFont.load_default()
    draw.text((20, 40), text, fill=0, font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def encounter_of(document: Document) -> Encounter:
    """The document's encounter (the factories always file into one)."""
    encounter = document.encounter
    assert encounter is not None
    return Encounter.objects.get(pk=encounter.pk)
