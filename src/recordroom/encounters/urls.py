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
]
