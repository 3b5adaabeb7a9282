"""Audit event types of the patients app (STYLE R6): registrations, searches and reads of the master
patient index, and the possible-duplicate warning (HIPAA 164.312(b); ONC 170.315(d)(2))."""

from __future__ import annotations

from enum import StrEnum


class PatientEvent(StrEnum):
    REGISTERED = "patients.registered"
    DUPLICATES_FOUND = "patients.duplicates_found"
    SEARCHED = "patients.searched"
    VIEWED = "patients.viewed"
    UPDATED = "patients.updated"
    IDENTIFIER_ADDED = "patients.identifier_added"
    MERGED = "patients.merged"
    UNMERGED = "patients.unmerged"
    SPLIT = "patients.split"
    MERGES_LISTED = "patients.merges_listed"
    INDEX_LISTED = "patients.index_listed"
    INDEX_EXPORTED = "patients.index_exported"
    DUPLICATES_DETECTED = "patients.duplicates_detected"
    DUPLICATE_QUEUE_VIEWED = "patients.duplicate_queue_viewed"
    DUPLICATE_DISMISSED = "patients.duplicate_dismissed"
