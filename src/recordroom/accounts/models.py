"""Accounts data: users and their roles, MFA devices, API tokens, live sessions and security events.

Rules live in :mod:`recordroom.accounts.services`; models hold data, invariants and predicates (STYLE R8).
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.db import models
from django_otp.models import Device, ThrottlingMixin
from django_otp.oath import TOTP

from recordroom.accounts.roles import ROLE_CHOICES, Role
from recordroom.core import clock
from recordroom.core.models import TimeStampedModel
from recordroom.vault.fields import EncryptedTextField


class UserManager(BaseUserManager["User"]):
    """Users are created by :func:`recordroom.accounts.services.create_user`, never here directly."""

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(username=username)


class User(AbstractBaseUser):  # type: ignore[django-manager-missing]
    """One person (or one named service account) with a unique, immutable id (HIPAA 164.312(a)(2)(i))."""

    public_id = models.UUIDField(unique=True, editable=False)
    username = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    is_service_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now, editable=False)
    deactivated_at = models.DateTimeField(null=True, blank=True)
    # Free text (it may name a person or a matter): sealed by the vault with the user's own data key.
    deactivation_reason = EncryptedTextField(subject_field="public_id", null=True, blank=True)
    password_changed_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "username"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name"]

    objects = UserManager()

    class Meta:
        ordering = ("username",)

    def __str__(self) -> str:
        return self.username

    @property
    def is_staff(self) -> bool:
        """Django admin is not installed; nobody is staff."""
        return False

    @property
    def is_superuser(self) -> bool:
        """No user bypasses the access policy (DESIGN invariant 1)."""
        return False

    def role_set(self) -> frozenset[Role]:
        cached: frozenset[Role] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = frozenset(Role(code) for code in self.role_assignments.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def has_role(self, role: Role) -> bool:
        return role in self.role_set()

    def forget_cached_roles(self) -> None:
        self.__dict__.pop("_role_cache", None)

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.display_name


class RoleAssignment(models.Model):
    """A role held by a user, with who granted it and when (ONC 170.315(d)(2): changes to privileges)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    granted_at = models.DateTimeField(default=clock.now)
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )

    class Meta:
        constraints = (models.UniqueConstraint(fields=("user", "role"), name="accounts_one_assignment_per_role"),)

    def __str__(self) -> str:
        return f"{self.user_id}:{self.role}"


class TotpDevice(ThrottlingMixin, Device):
    """TOTP (RFC 6238: HMAC-SHA1, 30 s steps, 6 digits) whose shared secret is sealed by the vault with the
    user's own data key (ONC 170.315(d)(12): stored authentication credentials are encrypted).

    Verification follows django-otp's ``TOTPDevice``: one step of drift either way, and a code is refused
    unless its time step is later than the last one accepted (no replay, RFC 6238 5.2).
    """

    sealed_key: models.BinaryField[object, object] = models.BinaryField()
    step: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=30)
    digits: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=6)
    tolerance: models.PositiveSmallIntegerField[int, int] = models.PositiveSmallIntegerField(default=1)
    drift: models.SmallIntegerField[int, int] = models.SmallIntegerField(default=0)
    last_t: models.BigIntegerField[int, int] = models.BigIntegerField(default=-1)
    created_at: models.DateTimeField[object, object] = models.DateTimeField(default=clock.now)

    class Meta(Device.Meta):
        verbose_name = "TOTP authenticator"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    @property
    def bin_key(self) -> bytes:
        from recordroom.accounts.otp import open_totp_key

        return open_totp_key(self)

    def verify_token(self, token: Any) -> bool:
        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        try:
            code = int(str(token))
        except ValueError:
            self.throttle_increment(commit=True)
            return False
        totp = TOTP(self.bin_key, self.step, 0, self.digits, self.drift)
        totp.time = time.time()
        if totp.verify(code, self.tolerance, self.last_t + 1):
            self.last_t = totp.t()
            self.drift = totp.drift
            self.throttle_reset(commit=False)
            self.save(update_fields=["last_t", "drift", "throttling_failure_timestamp", "throttling_failure_count"])
            return True
        self.throttle_increment(commit=True)
        return False


class RecoveryCodeDevice(ThrottlingMixin, Device):
    """Ten single-use recovery codes, kept only as SHA-256 digests (ONC 170.315(d)(12)).

    Each code carries 80 random bits, so an unsalted digest cannot be reversed by search; a used code
    is marked used and never matches again.
    """

    created_at: models.DateTimeField[object, object] = models.DateTimeField(default=clock.now)

    class Meta(Device.Meta):
        verbose_name = "recovery-code set"

    def get_throttle_factor(self) -> int:
        return int(getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1))

    def verify_token(self, token: Any) -> bool:
        from recordroom.accounts.otp import digest_recovery_code, normalize_recovery_code

        allowed, _ = self.verify_is_allowed()
        if not allowed:
            return False
        normalized = normalize_recovery_code(str(token))
        if normalized is None:
            self.throttle_increment(commit=True)
            return False
        matched = self.codes.filter(digest=digest_recovery_code(normalized), used_at__isnull=True).update(
            used_at=clock.now()
        )
        if matched:
            self.throttle_reset(commit=True)
            return True
        self.throttle_increment(commit=True)
        return False

    def remaining(self) -> int:
        return int(self.codes.filter(used_at__isnull=True).count())


class RecoveryCode(models.Model):
    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = (models.UniqueConstraint(fields=("device", "digest"), name="accounts_unique_code_digest"),)

    def __str__(self) -> str:
        return f"recovery code {self.pk}"


class ApiToken(TimeStampedModel):
    """A named, role-scoped, expiring token for a machine or script. Only a SHA-256 digest of the
    secret is stored; the secret is shown once, at issue."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64, unique=True)
    roles = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now() and self.user.is_active

    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(code) for code in self.roles)


class UserSession(models.Model):
    """The sessions a user holds, so deactivation can end every one at once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="live_sessions")
    session_key = models.CharField(max_length=64, unique=True)
    started_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"session of user {self.user_id}"
