from django.urls import path

from . import views

app_name = "vendors"
urlpatterns = [
    path("", views.public_list, name="public_list"),
    # The registry: the desk's list, and one entry for its maintainers and administrators.
    path("registry/", views.registry, name="registry"),
    path("registry/new/", views.register, name="register"),
    # Vendor groups: the desk reads them, coordinators keep them.
    path("registry/groups/", views.group_list, name="groups"),
    path("registry/groups/new/", views.create_group, name="create_group"),
    path("registry/groups/<int:group_id>/", views.group_page, name="group"),
    path("registry/groups/<int:group_id>/edit/", views.update_group, name="update_group"),
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
    path("registry/<int:organisation_id>/members/", views.invite_member, name="invite_member"),
    path("registry/<int:organisation_id>/keys/withdraw/", views.withdraw_key, name="withdraw_key"),
    path("registry/<int:organisation_id>/products/", views.add_product, name="add_product"),
    path(
        "registry/<int:organisation_id>/products/remove/",
        views.remove_product,
        name="remove_product",
    ),
    # On a case (coordinators): find and add vendors, notify them, record a bounce.
    path("cases/<int:case_id>/find/", views.find_for_case, name="case_find"),
    path("cases/<int:case_id>/add/", views.add_to_case, name="case_add"),
    path("cases/<int:case_id>/notify/", views.notify_case_vendors, name="case_notify"),
    path("cases/<int:case_id>/bounce/", views.record_bounce, name="case_bounce"),
]
