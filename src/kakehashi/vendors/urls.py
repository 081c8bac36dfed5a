from django.urls import path

from . import views

app_name = "vendors"
urlpatterns = [
    path("", views.public_list, name="public_list"),
]
