"""Second factor: TOTP (RFC 6238) through django-otp, and ten single-use recovery codes.

MFA is HIPAA 164.312(d) person authentication made strong, ONC 170.315(d)(13) multi-factor
authentication, and a requirement of the proposed Security Rule update (90 FR 898, RULES.md 7.4).
"""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django_otp.models import Device

from recordroom.accounts.errors import AccountsError, AccountsErrorCode
from recordroom.accounts.models import RecoveryCode, RecoveryCodeDevice, TotpDevice, User
from recordroom.accounts.otp import (
    digest_recovery_code,
    looks_like_totp,
    new_recovery_codes,
    new_totp_key,
    normalize_recovery_code,
    seal_totp_key,
)
from recordroom.accounts.permissions import AccountsPermission
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import Outcome, SecurityEventKind, record_security_event
from recordroom.accounts.services.users import require_account_admin

TOTP_DEVICE_NAME = "Authenticator app"


def mfa_required_for(user: User) -> bool:
    """Required for everyone by default (``RECORDROOM_MFA_REQUIRED``), always for the roles in
    ``RECORDROOM_MFA_ALWAYS_ROLES`` (sysadmin, privacy officer)."""
    if settings.RECORDROOM_MFA_REQUIRED:
        return True
    always = {Role(code) for code in settings.RECORDROOM_MFA_ALWAYS_ROLES}
    return bool(user.role_set() & always)


def has_confirmed_totp(user: User) -> bool:
    return bool(TotpDevice.objects.filter(user=user, confirmed=True).exists())


@transaction.atomic
def begin_totp_enrollment(user: User) -> TotpDevice:
    """Return the user's unconfirmed TOTP device, creating one with a fresh 160-bit key sealed by the vault."""
    device: TotpDevice | None = TotpDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TotpDevice.objects.create(
            user=user, name=TOTP_DEVICE_NAME, confirmed=False, sealed_key=seal_totp_key(user, new_totp_key())
        )
    return device


@transaction.atomic
def issue_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with ten new ones; returns them (shown once, stored hashed)."""
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = new_recovery_codes()
    RecoveryCode.objects.bulk_create(
        [RecoveryCode(device=device, digest=digest_recovery_code(normalize_recovery_code(c) or "")) for c in codes]
    )
    return codes


def confirm_totp_enrollment(
    *, user: User, device: TotpDevice, token: str, request: HttpRequest | None = None
) -> list[str]:
    """Confirm enrollment with a first code from the app; returns the recovery codes to show once."""
    if device.user_id != user.pk or device.confirmed:
        raise AccountsError(AccountsErrorCode.MFA_INVALID, "That enrollment is not open.")
    token = token.strip().replace(" ", "")
    if not looks_like_totp(token) or not device.verify_token(token):
        record_security_event(
            SecurityEventKind.MFA_FAILED,
            outcome=Outcome.FAILURE,
            request=request,
            user=user,
            detail={"stage": "enrollment"},
        )
        raise AccountsError(AccountsErrorCode.MFA_INVALID, "That code is not correct. Enter the current 6-digit code.")
    with transaction.atomic():
        TotpDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = issue_recovery_codes(user)
        record_security_event(SecurityEventKind.MFA_ENROLLED, outcome=Outcome.SUCCESS, request=request, user=user)
    return codes


def verify_second_factor(*, user: User, token: str, request: HttpRequest | None = None) -> Device | None:
    """Check a TOTP code or a recovery code; returns the device that matched, or ``None``.

    A code already used (same or earlier time step) is refused: django-otp keeps the last step used.
    A recovery code is spent on use. Every outcome is a security event.
    """
    candidate = token.strip().replace(" ", "")[:64]
    if looks_like_totp(candidate):
        for device in TotpDevice.objects.filter(user=user, confirmed=True):
            if device.verify_token(candidate):
                record_security_event(
                    SecurityEventKind.MFA_SUCCEEDED,
                    outcome=Outcome.SUCCESS,
                    request=request,
                    user=user,
                    detail={"factor": "totp"},
                )
                return device
    elif normalize_recovery_code(candidate) is not None:
        for recovery in RecoveryCodeDevice.objects.filter(user=user, confirmed=True):
            if recovery.verify_token(candidate):
                record_security_event(
                    SecurityEventKind.MFA_RECOVERY_CODE_USED,
                    outcome=Outcome.SUCCESS,
                    request=request,
                    user=user,
                    detail={"factor": "recovery_code", "remaining": recovery.remaining()},
                )
                return recovery
    record_security_event(
        SecurityEventKind.MFA_FAILED,
        outcome=Outcome.FAILURE,
        request=request,
        user=user,
        detail={"shape": "totp" if looks_like_totp(candidate) else "other"},
    )
    return None


def reset_mfa(*, user: User, actor: User | None, request: HttpRequest | None = None) -> None:
    """Remove every second factor of ``user``; they enroll again at next sign-in."""
    require_account_admin(actor, AccountsPermission.RESET_MFA, request=request)
    with transaction.atomic():
        _remove_factors(user, actor=actor, request=request)


def _remove_factors(user: User, *, actor: User | None, request: HttpRequest | None) -> None:
    TotpDevice.objects.filter(user=user).delete()
    RecoveryCodeDevice.objects.filter(user=user).delete()
    record_security_event(SecurityEventKind.MFA_RESET, outcome=Outcome.SUCCESS, request=request, user=user, actor=actor)
