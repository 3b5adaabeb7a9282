"""Clinical documents: versions, authentication, scanned paper, amendments (DESIGN.md apps)."""
