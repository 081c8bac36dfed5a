from django.urls import path

from . import views

app_name = "statistics"
urlpatterns = [
    # The desk's pages first: "desk" would otherwise be read as a quarter.
    path("desk/", views.desk, name="desk"),
    path("desk/statistics.csv", views.desk_csv, name="desk_csv"),
    path("desk/<str:until>/", views.desk, name="desk_until"),
    path("", views.public, name="public"),
    path("statistics.csv", views.public_csv, name="public_csv"),
    path("<str:until>/", views.public, name="public_until"),
]
