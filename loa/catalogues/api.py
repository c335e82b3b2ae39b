from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from loa.catalogues import services
from loa.catalogues.models import Form
from loa.catalogues.selectors import catalogue_entries
from loa.core.api import actor

router = Router(tags=["Danh mục"])


class EntryOut(Schema):
    code: str
    name: str
    name_en: str
    description: str
    active: bool
    sort_order: int


class MeasureOut(Schema):
    code: str
    name: str
    unit_label: str
    value_type: str
    required: bool
    min_value: float | None
    max_value: float | None


class FormOut(EntryOut):
    category: str
    measures: list[MeasureOut]


class EntryIn(Schema):
    code: str = ""
    name: str | None = None
    name_en: str | None = None
    description: str | None = None
    active: bool | None = None
    sort_order: int | None = None


@router.get("/forms", response=list[FormOut], summary="Hình thức truyền thông và các chỉ tiêu đo")
def list_forms(request: HttpRequest, include_retired: bool = False) -> list[Form]:
    forms = Form.objects.prefetch_related("measures")
    return list(forms if include_retired else forms.filter(active=True))


@router.get("/{slug}", response=list[EntryOut], summary="Các mục của một danh mục")
def list_entries(request: HttpRequest, slug: str, include_retired: bool = False) -> list[object]:
    return list(catalogue_entries(slug, include_retired=include_retired))


@router.post("/{slug}", response={201: EntryOut}, summary="Thêm mục (quản trị toàn quốc)")
def create_entry(request: HttpRequest, slug: str, payload: EntryIn) -> tuple[int, object]:
    values = payload.dict(exclude_none=True, exclude={"code"})
    return 201, services.catalogue_entry_create(actor(request), slug, payload.code, values)


@router.patch("/{slug}/{code}", response=EntryOut, summary="Đổi tên, mô tả, thứ tự hoặc ngừng dùng một mục")
def update_entry(request: HttpRequest, slug: str, code: str, payload: EntryIn) -> object:
    values = payload.dict(exclude_none=True, exclude={"code"})
    return services.catalogue_entry_update(actor(request), slug, code, values)
