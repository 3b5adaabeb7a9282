"""The privacy officer's emergency-access review queue."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from recordroom.access.errors import AccessDeniedError, AccessError
from recordroom.access.models import EmergencyAccess
from recordroom.access.selectors import emergency_accesses_for_review
from recordroom.access.services import review_emergency_access
from recordroom.core.requests import authenticated_user


@login_required
@require_GET
def emergency_queue_view(request: HttpRequest) -> HttpResponse:
    actor = authenticated_user(request)
    include_reviewed = request.GET.get("all") == "1"
    try:
        windows = list(emergency_accesses_for_review(actor, include_reviewed=include_reviewed, request=request)[:200])
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    return render(request, "access/emergency_queue.html", {"windows": windows, "include_reviewed": include_reviewed})


@login_required
@require_POST
def review_view(request: HttpRequest, public_id: str) -> HttpResponse:
    actor = authenticated_user(request)
    window = get_object_or_404(EmergencyAccess, public_id=public_id)
    try:
        review_emergency_access(
            window=window, actor=actor, finding=str(request.POST.get("finding", "")), request=request
        )
    except AccessDeniedError as exc:
        raise PermissionDenied from exc
    except AccessError as exc:
        windows = list(emergency_accesses_for_review(actor, request=request)[:200])
        return render(request, "access/emergency_queue.html", {"windows": windows, "error": exc.message}, status=400)
    return HttpResponseRedirect(reverse("access:emergency_queue"))
