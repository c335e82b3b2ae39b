from django.urls import path

from loa.units import views

app_name = "units"
urlpatterns = [
    path("", views.browse, name="browse"),
    path("<str:code>/", views.detail, name="detail"),
]
