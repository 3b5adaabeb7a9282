"""The patients services: the only code that writes the master patient index, and the audited way to
search and read it (STYLE R2/R3). Split by topic; import from here."""

from recordroom.patients.services.demographics import PatientSummary, display_name
from recordroom.patients.services.lookup import find_patients, get_patient
from recordroom.patients.services.registration import register_patient

__all__ = ["PatientSummary", "display_name", "find_patients", "get_patient", "register_patient"]
