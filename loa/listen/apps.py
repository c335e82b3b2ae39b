from django.apps import AppConfig


class ListenConfig(AppConfig):
    name = "loa.listen"
    verbose_name = "Theo dõi báo chí và mạng xã hội"
