from django.urls import path

from recordroom.coding import views

app_name = "coding"

urlpatterns = [
    path("codes/", views.search_view, name="search"),
]
