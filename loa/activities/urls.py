from django.urls import path

from loa.activities import import_views, views

app_name = "activities"
urlpatterns = [
    path("", views.activity_index, name="index"),
    path("new/", views.activity_new, name="new"),
    path("<int:activity_id>/", views.activity_show, name="detail"),
    path("<int:activity_id>/edit/", views.activity_edit, name="edit"),
    path("<int:activity_id>/copy/", views.activity_copy, name="copy"),
    path("<int:activity_id>/delete/", views.activity_delete, name="delete"),
    path("evidence/<int:evidence_id>/", views.evidence_download, name="evidence"),
    path("evidence/<int:evidence_id>/delete/", views.evidence_delete, name="evidence_delete"),
    path("import/", import_views.import_page, name="import"),
    path("import/<int:job_id>/", import_views.import_job, name="import_job"),
    path("import/<int:job_id>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("template.xlsx", views.template_download, name="template"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/<str:action>/", views.report_action, name="report_action"),
    path("completeness/", views.completeness_page, name="completeness"),
    path("tally/", views.tally_page, name="tally"),
]
