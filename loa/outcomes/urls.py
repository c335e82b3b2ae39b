from django.urls import path

from loa.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("ranking/scheme/", views.scheme_page, name="scheme"),
]
