from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/", views.create_case, name="create"),
    path("<int:case_id>/", views.case_detail, name="detail"),
    path("<int:case_id>/timeline/", views.case_timeline, name="timeline"),
    # Actions: POST only, coordinators only.
    path("<int:case_id>/details/", views.update_details, name="update_details"),
    path("<int:case_id>/phase/", views.advance_phase, name="advance_phase"),
    path("<int:case_id>/close/", views.close_case, name="close"),
    path("<int:case_id>/reopen/", views.reopen_case, name="reopen"),
    path("<int:case_id>/schedule/", views.change_schedule, name="change_schedule"),
    path("<int:case_id>/decisions/<str:kind>/", views.record_decision, name="record_decision"),
    path("<int:case_id>/vulnerabilities/", views.add_vulnerability, name="add_vulnerability"),
    path(
        "<int:case_id>/vulnerabilities/<int:vulnerability_id>/",
        views.update_vulnerability,
        name="update_vulnerability",
    ),
    path("<int:case_id>/products/", views.add_product, name="add_product"),
    path("<int:case_id>/events/", views.record_event, name="record_event"),
    path("<int:case_id>/participants/", views.add_participants, name="add_participants"),
    path(
        "<int:case_id>/participants/remove/",
        views.remove_participant,
        name="remove_participant",
    ),
    path("<int:case_id>/participants/rm/", views.change_rm, name="change_rm"),
    path("<int:case_id>/contacts/", views.record_contact, name="record_contact"),
    path("<int:case_id>/statuses/", views.record_status, name="record_status"),
    path("<int:case_id>/statuses/approve/", views.approve_status, name="approve_status"),
    path("<int:case_id>/embargo/propose/", views.propose_embargo, name="propose_embargo"),
    path("<int:case_id>/embargo/accept/", views.accept_embargo, name="accept_embargo"),
    path("<int:case_id>/embargo/reject/", views.reject_embargo, name="reject_embargo"),
    path("<int:case_id>/embargo/terminate/", views.terminate_embargo, name="terminate_embargo"),
    path("<int:case_id>/embargo/invite/", views.invite_to_embargo, name="invite_to_embargo"),
    path(
        "<int:case_id>/embargo/answer/", views.record_embargo_answer, name="record_embargo_answer"
    ),
]
