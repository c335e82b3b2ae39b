from django.contrib import admin

from loa.units.models import OfficeArea, Unit, UnitLink


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "version", "valid_from", "valid_to"]
    list_filter = ["level", "version"]
    search_fields = ["code", "name", "name_folded"]
    raw_id_fields = ["parent"]


@admin.register(UnitLink)
class UnitLinkAdmin(admin.ModelAdmin):
    list_display = ["old", "new", "kind", "primary"]
    list_filter = ["kind", "primary"]
    raw_id_fields = ["old", "new"]


@admin.register(OfficeArea)
class OfficeAreaAdmin(admin.ModelAdmin):
    list_display = ["office", "unit", "valid_from", "valid_to"]
    raw_id_fields = ["office", "unit"]
