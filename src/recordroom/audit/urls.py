from django.urls import path

from recordroom.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.report_view, name="report"),
    path("export.csv", views.export_csv_view, name="export_csv"),
    path("export.fhir.json", views.export_fhir_view, name="export_fhir"),
]
