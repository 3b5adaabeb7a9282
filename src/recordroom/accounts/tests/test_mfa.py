"""accounts.services.mfa: TOTP enrollment and verification, recovery codes."""

from __future__ import annotations

import pyotp
import pytest

from recordroom.accounts.errors import AccountsError
from recordroom.accounts.models import RecoveryCode, RecoveryCodeDevice, TotpDevice
from recordroom.accounts.otp import base32_secret, digest_recovery_code, normalize_recovery_code
from recordroom.accounts.roles import Role
from recordroom.accounts.security_events import SecurityEventKind
from recordroom.accounts.services import (
    begin_totp_enrollment,
    confirm_totp_enrollment,
    has_confirmed_totp,
    issue_recovery_codes,
    reset_mfa,
    verify_second_factor,
)
from recordroom.accounts.tests.factories import make_user
from recordroom.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_enrollment_needs_a_correct_first_code():
    person = make_user(enrolled=False)
    device = begin_totp_enrollment(person.user)
    assert begin_totp_enrollment(person.user).pk == device.pk
    with pytest.raises(AccountsError):
        confirm_totp_enrollment(user=person.user, device=device, token="not-a-code")
    assert not has_confirmed_totp(person.user)
    failure = AuditEvent.objects.get(event_type=SecurityEventKind.MFA_FAILED.value)
    assert failure.detail_data == {"stage": "enrollment"}
    codes = confirm_totp_enrollment(
        user=person.user, device=device, token=pyotp.TOTP(base32_secret(device.bin_key)).now()
    )
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert has_confirmed_totp(person.user)


def test_recovery_codes_are_stored_only_as_digests():
    person = make_user()
    codes = issue_recovery_codes(person.user)
    stored = set(RecoveryCode.objects.values_list("digest", flat=True))
    assert stored == {digest_recovery_code(normalize_recovery_code(c) or "") for c in codes}
    for code in codes:
        assert code not in stored
        assert normalize_recovery_code(code) not in stored


def test_reissuing_recovery_codes_invalidates_the_old_ones():
    person = make_user()
    old = issue_recovery_codes(person.user)
    issue_recovery_codes(person.user)
    assert verify_second_factor(user=person.user, token=old[0]) is None
    assert RecoveryCodeDevice.objects.filter(user=person.user).count() == 1


def test_totp_from_a_neighbouring_step_is_accepted_once():
    person = make_user()
    assert isinstance(verify_second_factor(user=person.user, token=person.code(offset_steps=-1)), TotpDevice)
    assert verify_second_factor(user=person.user, token=person.code(offset_steps=-1)) is None


def test_totp_far_from_now_is_refused():
    person = make_user()
    assert verify_second_factor(user=person.user, token=person.code(offset_steps=5)) is None
    failure = AuditEvent.objects.filter(event_type=SecurityEventKind.MFA_FAILED.value).get()
    assert failure.detail_data == {"shape": "totp"}


def test_another_users_code_does_not_work():
    alice, bob = make_user(), make_user()
    bobs_codes = {bob.code(step) for step in (-1, 0, 1)}
    if alice.code() in bobs_codes:  # a one-in-300,000 coincidence of two random keys
        pytest.skip("the two random keys happen to share a code in this window")
    assert verify_second_factor(user=bob.user, token=alice.code()) is None


def test_reset_mfa_removes_every_factor():
    person = make_user()
    issue_recovery_codes(person.user)
    reset_mfa(user=person.user, actor=None)
    assert not TotpDevice.objects.filter(user=person.user).exists()
    assert not RecoveryCodeDevice.objects.filter(user=person.user).exists()


def test_only_an_administrator_resets_mfa():
    clerk, other = make_user([Role.HIM_CLERK]), make_user()
    with pytest.raises(AccountsError):
        reset_mfa(user=other.user, actor=clerk.user)
    assert has_confirmed_totp(other.user)


def test_wrong_codes_slow_down_the_next_try(settings):
    """django-otp's exponential throttle: after a failure the device refuses even a right code at once."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    person = make_user()
    assert verify_second_factor(user=person.user, token="000001" if person.code() != "000001" else "000002") is None
    assert verify_second_factor(user=person.user, token=person.code()) is None


def test_the_totp_secret_is_sealed_at_rest():
    """ONC 170.315(d)(12): the shared secret is stored encrypted, bound to its user."""
    person = make_user()
    device = TotpDevice.objects.get(user=person.user)
    secret = base32_secret(device.bin_key)
    stored = bytes(TotpDevice.objects.values_list("sealed_key", flat=True).get(pk=device.pk))
    assert device.bin_key not in stored
    assert secret.encode() not in stored
    assert len(stored) == 1 + 12 + 20 + 16
    other = make_user()
    moved = TotpDevice.objects.get(user=other.user)
    moved.sealed_key = stored
    from recordroom.vault.errors import VaultError

    with pytest.raises(VaultError):
        moved.bin_key  # noqa: B018  (a sealed key copied to another user does not open)
