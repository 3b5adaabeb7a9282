"""The documents services: the only code that files, versions, signs, reads and searches documents,
processes scanned paper and handles amendment requests (STYLE R2/R3). Split by topic; import from here."""

from recordroom.documents.services.amendments import (
    accept_amendment,
    amendment_worklist,
    deny_amendment,
    due_date,
    extend_amendment,
    extended_due_date,
    record_disagreement,
    record_rebuttal,
    request_amendment,
)
from recordroom.documents.services.filing import (
    FiledDocument,
    add_addendum,
    add_version,
    correct_document,
    file_document,
)
from recordroom.documents.services.lookup import (
    DocumentRow,
    documents_for_patient,
    get_document,
    open_body,
    read_text,
)
from recordroom.documents.services.scans import (
    ProcessResult,
    index_scan,
    process_scans,
    read_scan,
    reject_scan,
    scan_queue,
    upload_scan,
)
from recordroom.documents.services.search import SearchHit, search_documents
from recordroom.documents.services.signing import cosign_document, sign_document

__all__ = [
    "DocumentRow",
    "FiledDocument",
    "ProcessResult",
    "SearchHit",
    "accept_amendment",
    "add_addendum",
    "add_version",
    "amendment_worklist",
    "correct_document",
    "cosign_document",
    "deny_amendment",
    "documents_for_patient",
    "due_date",
    "extend_amendment",
    "extended_due_date",
    "file_document",
    "get_document",
    "index_scan",
    "open_body",
    "process_scans",
    "read_scan",
    "read_text",
    "record_disagreement",
    "record_rebuttal",
    "reject_scan",
    "request_amendment",
    "scan_queue",
    "search_documents",
    "sign_document",
    "upload_scan",
]
