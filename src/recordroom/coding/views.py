"""The code search screen for coders (``/coding/codes/``): the form, and its results as an htmx fragment
that updates as the coder types. Thin: parse the form, call one service, render (STYLE R2)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from recordroom.access.errors import AccessDeniedError
from recordroom.accounts.auth import signed_in_user
from recordroom.coding.errors import CodingError
from recordroom.coding.forms import CodeSearchForm
from recordroom.coding.services import search_codes
from recordroom.coding.services.search import CodeResult


@login_required
@require_GET
def search_view(request: HttpRequest) -> HttpResponse:
    form = CodeSearchForm(request.GET if "q" in request.GET else None)
    results: list[CodeResult] | None = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            results = search_codes(
                actor=signed_in_user(request),
                query=form.cleaned_data["q"],
                on=form.cleaned_data["on"],
                system=form.cleaned_data["system"] or "",
                request=request,
            )
        except AccessDeniedError as exc:
            raise PermissionDenied from exc
        except CodingError as exc:
            form.add_error("q" if exc.field in ("", "q") else None, exc.message)
            status = 400
    elif form.is_bound:
        status = 400
    context = {"form": form, "results": results}
    template = "coding/_results.html" if request.headers.get("HX-Request") else "coding/search.html"
    return render(request, template, context, status=status)
