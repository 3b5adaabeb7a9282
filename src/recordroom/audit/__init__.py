"""The audit trail: append-only, hash-chained, with Ed25519-signed checkpoints (HIPAA 164.312(b);
ONC 170.315(d)(2), (d)(3), (d)(10); ASTM E2147-18)."""
