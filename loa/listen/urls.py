from django.urls import path

from loa.listen import views, views_models

app_name = "listen"
urlpatterns = [
    path("", views.items_page, name="items"),
    path("sources/", views.sources_page, name="sources"),
    path("queries/save/", views.query_save, name="query_save"),
    path("items/<int:item_id>/", views.item_detail, name="item"),
    path("items/<int:item_id>/labels/", views.item_label, name="item_label"),
    path("items/<int:item_id>/assign/", views.assign, name="assign"),
    path("review/", views.review_page, name="review"),
    path("models/", views_models.versions_page, name="versions"),
    path("models/retrain/", views_models.versions_retrain, name="versions_retrain"),
    path("models/<int:version_id>/activate/", views_models.version_activate, name="version_activate"),
    path("assignments/", views.assignments_page, name="assignments"),
    path("assignments/<int:assignment_id>/", views.assignment_update, name="assignment_update"),
    path("briefing/", views.briefing_page, name="briefing"),
    path("briefing.pdf", views.briefing_pdf, name="briefing_pdf"),
]
