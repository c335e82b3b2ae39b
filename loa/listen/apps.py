from django.apps import AppConfig


class ListenConfig(AppConfig):
    name = "loa.listen"
    verbose_name = "Theo dõi báo chí và mạng xã hội"

    def ready(self) -> None:
        from loa.core import chains
        from loa.listen import alerting, tasks

        chains.register("listen.fetch", tasks.schedule_next)
        chains.register("listen.alerts", alerting.schedule_next)
