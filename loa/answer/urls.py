from django.urls import path

from loa.answer import views, webhooks

app_name = "answer"
urlpatterns = [
    path("widget.js", views.widget_js, name="widget_js"),
    path("widget/", views.widget_demo, name="widget_demo"),
    path("agent/", views.agent, name="agent"),
    path("inbox/", views.inbox_page, name="inbox"),
    path("inbox/<int:ticket_id>/", views.ticket_page, name="ticket"),
    path("bank/", views.bank_page, name="bank"),
    path("bank/<slug:key>/", views.entry_page, name="entry"),
    path("bank/<slug:key>/status/", views.entry_status, name="entry_status"),
    path("retrain/", views.retrain, name="retrain"),
    path("analytics/", views.analytics, name="analytics"),
    path("laws/", views.laws_page, name="laws"),
    path("webhooks/zalo/", webhooks.zalo, name="webhook_zalo"),
    path("webhooks/facebook/", webhooks.facebook, name="webhook_facebook"),
]
