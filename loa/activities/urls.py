from django.urls import path

from loa.activities import views

app_name = "activities"
urlpatterns = [
    path("", views.activity_index, name="index"),
    path("new/", views.activity_new, name="new"),
    path("<int:activity_id>/delete/", views.activity_delete, name="delete"),
    path("import/", views.import_page, name="import"),
    path("template.xlsx", views.template_download, name="template"),
    path("reports/", views.reports_page, name="reports"),
    path("reports/<str:action>/", views.report_action, name="report_action"),
    path("tally/", views.tally_page, name="tally"),
]
