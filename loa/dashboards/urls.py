from django.urls import path

from loa.dashboards import views

app_name = "dashboards"
urlpatterns = [
    path("", views.dashboard, name="index"),
    path("report/", views.unit_report_page, name="report"),
]
