from django.urls import path

from . import views

app_name = "vendors"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    # The registry: the desk's list, and one entry for its maintainers and administrators.
    path("registry/", views.registry, name="registry"),
    path("registry/new/", views.register, name="register"),
    path("registry/<int:organisation_id>/", views.profile_page, name="profile"),
    # Actions on an entry: POST only.
    path("registry/<int:organisation_id>/profile/", views.update_profile, name="update_profile"),
    path("registry/<int:organisation_id>/contacts/", views.add_contact, name="add_contact"),
    path(
        "registry/<int:organisation_id>/contacts/remove/",
        views.remove_contact,
        name="remove_contact",
    ),
    path("registry/<int:organisation_id>/keys/", views.add_key, name="add_key"),
    path("registry/<int:organisation_id>/keys/withdraw/", views.withdraw_key, name="withdraw_key"),
    path("registry/<int:organisation_id>/products/", views.add_product, name="add_product"),
    path(
        "registry/<int:organisation_id>/products/remove/",
        views.remove_product,
        name="remove_product",
    ),
]
