"""Permissions the documents app declares (STYLE R4). The access policy (``access/policies/default.toml``)
decides who holds them. Each member names the resource and action it is checked as: ``document_index``
is a document's indexing data (type, dates, author, status), ``document`` is its content, so a clerk files
and indexes documents without reading them (164.514(d)(2) minimum necessary)."""

from __future__ import annotations

from enum import StrEnum

from recordroom.core.vocabulary import Action, ResourceType


class DocumentsPermission(StrEnum):
    FILE_DOCUMENT = "documents.file_document"
    """File a document (and upload scanned paper) into a patient's record: ``document_index``/``create``."""
    AUTHOR_DOCUMENT = "documents.author_document"
    """Write a document's content as a member of the care team: ``document``/``create``."""
    REVISE_INDEX = "documents.revise_index"
    """Add a version to an unsigned document, or index a scanned item: ``document_index``/``update``."""
    LIST_DOCUMENTS = "documents.list_documents"
    """List a patient's documents and search text (164.514(d); 164.312(b) audited): ``document_index``/``search``."""
    READ_INDEX = "documents.read_index"
    """See one document's indexing data: ``document_index``/``read``."""
    READ_CONTENT = "documents.read_content"
    """Open a document's content (164.502(b); every read audited): ``document``/``read``."""
    SIGN_DOCUMENT = "documents.sign_document"
    """Authenticate (sign or cosign) a document (42 CFR 482.24(c)(1)): ``document``/``sign``."""
    AMEND_CONTENT = "documents.amend_content"
    """Correct or add an addendum to a signed document (AHIMA amendments practice): ``document``/``amend``."""
    HANDLE_AMENDMENT = "documents.handle_amendment"
    """Record and decide a patient's amendment request (45 CFR 164.526): ``document_index``/``amend``."""

    @property
    def action(self) -> Action:
        return _RULES[self][1]

    @property
    def resource_type(self) -> ResourceType:
        return _RULES[self][0]


_RULES: dict[DocumentsPermission, tuple[ResourceType, Action]] = {
    DocumentsPermission.FILE_DOCUMENT: (ResourceType.DOCUMENT_INDEX, Action.CREATE),
    DocumentsPermission.AUTHOR_DOCUMENT: (ResourceType.DOCUMENT, Action.CREATE),
    DocumentsPermission.REVISE_INDEX: (ResourceType.DOCUMENT_INDEX, Action.UPDATE),
    DocumentsPermission.LIST_DOCUMENTS: (ResourceType.DOCUMENT_INDEX, Action.SEARCH),
    DocumentsPermission.READ_INDEX: (ResourceType.DOCUMENT_INDEX, Action.READ),
    DocumentsPermission.READ_CONTENT: (ResourceType.DOCUMENT, Action.READ),
    DocumentsPermission.SIGN_DOCUMENT: (ResourceType.DOCUMENT, Action.SIGN),
    DocumentsPermission.AMEND_CONTENT: (ResourceType.DOCUMENT, Action.AMEND),
    DocumentsPermission.HANDLE_AMENDMENT: (ResourceType.DOCUMENT_INDEX, Action.AMEND),
}
