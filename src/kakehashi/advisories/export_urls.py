"""Language-free export URLs: OSV (/advisories/osv.json, /advisories/<ID>/osv.json),
VULDEF (/advisories/<ID>/vuldef.xml, vuldef.en.xml) and JVNRSS (/feeds/jvnrss.xml,
jvnrss.en.xml)."""

from django.urls import path

from .views import exports

app_name = "exports"
urlpatterns = [
    path("advisories/osv.json", exports.osv_all, name="osv_all"),
    path("advisories/<slug:slug>/osv.json", exports.osv_one, name="osv"),
    path("advisories/<slug:slug>/vuldef.xml", exports.vuldef_ja, name="vuldef"),
    path("advisories/<slug:slug>/vuldef.en.xml", exports.vuldef_en, name="vuldef_en"),
    path("feeds/jvnrss.xml", exports.jvnrss_ja, name="jvnrss"),
    path("feeds/jvnrss.en.xml", exports.jvnrss_en, name="jvnrss_en"),
]
