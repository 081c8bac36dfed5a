from django.urls import path

from . import views

app_name = "disclosures"
urlpatterns = [
    path("cases/<int:case_id>/", views.case_log, name="case"),
    # POST only: the coordinator records a disclosure or decides a vendor's request.
    path("cases/<int:case_id>/record/", views.record, name="record"),
    path("<int:disclosure_id>/decide/", views.decide, name="decide"),
    # POST only: a vendor member asks from the portal.
    path("portal/cases/<int:case_id>/", views.request_user_notice, name="request"),
]
