"""Audit services: record events, verify the chain, write checkpoints, export and forward the trail."""

from recordroom.audit.services.checkpoints import write_checkpoint
from recordroom.audit.services.recording import AuditAction, Outcome, record, recorded_attempt
from recordroom.audit.services.verification import VerifyResult, verify_chain

__all__ = [
    "AuditAction",
    "Outcome",
    "VerifyResult",
    "record",
    "recorded_attempt",
    "verify_chain",
    "write_checkpoint",
]
