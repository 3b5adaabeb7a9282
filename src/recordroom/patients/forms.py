"""Patient search and registration forms. They parse; the services check the rules and say which field
is wrong (the views put a service's message on that field)."""

from __future__ import annotations

from django import forms

from recordroom.patients.models import PATIENT_RESTRICTIONS, AdministrativeSex

OFF = {"autocomplete": "off", "spellcheck": "false"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d")


class SearchForm(forms.Form):
    query = forms.CharField(
        max_length=100,
        label="Name or MRN",
        help_text="Family and given name (spelling may be approximate), or the medical record number.",
        widget=forms.TextInput(attrs={**OFF, "autofocus": True}),
    )
    dob = forms.DateField(required=False, label="Date of birth (optional)", widget=_date_input())


class RegistrationForm(forms.Form):
    given_name = forms.CharField(max_length=100, label="Given name", widget=forms.TextInput(attrs=OFF))
    middle_name = forms.CharField(
        max_length=100, required=False, label="Middle name (optional)", widget=forms.TextInput(attrs=OFF)
    )
    family_name = forms.CharField(max_length=100, label="Family name", widget=forms.TextInput(attrs=OFF))
    preferred_name = forms.CharField(
        max_length=100, required=False, label="Preferred name (optional)", widget=forms.TextInput(attrs=OFF)
    )
    date_of_birth = forms.DateField(label="Date of birth", widget=_date_input())
    administrative_sex = forms.ChoiceField(
        choices=[("", "Choose..."), *AdministrativeSex.choices], label="Sex (administrative)"
    )
    ssn = forms.CharField(
        max_length=11, required=False, label="SSN (optional)", help_text="9 digits.", widget=forms.TextInput(attrs=OFF)
    )
    phone = forms.CharField(max_length=25, required=False, label="Phone (optional)", widget=forms.TextInput(attrs=OFF))
    email = forms.CharField(
        max_length=254, required=False, label="E-mail (optional)", widget=forms.EmailInput(attrs=OFF)
    )
    line = forms.CharField(
        max_length=100, required=False, label="Street address (optional)", widget=forms.TextInput(attrs=OFF)
    )
    city = forms.CharField(max_length=100, required=False, label="City (optional)", widget=forms.TextInput(attrs=OFF))
    state = forms.CharField(
        max_length=2,
        required=False,
        label="State (optional)",
        help_text="Two letters.",
        widget=forms.TextInput(attrs=OFF),
    )
    postal_code = forms.CharField(
        max_length=10, required=False, label="ZIP code (optional)", widget=forms.TextInput(attrs=OFF)
    )
    restrictions = forms.MultipleChoiceField(
        choices=[
            (r.value, r.value.upper() if r.value == "vip" else r.value.capitalize()) for r in PATIENT_RESTRICTIONS
        ],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Record restrictions",
    )
    register_anyway = forms.BooleanField(
        required=False,
        label="Register anyway: I have checked the possible matches and this is a different person",
    )

    def address(self) -> dict[str, str]:
        return {part: self.cleaned_data[part] for part in ("line", "city", "state", "postal_code")}


# Service field names (``address.postal_code``) to form field names (``postal_code``).
def form_field(service_field: str) -> str | None:
    name = service_field.removeprefix("address.")
    return name if name in RegistrationForm.base_fields else None
