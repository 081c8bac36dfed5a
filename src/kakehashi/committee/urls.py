from django.urls import path

from . import views

app_name = "committee"
urlpatterns = [
    path("", views.file_list, name="list"),
    path("<int:file_id>/", views.file_detail, name="detail"),
    path("<int:file_id>/attachments/<int:attachment_id>/", views.attachment, name="attachment"),
    # Opening a file: POST only, the case's coordinators only.
    path("cases/<int:case_id>/open/", views.open_file, name="open"),
    path("listings/<int:listing_id>/declare/", views.declare, name="declare"),
    # Feeding and judging a file: POST only.
    path("<int:file_id>/draft/", views.add_draft, name="draft"),
    path("<int:file_id>/notice/", views.add_notice, name="notice"),
    path("<int:file_id>/opinion/", views.add_opinion, name="opinion"),
    path("<int:file_id>/criterion/", views.add_assessment, name="criterion"),
    path("<int:file_id>/decision/", views.add_decision, name="decision"),
    path("<int:file_id>/statement/", views.add_statement, name="statement"),
    path("<int:file_id>/meti/", views.add_meti, name="meti"),
]
