"""The encounters services: the only code that writes encounters and their ADT history, and the audited
way to read one (STYLE R2/R3). Split by topic; import from here."""

from recordroom.encounters.services.admission import admit_patient
from recordroom.encounters.services.capacity import (
    BedCountBasis,
    add_bed,
    bed_count_days,
    bed_count_on,
    change_capacity,
    create_unit,
    set_bed_active,
)
from recordroom.encounters.services.census import census
from recordroom.encounters.services.indices import IndexFilter, RecordIndex, export_index, view_index
from recordroom.encounters.services.lookup import get_encounter
from recordroom.encounters.services.movements import (
    add_consulting_physician,
    cancel_event,
    discharge_patient,
    transfer_patient,
)
from recordroom.encounters.services.reported import record_reported_condition, record_reported_procedure

__all__ = [
    "BedCountBasis",
    "IndexFilter",
    "RecordIndex",
    "add_bed",
    "add_consulting_physician",
    "admit_patient",
    "bed_count_days",
    "bed_count_on",
    "cancel_event",
    "census",
    "change_capacity",
    "create_unit",
    "discharge_patient",
    "export_index",
    "get_encounter",
    "record_reported_condition",
    "record_reported_procedure",
    "set_bed_active",
    "transfer_patient",
    "view_index",
]
