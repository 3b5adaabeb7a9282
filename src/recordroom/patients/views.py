"""Patient search, registration and demographics screens. Views are thin: parse the form, call one
service, render (STYLE R2). Search terms travel in a POST body, never in the URL, so they stay out of
server logs, proxies and browser history (DESIGN invariant 3)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.auth import signed_in_user
from recordroom.core.vocabulary import Purpose
from recordroom.patients import services
from recordroom.patients.errors import PatientsError, PatientsErrorCode
from recordroom.patients.forms import RegistrationForm, SearchForm, form_field
from recordroom.patients.models import AdministrativeSex
from recordroom.patients.selectors import default_purpose_for


def _purpose(request: HttpRequest) -> Purpose:
    """The purpose of use for this user's patient work; a user without patient access is turned away
    before any form is shown (the services still decide, and record, every access)."""
    purpose = default_purpose_for(signed_in_user(request))
    if purpose is None:
        raise PermissionDenied
    return purpose


@login_required
@require_http_methods(["GET", "POST"])
def search_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    form = SearchForm(request.POST if request.method == "POST" else None)
    context: dict[str, Any] = {"form": form, "results": None, "purpose": purpose}
    if request.method == "POST" and form.is_valid():
        try:
            context["results"] = services.find_patients(
                actor=signed_in_user(request),
                purpose=purpose,
                query=form.cleaned_data["query"],
                dob=form.cleaned_data["dob"],
                request=request,
            )
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            form.add_error("dob" if exc.field == "dob" else "query", exc.message)
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, "patients/search.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def register_view(request: HttpRequest) -> HttpResponse:
    purpose = _purpose(request)
    form = RegistrationForm(request.POST if request.method == "POST" else None)
    duplicates: tuple[str, ...] = ()
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            patient = services.register_patient(
                actor=signed_in_user(request), purpose=purpose, given_name=data["given_name"],
                middle_name=data["middle_name"], family_name=data["family_name"],
                preferred_name=data["preferred_name"], date_of_birth=data["date_of_birth"],
                administrative_sex=data["administrative_sex"], ssn=data["ssn"], phone=data["phone"],
                email=data["email"], address=form.address(), restrictions=data["restrictions"],
                accept_possible_duplicates=data["register_anyway"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except PatientsError as exc:
            if exc.code is PatientsErrorCode.POSSIBLE_DUPLICATES:
                duplicates = exc.candidates
            else:
                form.add_error(form_field(exc.field) if exc.field else None, exc.message)
        else:
            return HttpResponseRedirect(reverse("patients:detail", args=[patient.public_id]) + "?registered=1")
    status = 400 if request.method == "POST" else 200
    return render(request, "patients/register.html", {"form": form, "duplicates": duplicates}, status=status)


@login_required
@require_GET
def patient_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    try:
        patient = services.get_patient(
            actor=signed_in_user(request), purpose=purpose, public_id=public_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc
    context = {
        "patient": patient,
        "display_name": services.display_name(patient),
        "sex_label": AdministrativeSex(patient.administrative_sex).label,
        "registered": request.GET.get("registered") == "1",
    }
    return render(request, "patients/patient.html", context)
