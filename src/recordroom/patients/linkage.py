"""Which rows belong to a patient, declared by the apps that own them.

``patients`` sits below ``encounters`` and ``documents`` in the layers (DESIGN.md), so it cannot import
their models. Each owning app declares its patient-linked models here from its ``AppConfig.ready()``
(``register_patient_link("encounters.Encounter")``); a merge moves every declared row from the retired
record to the surviving one and records each move, and an unmerge moves exactly those rows back.

A merge moves rows with ``QuerySet.update(<field>=survivor)`` inside its transaction (no ``save()``, no
signals), so a linked model must allow updating that one column; rows sealed under the patient's data key
keep their key (the vault subject is a column of the row, not derived from the foreign key). Register the
row that names the patient (``Document``), not its append-only children (``DocumentVersion``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.db import models


@dataclass(frozen=True)
class PatientLink:
    """A model whose rows name a patient in ``field`` (a foreign key to ``patients.Patient``)."""

    model_label: str
    field: str = "patient"

    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)


_LINKS: dict[str, PatientLink] = {}


def register_patient_link(model_label: str, field: str = "patient") -> None:
    """Declare that ``model_label`` rows belong to the patient named in ``field``; idempotent."""
    link = PatientLink(model_label, field)
    known = _LINKS.get(model_label)
    if known is not None and known != link:
        raise ValueError(f"{model_label} is already linked to patients by {known.field!r}")
    _LINKS[model_label] = link


def patient_links() -> list[PatientLink]:
    """Every declared link, in a stable order (by model label)."""
    return [_LINKS[label] for label in sorted(_LINKS)]
