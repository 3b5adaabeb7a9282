"""The code search form (GET: a code or words, the date whose code sets apply, the system)."""

from __future__ import annotations

from django import forms

from recordroom.coding.models import CodeSystem
from recordroom.coding.services.search import MAX_QUERY


class CodeSearchForm(forms.Form):
    q = forms.CharField(
        label="Code or words",
        max_length=MAX_QUERY,
        help_text="A code (E11.9, e119, 0SR9) or words from the title or inclusion terms; spelling may be approximate.",
    )
    on = forms.DateField(
        label="Code sets in force on",
        required=False,
        help_text="The discharge date or date of service (default today).",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    system = forms.ChoiceField(
        label="Code system",
        required=False,
        choices=[("", "All code systems"), *CodeSystem.choices],
    )
