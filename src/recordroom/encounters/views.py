"""Encounter screens: a patient's encounter list (an htmx fragment on the patient page), the admit form,
and the encounter page with its ADT timeline and the transfer, discharge and cancel forms (POST only).
Views are thin: parse the form, call one service, render (STYLE R2)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.auth import signed_in_user
from recordroom.core.vocabulary import Purpose
from recordroom.encounters import selectors, services
from recordroom.encounters.errors import EncountersError, EncountersErrorCode
from recordroom.encounters.forms import AdmitForm, CancelForm, DischargeForm, TransferForm, form_field
from recordroom.encounters.models import Encounter
from recordroom.patients import services as patient_services
from recordroom.patients.errors import PatientsError
from recordroom.patients.models import Patient

NOTICES = {
    "admitted": "Patient admitted.",
    "transferred": "Transfer recorded.",
    "discharged": "Discharge recorded.",
    "cancelled": "Movement cancelled.",
}


def _purpose(request: HttpRequest) -> Purpose:
    purpose = selectors.default_purpose_for(signed_in_user(request))
    if purpose is None:
        raise PermissionDenied
    return purpose


def _patient(request: HttpRequest, purpose: Purpose, patient_id: str) -> Patient:
    try:
        return patient_services.get_patient(
            actor=signed_in_user(request), purpose=purpose, public_id=patient_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except PatientsError as exc:
        raise Http404 from exc


def _encounter(request: HttpRequest, purpose: Purpose, public_id: str) -> Encounter:
    try:
        return services.get_encounter(
            actor=signed_in_user(request), purpose=purpose, public_id=public_id, request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except EncountersError as exc:
        raise Http404 from exc


def _add_error(form: forms.Form, exc: EncountersError) -> None:
    form.add_error(form_field(form, exc.field), exc.message)


@login_required
@require_GET
def for_patient_view(request: HttpRequest, patient_id: str) -> HttpResponse:
    """The encounters section of the patient page. A refusal is recorded by the selector and shown as a
    sentence in the fragment (htmx swaps only successful responses)."""
    user = signed_in_user(request)
    purpose = selectors.default_purpose_for(user)
    context: dict[str, Any] = {"encounters": None, "patient_id": patient_id, "may_admit": False}
    try:
        patient = patient_services.get_patient(actor=user, purpose=purpose, public_id=patient_id, request=request)
        context["encounters"] = selectors.encounters_for_patient(user, purpose, patient, request=request)
        context["may_admit"] = selectors.may_admit(user, patient, purpose)
    except AccessDeniedError:
        pass
    except PatientsError as exc:
        raise Http404 from exc
    return render(request, "encounters/_patient_encounters.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def admit_view(request: HttpRequest, patient_id: str) -> HttpResponse:
    purpose = _purpose(request)
    patient = _patient(request, purpose, patient_id)
    if request.method == "GET" and not selectors.may_admit(signed_in_user(request), patient, purpose):
        raise PermissionDenied
    form = AdmitForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            encounter = services.admit_patient(
                actor=signed_in_user(request), purpose=purpose, patient=patient,
                encounter_class=data["encounter_class"], admitted_at=data["admitted_at"],
                admit_type=data["admit_type"], admit_source=data["admit_source"], attending=data["attending"],
                bed=data["bed"], expected_payer=data["expected_payer"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return HttpResponseRedirect(reverse("encounters:detail", args=[encounter.public_id]) + "?done=admitted")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "patient": patient, "display_name": patient_services.display_name(patient)}
    return render(request, "encounters/admit.html", context, status=status)


def _render_encounter(
    request: HttpRequest, encounter: Encounter, purpose: Purpose, status: int = 200, **forms_: forms.Form
) -> HttpResponse:
    user = signed_in_user(request)
    context: dict[str, Any] = {
        "encounter": encounter,
        "timeline": selectors.adt_timeline(encounter),
        "consultants": list(encounter.consulting.order_by("display_name")),
        "may_update": selectors.may_record_movements(user, encounter, purpose),
        "notice": NOTICES.get(request.GET.get("done", "")),
        "transfer_form": forms_.get("transfer_form") or TransferForm(),
        "discharge_form": forms_.get("discharge_form") or DischargeForm(),
        "cancel_form": forms_.get("cancel_form") or CancelForm(),
    }
    return render(request, "encounters/encounter.html", context, status=status)


@login_required
@require_GET
def encounter_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    return _render_encounter(request, _encounter(request, purpose, public_id), purpose)


def _done(encounter: Encounter, what: str) -> HttpResponse:
    return HttpResponseRedirect(reverse("encounters:detail", args=[encounter.public_id]) + f"?done={what}")


@login_required
@require_POST
def transfer_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_patient(
                actor=signed_in_user(request), purpose=purpose, encounter=encounter, bed=form.cleaned_data["bed"],
                effective_at=form.cleaned_data["effective_at"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return _done(encounter, "transferred")
    return _render_encounter(request, encounter, purpose, 400, transfer_form=form)


@login_required
@require_POST
def discharge_view(request: HttpRequest, public_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    form = DischargeForm(request.POST)
    if form.is_valid():
        try:
            services.discharge_patient(
                actor=signed_in_user(request), purpose=purpose, encounter=encounter,
                discharged_at=form.cleaned_data["discharged_at"], disposition=form.cleaned_data["disposition"],
                request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            _add_error(form, exc)
        else:
            return _done(encounter, "discharged")
    return _render_encounter(request, encounter, purpose, 400, discharge_form=form)


@login_required
@require_POST
def cancel_view(request: HttpRequest, public_id: str, event_id: str) -> HttpResponse:
    purpose = _purpose(request)
    encounter = _encounter(request, purpose, public_id)
    event = selectors.adt_event_of(encounter, event_id)
    if event is None:
        raise Http404
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.cancel_event(
                actor=signed_in_user(request), purpose=purpose, event=event,
                reason_code=form.cleaned_data["reason_code"], request=request,
            )  # fmt: skip
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except EncountersError as exc:
            if exc.code is EncountersErrorCode.NOT_CANCELLABLE:
                form.add_error(None, exc.message)
            else:
                _add_error(form, exc)
        else:
            return _done(encounter, "cancelled")
    return _render_encounter(request, encounter, purpose, 400, cancel_form=form)
