"""The synthetic hospital's documents, filed one at a time through ``documents.services.file_document``
(the documents service checks, seals into the encrypted blob store, and audits each), as the feed account.

Which encounters get documents: the most recent first (patients in house, then recent discharges), up to
the run's ``documents`` cap, each with the document types of its scenario (a history and physical, progress
notes, an operative report, a discharge summary once discharged...). The source key is ``seed:number:type``
so the same run filed again finds the documents it filed.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from recordroom.core.vocabulary import Purpose
from recordroom.documents.services import file_document
from recordroom.encounters.models import Encounter
from recordroom.interop.synthdata.notes import DOCUMENT_TITLES, NoteFacts, note_text
from recordroom.patients.services.demographics import display_name

if TYPE_CHECKING:
    from recordroom.interop.services.synth import _Builder
    from recordroom.interop.synthdata.plan import PlannedEncounter

SOURCE = "synth"


def file_synthetic_documents(builder: _Builder, limit: int) -> int:
    """File up to ``limit`` documents for the builder's written encounters; returns how many were filed."""
    if limit <= 0 or not builder.encounters:
        return 0
    rng = random.Random(builder.seed ^ 0xD0C5)  # noqa: S311  (synthetic text, not a secret)
    chosen: list[tuple[PlannedEncounter, list[str]]] = []
    total = 0
    for plan in sorted(builder.encounters, key=lambda p: (p.admitted_at, builder.numbers[id(p)]), reverse=True):
        types = [t for t in plan.scenario.documents if t != "discharge_summary" or not plan.in_house]
        if total + len(types) > limit:
            break
        chosen.append((plan, types))
        total += len(types)
    numbers = [builder.numbers[id(plan)] for plan, _ in chosen]
    rows = Encounter.objects.filter(number__in=numbers).select_related("patient", "attending")
    by_number = {row.number: row for row in rows}
    filed = 0
    for plan, types in chosen:
        number = builder.numbers[id(plan)]
        encounter = by_number[number]
        patient = encounter.patient
        diagnoses, procedures = builder.codes_by_number[number]
        age = max(0, (plan.admitted_at.date() - patient.date_of_birth).days // 365)
        facts = NoteFacts(
            patient_name=display_name(patient), age=age, sex=patient.administrative_sex, principal=diagnoses[0],
            secondary=tuple(diagnoses[1:]), procedures=tuple(procedures), author=encounter.attending.display_name,
            admitted_at=plan.admitted_at, discharged_at=plan.discharged_at, disposition=plan.disposition,
        )  # fmt: skip
        for document_type in types:
            text = note_text(document_type, facts, rng)
            ended = document_type == "discharge_summary" and plan.discharged_at is not None
            when = plan.discharged_at if ended and plan.discharged_at else plan.admitted_at
            file_document(
                actor=builder.feed, purpose=Purpose.OPERATIONS, patient_id=patient.public_id,
                encounter_id=encounter.public_id, document_type=document_type,
                title=DOCUMENT_TITLES[document_type], content=text.encode("utf-8"), media_type="text/plain",
                service_date=when, author=encounter.attending, author_name=None, source=SOURCE,
                source_key=f"{builder.seed}:{number}:{document_type}",
            )  # fmt: skip
            filed += 1
    return filed
