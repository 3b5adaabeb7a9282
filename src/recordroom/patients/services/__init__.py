"""The patients services: the only code that writes the master patient index, and the audited way to
search and read it (STYLE R2/R3). Split by topic; import from here."""

from recordroom.patients.services.demographics import PatientSummary, current_record, display_name
from recordroom.patients.services.duplicates import find_duplicates, last_duplicate_run, run_pairs
from recordroom.patients.services.duplicates_review import (
    NotDuplicateReason,
    duplicate_queue,
    mark_not_duplicate,
    open_pair_count,
    review_duplicate_pair,
)
from recordroom.patients.services.identifiers import add_identifier
from recordroom.patients.services.index import export_index, list_index
from recordroom.patients.services.lookup import find_patients, get_patient
from recordroom.patients.services.merging import (
    linked_rows,
    merge_history,
    merge_patients,
    recent_merges,
    split_overlay,
    unmerge_patients,
)
from recordroom.patients.services.registration import register_patient
from recordroom.patients.services.updates import address_history, update_demographics

__all__ = [
    "NotDuplicateReason",
    "PatientSummary",
    "add_identifier",
    "address_history",
    "current_record",
    "display_name",
    "duplicate_queue",
    "export_index",
    "find_duplicates",
    "find_patients",
    "get_patient",
    "last_duplicate_run",
    "linked_rows",
    "list_index",
    "mark_not_duplicate",
    "merge_history",
    "merge_patients",
    "open_pair_count",
    "recent_merges",
    "register_patient",
    "review_duplicate_pair",
    "run_pairs",
    "split_overlay",
    "unmerge_patients",
    "update_demographics",
]
