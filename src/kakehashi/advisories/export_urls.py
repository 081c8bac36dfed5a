"""Language-free export URLs: OSV (/advisories/osv.json, /advisories/<ID>/osv.json),
VULDEF (/advisories/<ID>/vuldef.xml, vuldef.en.xml), JVNRSS (/feeds/jvnrss.xml,
jvnrss.en.xml) and CSAF 2.0 (/advisories/<ID>/csaf.json, csaf-en.json, csaf-ja.json and
the provider tree under /.well-known/csaf/)."""

from django.urls import path, re_path

from .views import csaf, exports

app_name = "exports"
urlpatterns = [
    path("advisories/osv.json", exports.osv_all, name="osv_all"),
    path("advisories/<slug:slug>/osv.json", exports.osv_one, name="osv"),
    path("advisories/<slug:slug>/csaf.json", csaf.document, name="csaf"),
    path("advisories/<slug:slug>/csaf-en.json", csaf.document, {"language": "en"}, name="csaf_en"),
    path("advisories/<slug:slug>/csaf-ja.json", csaf.document, {"language": "ja"}, name="csaf_ja"),
    path(
        ".well-known/csaf/provider-metadata.json",
        csaf.provider_metadata,
        name="csaf_provider_metadata",
    ),
    path(".well-known/csaf/feed-tlp-white.json", csaf.feed, name="csaf_feed"),
    path(".well-known/csaf/openpgp/<str:fingerprint>.asc", csaf.public_key, name="csaf_key"),
    path(".well-known/csaf/clear/", csaf.directory, name="csaf_directory"),
    path(".well-known/csaf/clear/index.txt", csaf.index_txt, name="csaf_index"),
    path(".well-known/csaf/clear/changes.csv", csaf.changes_csv, name="csaf_changes"),
    re_path(
        r"^\.well-known/csaf/clear/(?P<year>[0-9]{4})/$", csaf.year_directory, name="csaf_year"
    ),
    re_path(
        r"^\.well-known/csaf/clear/(?P<year>[0-9]{4})/(?P<name>[^/]+)$",
        csaf.tree_file,
        name="csaf_file",
    ),
    path("advisories/<slug:slug>/vuldef.xml", exports.vuldef_ja, name="vuldef"),
    path("advisories/<slug:slug>/vuldef.en.xml", exports.vuldef_en, name="vuldef_en"),
    path("feeds/jvnrss.xml", exports.jvnrss_ja, name="jvnrss"),
    path("feeds/jvnrss.en.xml", exports.jvnrss_en, name="jvnrss_en"),
]
