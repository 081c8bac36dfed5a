from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
]
