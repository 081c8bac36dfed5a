from django.urls import path

from . import views

app_name = "translation"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("tasks/<int:task_id>/", views.task_page, name="task"),
    path("tasks/<int:task_id>/start/", views.start, name="start"),
    path("tasks/<int:task_id>/save/", views.save, name="save"),
    path("tasks/<int:task_id>/review/", views.review, name="review"),
    path("tasks/<int:task_id>/return/", views.send_back, name="return"),
    path("tasks/<int:task_id>/cancel/", views.cancel, name="cancel"),
    path("tasks/<int:task_id>/assign/", views.assign, name="assign"),
    path("tasks/<int:task_id>/due/", views.change_due, name="due"),
    path("tasks/<int:task_id>/machine/", views.machine, name="machine"),
    path("tasks/<int:task_id>/machine/status/", views.machine_status, name="machine_status"),
    path("cases/<int:case_id>/", views.case_translations, name="case"),
    path("cases/<int:case_id>/request/", views.request_translation, name="request"),
    path("glossary/", views.glossary, name="glossary"),
    path("glossary/add/", views.glossary_add, name="glossary_add"),
    path("glossary/<int:term_id>/", views.glossary_term, name="glossary_term"),
    path("glossary/<int:term_id>/delete/", views.glossary_delete, name="glossary_delete"),
]
