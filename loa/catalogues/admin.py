from django.contrib import admin

from loa.catalogues.models import CATALOGUES, FormMeasure


class MeasureInline(admin.TabularInline):
    model = FormMeasure
    extra = 0


for model in CATALOGUES.values():
    admin.site.register(
        model,
        inlines=[MeasureInline] if model.__name__ == "Form" else [],
        list_display=["code", "name", "active", "sort_order"],
        search_fields=["code", "name"],
    )
