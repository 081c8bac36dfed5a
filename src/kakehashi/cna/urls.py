from django.urls import path

from . import views

app_name = "cna"
urlpatterns = [
    path("", views.pool, name="pool"),
    path("reserve/", views.reserve, name="reserve"),
    path("add/", views.add_ids, name="add_ids"),
    path("ids/<str:cve_id>/release/", views.release, name="release"),
    path("assign/<int:vulnerability_id>/", views.assign, name="assign"),
    path("records/<str:cve_id>/", views.record_page, name="record"),
    path("records/<str:cve_id>/save/", views.save_record, name="save"),
    path("records/<str:cve_id>/check/", views.check, name="check"),
    path("records/<str:cve_id>/publish/", views.publish, name="publish"),
    path("records/<str:cve_id>/reject/", views.reject, name="reject"),
    path("corpus/", views.corpus, name="corpus"),
]
