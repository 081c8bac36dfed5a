"""Language-free export URLs: /advisories/osv.json and /advisories/<ID>/osv.json."""

from django.urls import path

from .views import exports

app_name = "exports"
urlpatterns = [
    path("advisories/osv.json", exports.osv_all, name="osv_all"),
    path("advisories/<slug:slug>/osv.json", exports.osv_one, name="osv"),
]
