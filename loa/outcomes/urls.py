from django.urls import path

from loa.outcomes import views, views_ranking

app_name = "outcomes"
urlpatterns = [
    path("", views.coverage_page, name="coverage"),
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("import/template/", views.template_download, name="template"),
    path("unit/<str:code>/", views.unit_page, name="unit"),
    path("ranking/", views_ranking.ranking_page, name="ranking"),
    path("ranking/scheme/", views_ranking.scheme_page, name="scheme"),
    path("ranking/checks/", views_ranking.checks_page, name="checks"),
    path("ranking/report.xlsx", views_ranking.ranking_report_xlsx, name="ranking_xlsx"),
    path("ranking/report.pdf", views_ranking.ranking_report_pdf, name="ranking_pdf"),
]
