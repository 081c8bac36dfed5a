from django.urls import path

from . import views

app_name = "unreachable"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("feed/", views.feed, name="feed"),
    # The desk's actions: POST only, the case's coordinators only.
    path("cases/<int:case_id>/list/", views.list_vendor, name="list_vendor"),
    path("<int:listing_id>/product/", views.add_product, name="add_product"),
    path("<int:listing_id>/remove/", views.remove, name="remove"),
]
