from django.urls import path

from loa.audit import views

app_name = "audit"
urlpatterns = [path("", views.entries, name="list")]
