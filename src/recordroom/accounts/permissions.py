"""Permissions the accounts app declares (STYLE R4). The access app maps roles to them; until it lands,
:func:`recordroom.accounts.services.users.require_account_admin` grants them to ``sysadmin`` only."""

from __future__ import annotations

from enum import StrEnum


class AccountsPermission(StrEnum):
    MANAGE_USERS = "accounts.manage_users"
    """Create, deactivate and reactivate users; grant and revoke roles (HIPAA 164.308(a)(4)(ii)(C))."""
    RESET_MFA = "accounts.reset_mfa"
    """Remove a user's second factor so they enroll again (identity proofing is the site's procedure)."""
