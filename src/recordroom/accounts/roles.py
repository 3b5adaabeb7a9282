"""Workforce roles. The vocabulary lives in :mod:`recordroom.access.roles` (the access policy names
them); accounts re-exports it because users hold roles."""

from recordroom.access.roles import ROLE_CHOICES, ROLE_LABELS, Role

__all__ = ["ROLE_CHOICES", "ROLE_LABELS", "Role"]
