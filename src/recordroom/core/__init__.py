"""Shared plumbing with no domain rules: base models, the clock, request ids, the command base class,
system checks."""
