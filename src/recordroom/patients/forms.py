"""Patient search and registration forms. They parse; the services check the rules and say which field
is wrong (the views put a service's message on that field)."""

from __future__ import annotations

from django import forms

from recordroom.patients.codes import LANGUAGES, Ethnicity, GenderIdentity, IdentifierType, Race
from recordroom.patients.models import PATIENT_RESTRICTIONS, AdministrativeSex, PatientStatus

OFF = {"autocomplete": "off", "spellcheck": "false"}


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date", "autocomplete": "off"}, format="%Y-%m-%d")


class SearchForm(forms.Form):
    query = forms.CharField(
        max_length=100,
        label="Name or MRN",
        help_text="Family and given name (spelling may be approximate), the medical record number, or another "
        "authority's number (driver's license, Medicare, SSN...).",
        widget=forms.TextInput(attrs={**OFF, "autofocus": True}),
    )
    dob = forms.DateField(required=False, label="Date of birth (optional)", widget=_date_input())


class DemographicsForm(forms.Form):
    """The demographic fields shared by registration, correction and an overlay split."""

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
    gender_identity = forms.ChoiceField(
        choices=[("", "Not recorded"), *GenderIdentity.choices], required=False, label="Gender identity (optional)"
    )
    preferred_language = forms.ChoiceField(
        choices=[("", "Not recorded"), *LANGUAGES.items()], required=False, label="Preferred language (optional)"
    )
    ethnicity = forms.ChoiceField(
        choices=[("", "Not recorded"), *Ethnicity.choices], required=False, label="Ethnicity (optional)"
    )
    race = forms.MultipleChoiceField(
        choices=Race.choices, required=False, widget=forms.CheckboxSelectMultiple, label="Race (one or more)"
    )

    def address(self) -> dict[str, str]:
        return {part: self.cleaned_data[part] for part in ("line", "city", "state", "postal_code")}

    def demographics(self) -> dict[str, object]:
        """The cleaned fields as the services' keyword arguments."""
        data = self.cleaned_data
        names = ("given_name", "middle_name", "family_name", "preferred_name", "date_of_birth", "administrative_sex",
                 "ssn", "phone", "email", "gender_identity", "preferred_language", "race")  # fmt: skip
        values: dict[str, object] = {name: data[name] for name in names}
        values["ethnicity"] = [data["ethnicity"]] if data["ethnicity"] else []
        values["address"] = self.address()
        return values


class RegistrationForm(DemographicsForm):
    identifier_authority = forms.CharField(
        max_length=64, required=False, label="Assigning authority (optional)",
        help_text="Who issued the number, e.g. IL-DMV, US-SSA, a health plan or another hospital.",
        widget=forms.TextInput(attrs=OFF),
    )  # fmt: skip
    identifier_type = forms.ChoiceField(
        choices=[("", "Choose..."), *IdentifierType.choices], required=False, label="Identifier type"
    )
    identifier_value = forms.CharField(
        max_length=64, required=False, label="Identifier number", widget=forms.TextInput(attrs=OFF)
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

    def identifiers(self) -> list[dict[str, str]]:
        data = self.cleaned_data
        item = {"authority": data["identifier_authority"], "type_code": data["identifier_type"],
                "value": data["identifier_value"]}  # fmt: skip
        return [item] if any(item.values()) else []


class EditDemographicsForm(DemographicsForm):
    moved_on = forms.DateField(
        required=False, label="Moved on (optional)", help_text="When the address changed; today if empty.",
        widget=_date_input(),
    )  # fmt: skip


class IdentifierForm(forms.Form):
    authority = forms.CharField(max_length=64, label="Assigning authority", widget=forms.TextInput(attrs=OFF))
    type_code = forms.ChoiceField(choices=[("", "Choose..."), *IdentifierType.choices], label="Identifier type")
    value = forms.CharField(max_length=64, label="Identifier number", widget=forms.TextInput(attrs=OFF))


class PickForm(forms.Form):
    """Which two records: each by MRN or by the record's id (links from the duplicate queue carry ids)."""

    survivor = forms.CharField(
        max_length=100, label="Surviving record (MRN or record id)", widget=forms.TextInput(attrs=OFF)
    )
    retired = forms.CharField(
        max_length=100, label="Duplicate record to retire (MRN or record id)", widget=forms.TextInput(attrs=OFF)
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500, min_length=4, label="Reason",
        help_text="Why (4-500 characters); kept sealed with the merge record.",
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "true"}),
    )  # fmt: skip


class SplitForm(DemographicsForm):
    rows = forms.MultipleChoiceField(
        choices=[], widget=forms.CheckboxSelectMultiple, label="Rows that belong to the second person"
    )
    reason = forms.CharField(
        max_length=500, min_length=4, label="Reason",
        help_text="Why this record holds two people (4-500 characters); kept sealed with the split record.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args: object, row_choices: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        rows = self.fields["rows"]
        if isinstance(rows, forms.ChoiceField):
            rows.choices = row_choices


class IndexFilterForm(forms.Form):
    status = forms.ChoiceField(choices=[("", "All"), *PatientStatus.choices], required=False, label="Status")
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


# Service field names (``address.postal_code``) to form field names (``postal_code``).
def form_field(service_field: str, form: type[forms.Form] = RegistrationForm) -> str | None:
    name = service_field.removeprefix("address.")
    return name if name in form.base_fields else None
