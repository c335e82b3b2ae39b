"""Listen API: items (filters, saved-query expressions, keyset pages), items pushed from social tools, sources with
their health, saved queries. Reading is open to every signed-in user (listen data is national); writing sources and
items is for the national administrator (services.py decides)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from loa.core.api import actor
from loa.listen import responses, services
from loa.listen.models import Assignment, Item
from loa.listen.selectors import (
    ItemFilters,
    item_as_dict,
    item_page,
    saved_queries,
    source_as_dict,
    sources_health,
)

router = Router(tags=["Theo dõi báo chí"])


class ItemOut(Schema):
    id: int
    kind: str
    url: str
    title: str
    summary: str
    author: str
    source: int
    source_name: str
    published: dt.datetime | None
    seen_at: dt.datetime
    story: int | None
    story_copies: int = Field(description="Số bản cùng câu chuyện (tin đăng lại ở các báo khác)")
    relevant: bool | None = Field(description="Liên quan (nhãn của người phân tích nếu đã sửa); null: chưa phân loại")
    relevance_score: float | None
    tone: str | None
    tone_scores: dict[str, Any]
    topics: list[str]
    provinces: list[str]
    toxic: bool | None
    classified: bool
    labelled: bool


class ItemPageOut(Schema):
    items: list[ItemOut]
    next: str | None = Field(description="Con trỏ trang sau (gửi lại trong tham số cursor); null khi hết.")
    scanned: int = Field(description="Số tin đã xét cho trang này (khi lọc bằng biểu thức q)")


class ItemsQuery(Schema):
    relevant: bool | None = None
    tone: str | None = Field(default=None, description="negative, neutral hoặc positive")
    topic: str | None = Field(default=None, description="Mã chủ đề, ví dụ unemployment_insurance")
    province: str | None = Field(default=None, description="Tên tỉnh/thành (không phân biệt dấu)")
    source: int | None = None
    story: int | None = None
    date_from: dt.date | None = Field(default=None, alias="from")
    date_to: dt.date | None = Field(default=None, alias="to")
    q: str | None = Field(default=None, description='Biểu thức tìm kiếm: AND, OR, NOT, "cụm từ", "cụm từ"~5, NEAR/5')
    query: int | None = Field(default=None, description="Mã truy vấn đã lưu (dùng khi không có q)")
    limit: int = Field(default=50, ge=1, le=200)
    cursor: str | None = None

    def filters(self) -> ItemFilters:
        return ItemFilters(
            relevant=self.relevant,
            tone=self.tone or "",
            topic=self.topic or "",
            province=self.province or "",
            source=self.source,
            story=self.story,
            day_from=self.date_from,
            day_to=self.date_to,
            q=self.q or "",
            query=self.query,
        )


class PushIn(Schema):
    source: str = Field(description="Mã hoặc tên nguồn mạng xã hội (loại social_import)")
    items: list[dict[str, Any]] = Field(
        description="Mỗi mục: id, text (hoặc message), url, published, author, kind (post|comment), title"
    )


class RowErrorOut(Schema):
    row: int
    message: str


class ImportOut(Schema):
    created: int
    duplicates: int
    grouped: int
    unclassified: int
    errors: list[RowErrorOut]
    warnings: list[str]


class FetchOut(Schema):
    started_at: dt.datetime
    health: str
    http_status: int | None
    found: int
    created: int
    duplicates: int
    duration_ms: int
    message: str


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    url: str
    active: bool
    fetch_pages: bool
    interval_minutes: int
    health: str
    health_label: str
    last_fetch_at: dt.datetime | None
    last_ok_at: dt.datetime | None
    next_fetch_at: dt.datetime | None
    consecutive_failures: int
    last_error: str
    last_warning: str
    items_seen: int
    recent: list[FetchOut] = Field(default_factory=list)


class SourceIn(Schema):
    name: str
    kind: str = Field(default="rss", description="rss, atom, page hoặc social_import")
    url: str = ""
    interval_minutes: int = 30
    fetch_pages: bool = False
    lang: str = "vi"


class SavedQueryOut(Schema):
    id: int
    name: str
    expression: str
    owner: str | None
    unit: str | None


class SavedQueryIn(Schema):
    name: str
    expression: str


@router.get("/items", response=ItemPageOut, summary="Tin đã thu thập (mới nhất trước, theo trang)")
def list_items(request: HttpRequest, params: Query[ItemsQuery]) -> dict[str, Any]:
    page = item_page(actor(request), params.filters(), cursor=params.cursor, limit=params.limit)
    return {"items": [item_as_dict(i) for i in page.items], "next": page.next, "scanned": page.scanned}


@router.post("/items", response=ImportOut, summary="Đưa bài đăng/bình luận mạng xã hội vào Loa")
def push_items(request: HttpRequest, payload: PushIn) -> dict[str, Any]:
    user = actor(request)
    services.require_national(user)
    source = services.source_get(payload.source)
    return services.items_push(user, source, payload.items).as_dict()


@router.get("/sources", response=list[SourceOut], summary="Nguồn tin và tình trạng lấy tin")
def list_sources(request: HttpRequest) -> list[dict[str, Any]]:
    return sources_health(actor(request))


@router.post("/sources", response={201: SourceOut}, summary="Thêm nguồn tin")
def create_source(request: HttpRequest, payload: SourceIn) -> Status[dict[str, Any]]:
    source = services.source_create(actor(request), **payload.model_dump())
    return Status(201, source_as_dict(source))


def _query(q: Any) -> dict[str, Any]:
    return {
        "id": q.pk,
        "name": q.name,
        "expression": q.expression,
        "owner": q.owner.username if q.owner else None,
        "unit": q.unit.code if q.unit_id else None,
    }


@router.get("/queries", response=list[SavedQueryOut], summary="Truy vấn đã lưu")
def list_queries(request: HttpRequest) -> list[dict[str, Any]]:
    return [_query(q) for q in saved_queries(actor(request)).select_related("unit")[:500]]


@router.post("/queries", response={201: SavedQueryOut}, summary="Lưu một truy vấn (biểu thức được kiểm tra trước)")
def create_query(request: HttpRequest, payload: SavedQueryIn) -> Status[dict[str, Any]]:
    return Status(201, _query(services.saved_query_create(actor(request), payload.name, payload.expression)))


# --- label corrections and response tracking ---------------------------------------------------------------


class LabelsIn(Schema):
    relevant: bool | None = Field(default=None, description="Bỏ trống: giữ nguyên")
    tone: str | None = Field(default=None, description='negative, neutral, positive; "" bỏ nhãn sửa (theo máy)')
    topics: list[str] | None = None
    provinces: list[str] | None = None
    toxic: bool | None = None


@router.patch("/items/{item_id}/labels", response=ItemOut, summary="Sửa nhãn một tin (liên quan, sắc thái, chủ đề)")
def label_item(request: HttpRequest, item_id: int, payload: LabelsIn) -> dict[str, Any]:
    item = services.item_label(actor(request), item_id, **payload.model_dump())
    return item_as_dict(Item.objects.select_related("source", "story").get(pk=item.pk))


class AssignmentOut(Schema):
    id: int
    item: int
    item_title: str
    item_url: str
    story: int | None
    unit: str = Field(description="Mã đơn vị được giao")
    unit_name: str
    status: str
    status_label: str
    response_url: str
    note: str
    assigned_by: str | None
    created_at: dt.datetime
    updated_at: dt.datetime


class AssignIn(Schema):
    unit: str = Field(description="Mã đơn vị BHXH, ví dụ BHXH-40")
    whole_story: bool = Field(default=False, description="Giao cả câu chuyện (mọi bản đăng lại)")
    status: str = Field(default="new", description="new, in_progress, answered, not_needed")
    response_url: str = ""
    note: str = ""


class AssignmentPatch(Schema):
    status: str | None = None
    response_url: str | None = None
    note: str | None = None


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.pk,
        "item": a.item_id,
        "item_title": a.item.title,
        "item_url": a.item.url,
        "story": a.story_id,
        "unit": a.unit.code,
        "unit_name": a.unit.name,
        "status": a.status,
        "status_label": str(a.get_status_display()),
        "response_url": a.response_url,
        "note": a.note,
        "assigned_by": a.assigned_by.username if a.assigned_by else None,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


@router.get("/assignments", response=list[AssignmentOut], summary="Việc phản hồi của các đơn vị trong phạm vi")
def list_assignments(request: HttpRequest, status: str | None = None) -> list[dict[str, Any]]:
    qs = responses.assignments_for(actor(request))
    if status:
        qs = qs.filter(status=status)
    return [_assignment(a) for a in qs[:1000]]


@router.post(
    "/items/{item_id}/assignment", response=AssignmentOut, summary="Giao một tin (hoặc câu chuyện) để phản hồi"
)
def assign_item(request: HttpRequest, item_id: int, payload: AssignIn) -> dict[str, Any]:
    user = actor(request)
    saved = responses.assignment_save(user, item_id, **payload.model_dump())
    return _assignment(responses.assignment_get(user, saved.pk))


@router.patch("/assignments/{assignment_id}", response=AssignmentOut, summary="Cập nhật trạng thái phản hồi")
def update_assignment(request: HttpRequest, assignment_id: int, payload: AssignmentPatch) -> dict[str, Any]:
    user = actor(request)
    responses.assignment_update(user, assignment_id, **payload.model_dump())
    return _assignment(responses.assignment_get(user, assignment_id))
