"""Audit event types of the documents app (STYLE R6): every filing, version, signature, read, list, search,
scan and amendment step (HIPAA 164.312(b); ONC 170.315(d)(2)). Details carry codes, ids and counts only."""

from __future__ import annotations

from enum import StrEnum


class DocumentEvent(StrEnum):
    FILED = "documents.filed"
    REFILED = "documents.refiled"
    VERSION_ADDED = "documents.version_added"
    SIGNED = "documents.signed"
    COSIGNED = "documents.cosigned"
    ADDENDUM_ADDED = "documents.addendum_added"
    LISTED = "documents.listed"
    INDEX_VIEWED = "documents.index_viewed"
    VIEWED = "documents.viewed"
    CONTENT_OPENED = "documents.content_opened"
    SEARCHED = "documents.searched"
    SCAN_UPLOADED = "documents.scan_uploaded"
    SCAN_PROCESSED = "documents.scan_processed"
    SCAN_FAILED = "documents.scan_failed"
    SCAN_QUEUE_VIEWED = "documents.scan_queue_viewed"
    SCAN_INDEXED = "documents.scan_indexed"
    SCAN_REJECTED = "documents.scan_rejected"
    AMENDMENT_REQUESTED = "documents.amendment_requested"
    AMENDMENT_EXTENDED = "documents.amendment_extended"
    AMENDMENT_ACCEPTED = "documents.amendment_accepted"
    AMENDMENT_DENIED = "documents.amendment_denied"
    AMENDMENT_DISAGREEMENT = "documents.amendment_disagreement"
    AMENDMENT_REBUTTAL = "documents.amendment_rebuttal"
    AMENDMENTS_LISTED = "documents.amendments_listed"
