from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "loa.people"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from loa.people.scope import forget_closures
        from loa.units.models import OfficeArea, Unit, UnitLink

        # A unit edited in this process is seen at once; other processes notice within STAMP_CHECK_S.
        for model in (Unit, UnitLink, OfficeArea):
            post_save.connect(forget_closures, sender=model, dispatch_uid=f"scope-{model.__name__}-save")
            post_delete.connect(forget_closures, sender=model, dispatch_uid=f"scope-{model.__name__}-delete")
