from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from loa.api import api
from loa.core import views as core_views

urlpatterns = [
    path("", core_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("units/", include("loa.units.urls")),
    path("catalogues/", include("loa.catalogues.urls")),
    path("people/", include("loa.people.urls")),
    path("audit/", include("loa.audit.urls")),
    path("answer/", include("loa.answer.urls")),
    path("activities/", include("loa.activities.urls")),
    path("plans/", include("loa.plans.urls")),
    path("outcomes/", include("loa.outcomes.urls")),
    path("dashboards/", include("loa.dashboards.urls")),
    path("listen/", include("loa.listen.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
]
