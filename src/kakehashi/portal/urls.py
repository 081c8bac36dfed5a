from django.urls import path

from . import desk, views

app_name = "portal"
urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases/<int:case_id>/", views.case_page, name="case"),
    path("cases/<int:case_id>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("cases/<int:case_id>/verification/", views.verification, name="verification"),
    path("cases/<int:case_id>/countermeasure/", views.countermeasure, name="countermeasure"),
    path("cases/<int:case_id>/tracking-id/", views.tracking, name="tracking"),
    path("cases/<int:case_id>/sharing/", views.sharing, name="sharing"),
    path("cases/<int:case_id>/statuses/", views.record_status, name="status"),
    path("cases/<int:case_id>/schedule-requests/", views.request_schedule, name="schedule"),
    path("cases/<int:case_id>/embargo-answer/", views.answer_embargo, name="embargo"),
    path("cases/<int:case_id>/referrals/", views.refer, name="referral"),
    path(
        "coordination/cases/<int:case_id>/schedule-requests/<int:request_id>/",
        desk.decide_schedule_request,
        name="decide_schedule_request",
    ),
]
