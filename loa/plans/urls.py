from django.urls import path

from loa.plans import views

app_name = "plans"
urlpatterns = [
    path("", views.plan_index, name="index"),
    path("new/", views.plan_new, name="new"),
    path("<int:plan_id>/", views.plan_detail, name="detail"),
    path("<int:plan_id>/export.xlsx", views.plan_export, name="export"),
    path("<int:plan_id>/targets/", views.target_save, name="target_save"),
    path("<int:plan_id>/tasks/", views.task_add, name="task_add"),
    path("<int:plan_id>/status/", views.plan_status, name="status"),
    path("targets/<int:target_id>/split/", views.target_split, name="split"),
    path("targets/<int:target_id>/delete/", views.target_delete, name="target_delete"),
    path("tasks/<int:task_id>/delete/", views.task_delete, name="task_delete"),
]
