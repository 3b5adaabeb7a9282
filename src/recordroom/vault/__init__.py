"""The vault: PHI encrypted at rest (HIPAA 164.312(a)(2)(iv)), key management, blind indexes, the
encrypted document store and encrypted backups (164.308(a)(7)). See docs/security/encryption.md."""
