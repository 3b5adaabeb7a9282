"""URL map: the web shell at /, sign-in under /accounts/, the JSON API under /api/v1/."""

from django.urls import include, path

from recordroom.api import api

urlpatterns = [
    path("accounts/", include("recordroom.accounts.urls")),
    path("access/", include("recordroom.access.urls")),
    path("audit/", include("recordroom.audit.urls")),
    path("patients/", include("recordroom.patients.urls")),
    path("encounters/", include("recordroom.encounters.urls")),
    path("documents/", include("recordroom.documents.urls")),
    path("coding/", include("recordroom.coding.urls")),
    path("api/v1/", api.urls),
    path("", include("recordroom.web.urls")),
]

handler400 = "recordroom.web.views.bad_request"
handler403 = "recordroom.web.views.permission_denied"
handler404 = "recordroom.web.views.page_not_found"
handler500 = "recordroom.web.views.server_error"
