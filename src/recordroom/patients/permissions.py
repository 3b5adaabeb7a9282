"""Permissions the patients app declares (STYLE R4). The access policy (``access/policies/default.toml``)
decides who holds them; each member names the policy action it is checked as, on resource ``patient``."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action


class PatientsPermission(StrEnum):
    REGISTER_PATIENT = "patients.register_patient"
    """Add a person to the master patient index (AHIMA MPI practice brief; 164.308(a)(4) access authorization)."""
    SEARCH_PATIENTS = "patients.search_patients"
    """Find patients by name, date of birth or MRN; results are the minimum necessary (164.514(d))."""
    READ_PATIENT = "patients.read_patient"
    """Open one patient's demographics (164.502(b) minimum necessary, 164.312(b) audited)."""
    UPDATE_PATIENT = "patients.update_patient"
    """Correct demographics and add identifiers; the replaced values are kept sealed (AHIMA MPI guidance)."""
    MERGE_PATIENTS = "patients.merge_patients"
    """Merge a duplicate into its surviving record: HIM data-integrity work (AHIMA "Fundamentals for
    Building a Master Patient Index/Enterprise Master Patient Index"): HIM merges, others request."""
    UNMERGE_PATIENTS = "patients.unmerge_patients"
    """Undo a merge, or split an overlay (two people in one record) into a new record."""
    EXPORT_INDEX = "patients.export_index"
    """Export the master patient index listing as CSV (an audited bulk export, 164.514(d)(2))."""

    FIND_DUPLICATES = "patients.find_duplicates"
    """Run the probabilistic duplicate batch over the whole index (AHIMA MPI practice brief: the MPI is
    checked for duplicates regularly; 164.308(a)(1)(ii)(D) activity review of HIM data integrity)."""
    REVIEW_DUPLICATES = "patients.review_duplicates"
    """Work the duplicate review queue: compare two records side by side, mark a pair not a duplicate."""

    @property
    def action(self) -> Action:
        return _ACTIONS[self]


_ACTIONS: dict[PatientsPermission, Action] = {
    PatientsPermission.REGISTER_PATIENT: Action.CREATE,
    PatientsPermission.SEARCH_PATIENTS: Action.SEARCH,
    PatientsPermission.READ_PATIENT: Action.READ,
    PatientsPermission.UPDATE_PATIENT: Action.UPDATE,
    PatientsPermission.MERGE_PATIENTS: Action.MERGE,
    PatientsPermission.UNMERGE_PATIENTS: Action.UNMERGE,
    PatientsPermission.EXPORT_INDEX: Action.EXPORT,
    PatientsPermission.FIND_DUPLICATES: Action.REVIEW,
    PatientsPermission.REVIEW_DUPLICATES: Action.REVIEW,
}
