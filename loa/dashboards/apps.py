from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "loa.dashboards"
    verbose_name = "Bảng điều khiển"
