from django.urls import path

from . import triage, views

app_name = "messaging"
urlpatterns = [
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/count/", views.notification_count, name="notification_count"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/e-mail/", views.mail_preference, name="mail_preference"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("messages/cases/<int:case_id>/", views.case_threads, name="case_threads"),
    path("messages/cases/<int:case_id>/topics/", views.open_topic, name="open_topic"),
    path(
        "messages/cases/<int:case_id>/all-vendors/",
        views.post_to_all_vendors,
        name="post_to_all_vendors",
    ),
    path("messages/cases/<int:case_id>/<str:key>/", views.thread, name="thread"),
    path("messages/cases/<int:case_id>/<str:key>/post/", views.post, name="post"),
    path(
        "messages/cases/<int:case_id>/<str:key>/<int:message_id>/edit/",
        views.edit,
        name="edit",
    ),
    path(
        "messages/cases/<int:case_id>/<str:key>/<int:message_id>/history/",
        views.history,
        name="history",
    ),
    path(
        "messages/cases/<int:case_id>/<str:key>/files/<int:attachment_id>/",
        views.attachment,
        name="attachment",
    ),
    path("desk/mail/", triage.triage_list, name="triage_list"),
    path("desk/mail/<int:mail_id>/", triage.triage_detail, name="triage_detail"),
    path("desk/mail/<int:mail_id>/file/", triage.triage_file, name="triage_file"),
    path("desk/mail/<int:mail_id>/discard/", triage.triage_discard, name="triage_discard"),
    path(
        "desk/mail/<int:mail_id>/files/<int:attachment_id>/",
        triage.triage_attachment,
        name="triage_attachment",
    ),
    path("desk/mail/<int:mail_id>/raw/", triage.triage_raw, name="triage_raw"),
]
