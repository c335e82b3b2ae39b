from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "loa.activities"
    verbose_name = "Hoạt động truyền thông"
