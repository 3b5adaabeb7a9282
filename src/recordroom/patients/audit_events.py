"""Audit event types of the patients app (STYLE R6): registrations, searches and reads of the master
patient index, and the possible-duplicate warning (HIPAA 164.312(b); ONC 170.315(d)(2))."""

from __future__ import annotations

from enum import StrEnum


class PatientEvent(StrEnum):
    REGISTERED = "patients.registered"
    DUPLICATES_FOUND = "patients.duplicates_found"
    SEARCHED = "patients.searched"
    VIEWED = "patients.viewed"
