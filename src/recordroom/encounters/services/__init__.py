"""The encounters services: the only code that writes encounters and their ADT history, and the audited
way to read one (STYLE R2/R3). Split by topic; import from here."""

from recordroom.encounters.services.admission import admit_patient
from recordroom.encounters.services.lookup import get_encounter
from recordroom.encounters.services.movements import (
    add_consulting_physician,
    cancel_event,
    discharge_patient,
    transfer_patient,
)

__all__ = [
    "add_consulting_physician",
    "admit_patient",
    "cancel_event",
    "discharge_patient",
    "get_encounter",
    "transfer_patient",
]
