from django.urls import path

from recordroom.encounters import views

app_name = "encounters"

urlpatterns = [
    path("for-patient/<uuid:patient_id>/", views.for_patient_view, name="for_patient"),
    path("admit/<uuid:patient_id>/", views.admit_view, name="admit"),
    path("<uuid:public_id>/", views.encounter_view, name="detail"),
    path("<uuid:public_id>/transfer/", views.transfer_view, name="transfer"),
    path("<uuid:public_id>/discharge/", views.discharge_view, name="discharge"),
    path("<uuid:public_id>/cancel/<uuid:event_id>/", views.cancel_view, name="cancel"),
    path("<uuid:public_id>/consultants/", views.consultant_view, name="consultant"),
    path("units/", views.units_view, name="units"),
    path("units/<str:code>/", views.unit_view, name="unit"),
    path("units/<str:code>/capacity/", views.capacity_view, name="capacity"),
    path("units/<str:code>/beds/", views.add_bed_view, name="add_bed"),
    path("units/<str:code>/beds/<int:bed_id>/active/", views.bed_active_view, name="bed_active"),
    path("indices/", views.indices_view, name="indices"),
    path("indices/export.csv", views.index_export_view, name="index_export"),
]
