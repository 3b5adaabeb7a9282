"""The shared words of access decisions and audit records: actions, resource types, purposes of use,
patient restrictions, and the relationships a service can establish between a user and a record. They
live in core because both `access` (which decides) and `audit` (which records) use them; no rule is here.

Unknown words are refused when the policy loads and when a caller passes them (they are enums, so a
typo fails at import time and in mypy; STYLE R4).
"""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """What is done to a resource (ASTM E2147-18 7.1.8 "type of action", extended for HIM work)."""

    READ = "read"
    SEARCH = "search"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    MERGE = "merge"
    UNMERGE = "unmerge"
    SIGN = "sign"
    AMEND = "amend"
    CODE = "code"
    QUERY = "query"
    ANSWER = "answer"
    RELEASE = "release"
    PRINT = "print"
    EXPORT = "export"
    REVIEW = "review"
    ADMINISTER = "administer"


class ResourceType(StrEnum):
    """What is acted on. ``document_index`` is a document's indexing data (type, dates, author, status);
    ``document`` is its content: a clerk indexes documents without reading them (164.514(d)(2))."""

    PATIENT = "patient"
    ENCOUNTER = "encounter"
    DOCUMENT_INDEX = "document_index"
    DOCUMENT = "document"
    DEFICIENCY = "deficiency"
    CODING = "coding"
    PHYSICIAN_QUERY = "physician_query"
    CLAIM = "claim"
    DISCLOSURE = "disclosure"
    AUTHORIZATION = "authorization"
    ACCOUNTING = "accounting"
    INCIDENT = "incident"
    AUDIT_TRAIL = "audit_trail"
    EMERGENCY_ACCESS = "emergency_access"
    RESTRICTION_GRANT = "restriction_grant"
    USER_ACCOUNT = "user_account"
    REPORT = "report"
    REGISTRY_CASE = "registry_case"
    DEID_EXPORT = "deid_export"
    RETENTION = "retention"
    SYSTEM = "system"
    FACILITY = "facility"
    """Units, beds and their bed counts over time: the facility's set-up, no PHI (encounters app)."""


class Purpose(StrEnum):
    """Purpose of use, on every PHI access (164.502(b), 164.506, 164.508, 164.512; HL7 PurposeOfUse)."""

    TREATMENT = "treatment"
    PAYMENT = "payment"
    OPERATIONS = "operations"
    ROI = "roi"
    RESEARCH = "research"
    PUBLIC_HEALTH = "public_health"
    EMERGENCY = "emergency"


class Restriction(StrEnum):
    """Patient- or record-level protections that need an explicit grant.

    ``part2``: 42 CFR Part 2 substance-use disorder records (2.12, 2.13). ``psychotherapy``: 164.501 and
    164.508(a)(2). ``vip``/``employee``/``confidential``: facility policy (snooping on famous people and
    co-workers is the commonest privacy incident). ``hiv``, ``reproductive_health``, ``behavioral_health``,
    ``genetic``: state-law and facility categories, configured per document type.
    """

    VIP = "vip"
    EMPLOYEE = "employee"
    CONFIDENTIAL = "confidential"
    PART2 = "part2"
    PSYCHOTHERAPY = "psychotherapy"
    HIV = "hiv"
    REPRODUCTIVE_HEALTH = "reproductive_health"
    BEHAVIORAL_HEALTH = "behavioral_health"
    GENETIC = "genetic"


class Relationship(StrEnum):
    """A fact the calling service establishes about the user and the record; a grant with a ``scope``
    applies only when the caller says that fact holds (minimum necessary, 164.514(d)(2))."""

    CARE_TEAM = "care_team"
    CODING_QUEUE = "coding_queue"
    CDI_WORKLIST = "cdi_worklist"
    AUDIT_SAMPLE = "audit_sample"
    COVERED_BY_AUTHORIZATION = "covered_by_authorization"
    REGISTRY_CASELOAD = "registry_caseload"
    OWN_ITEM = "own_item"
    # The user registered this patient moments ago (patients.services.registration): a clerk who flags a
    # record restricted at registration keeps access to it for a short, fixed window.
    REGISTERING_CLERK = "registering_clerk"
