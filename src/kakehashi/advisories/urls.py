from django.urls import path

from .views import alerts, desk, public, review

app_name = "advisories"
urlpatterns = [
    path("", public.advisory_list, name="list"),
    # The desk's editor (coordination only) before the public pages' catch-all name.
    path("desk/cases/<int:case_id>/start/", desk.start, name="start"),
    path("desk/<int:advisory_id>/", desk.editor, name="editor"),
    path("desk/<int:advisory_id>/<str:language>/save/", desk.save, name="save"),
    path("desk/<int:advisory_id>/<str:language>/approve/", desk.approve, name="approve"),
    path("desk/<int:advisory_id>/waive/", desk.waive, name="waive"),
    path("desk/<int:advisory_id>/critical/", desk.critical, name="critical"),
    path("desk/<int:advisory_id>/withdraw/", desk.withdraw, name="withdraw"),
    path("desk/<int:advisory_id>/preview/<str:language>/", desk.preview, name="preview"),
    # Alerts (JVNTA#): without a case, their facts and products, and when they go out.
    path("desk/alerts/", alerts.alerts, name="alerts"),
    path("desk/<int:advisory_id>/facts/", alerts.facts, name="alert_facts"),
    path("desk/<int:advisory_id>/products/", alerts.product_add, name="alert_product_add"),
    path(
        "desk/<int:advisory_id>/products/<int:product_id>/remove/",
        alerts.product_remove,
        name="alert_product_remove",
    ),
    path("desk/<int:advisory_id>/timing/", alerts.timing, name="alert_timing"),
    # A vendor's preview of its case's draft and its answer (from the vendor portal).
    path("review/cases/<int:case_id>/", review.vendor_review, name="vendor_review"),
    path(
        "review/cases/<int:case_id>/preview/<str:language>/",
        review.vendor_preview,
        name="vendor_preview",
    ),
    path("<slug:slug>/", public.advisory_page, name="page"),
]
