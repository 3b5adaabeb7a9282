"""The accounts services: the only code that changes users, roles, credentials, tokens and sessions
(STYLE R2/R3). Split by topic; import from here."""

from recordroom.accounts.services.mfa import (
    begin_totp_enrollment,
    confirm_totp_enrollment,
    has_confirmed_totp,
    issue_recovery_codes,
    mfa_required_for,
    reset_mfa,
    verify_second_factor,
)
from recordroom.accounts.services.sessions import end_all_sessions, register_session
from recordroom.accounts.services.signin import (
    SignInResult,
    SignInStatus,
    begin_sign_in,
    complete_enrollment_sign_in,
    complete_mfa_sign_in,
    pending_user,
    sign_out,
)
from recordroom.accounts.services.tokens import authenticate_api_token, issue_api_token, revoke_api_token
from recordroom.accounts.services.users import (
    assign_roles,
    change_password,
    create_user,
    deactivate_user,
    grant_role,
    reactivate_user,
    require_account_admin,
    revoke_role,
    set_password,
)

__all__ = [
    "SignInResult",
    "SignInStatus",
    "assign_roles",
    "authenticate_api_token",
    "begin_sign_in",
    "begin_totp_enrollment",
    "change_password",
    "complete_enrollment_sign_in",
    "complete_mfa_sign_in",
    "confirm_totp_enrollment",
    "create_user",
    "deactivate_user",
    "end_all_sessions",
    "grant_role",
    "has_confirmed_totp",
    "issue_api_token",
    "issue_recovery_codes",
    "mfa_required_for",
    "pending_user",
    "reactivate_user",
    "register_session",
    "require_account_admin",
    "reset_mfa",
    "revoke_api_token",
    "revoke_role",
    "set_password",
    "sign_out",
    "verify_second_factor",
]
