"""Intake views: the public side. Each module owns its URL patterns.

The finder's pages live in ``public_form`` (the report form), ``public_finder``
(following a report) and ``public_policy`` (the disclosure policy and the PGP key).
"""

from django.urls import URLPattern, path

from . import public_finder, public_form, public_policy

urlpatterns: list[URLPattern] = [
    path("report/", public_form.report_start, name="report_start"),
    path("report/consent/", public_form.report_consent, name="report_consent"),
    path("report/step/<slug:step>/", public_form.report_step, name="report_step"),
    path("report/confirm/", public_form.report_confirm, name="report_confirm"),
    path("report/done/", public_form.report_done, name="report_done"),
    path("report/cancel/", public_form.report_cancel, name="report_cancel"),
    path("report/cvss-score/", public_form.cvss_preview, name="cvss_preview"),
    path("report/pgp-key.asc", public_policy.pgp_key, name="pgp_key"),
    path("report/follow-up/<str:token>/", public_finder.follow_up, name="follow_up"),
    path("report/status/<int:report_id>/", public_finder.report_status, name="report_status"),
    path("report/status/<int:report_id>/reply/", public_finder.report_reply, name="report_reply"),
    path("report/mine/", public_finder.my_reports, name="my_reports"),
    path("policy/", public_policy.policy, name="policy"),
    path("policy/edit/", public_policy.policy_edit, name="policy_edit"),
]
