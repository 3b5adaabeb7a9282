"""Sign-in and account forms. Field limits are generous for people and small for attackers."""

from __future__ import annotations

from django import forms

from recordroom.accounts.roles import ROLE_CHOICES, Role
from recordroom.accounts.validators import PASSWORD_MAX


class LoginForm(forms.Form):
    username = forms.CharField(
        max_length=256,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        max_length=64,
        label="Code",
        help_text="The 6-digit code from your authenticator app, or one of your recovery codes.",
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "text",
                "autofocus": True,
                "spellcheck": "false",
            }
        ),
    )


class EnrollForm(forms.Form):
    code = forms.CharField(
        max_length=16,
        label="6-digit code",
        help_text="After scanning, enter the code your app shows now.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )


class PasswordChangeForm(forms.Form):
    current_password = forms.CharField(
        max_length=PASSWORD_MAX,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    new_password = forms.CharField(
        max_length=PASSWORD_MAX,
        strip=False,
        help_text="At least 12 characters. Long passphrases are welcome; no symbols are required.",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )


class TokenForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="What the token is for, e.g. 'nightly census export'.")
    roles = forms.MultipleChoiceField(choices=(), widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(min_value=1, max_value=365, initial=90, label="Expires after (days)")

    def __init__(self, *args: object, roles: frozenset[Role], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["roles"].choices = [(r.value, r.label) for r in sorted(roles)]  # type: ignore[attr-defined]


class UserCreateForm(forms.Form):
    username = forms.CharField(max_length=64, help_text="3-64 characters: a-z, 0-9, '.', '_' or '-'.")
    display_name = forms.CharField(max_length=120, label="Name")
    email = forms.EmailField(required=False)
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple)


class UserRolesForm(forms.Form):
    roles = forms.MultipleChoiceField(choices=ROLE_CHOICES, widget=forms.CheckboxSelectMultiple, required=False)


class DeactivateForm(forms.Form):
    reason = forms.CharField(max_length=120, help_text="For the record, e.g. 'left the organization'.")
