from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("preferences/", views.preferences, name="preferences"),
    path("organisations/<int:organisation_id>/", views.organisation_detail, name="organisation"),
    path("members/<int:membership_id>/remove/", views.remove_member, name="remove_member"),
    path("invitations/<str:secret>/", views.accept_invitation, name="accept_invitation"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke_token, name="revoke_token"),
]
