from django.urls import path

from loa.catalogues import views

app_name = "catalogues"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.entries, name="entries"),
    path("<slug:slug>/new/", views.entry_new, name="entry_new"),
    path("<slug:slug>/<str:code>/edit/", views.entry_edit, name="entry_edit"),
]
