"""The JSON API root (django-ninja): feature routers, authentication, and errors turned into JSON."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from loa.activities.api import router as activities_router
from loa.answer.api import public_router as answer_public_router
from loa.answer.api import router as answer_router
from loa.audit.api import router as audit_router
from loa.catalogues.api import router as catalogues_router
from loa.core.api import AUTH
from loa.core.errors import LoaError
from loa.listen.api import router as listen_router
from loa.listen.api_trends import router as listen_trends_router
from loa.outcomes.api import router as outcomes_router
from loa.people.api import router as people_router
from loa.plans.api import router as plans_router
from loa.units.api import router as units_router

api = NinjaAPI(
    title="Loa API",
    version="1",
    auth=AUTH,
    urls_namespace="api",
    description="API của Loa: đơn vị, danh mục, người dùng, nhật ký, hỏi đáp.",
)
api.add_router("/units", units_router)
api.add_router("/catalogues", catalogues_router)
api.add_router("/users", people_router)
api.add_router("/audit", audit_router)
api.add_router("/activities", activities_router)
api.add_router("/answer", answer_public_router)
api.add_router("/answer", answer_router)
api.add_router("/plans", plans_router)
api.add_router("/outcomes", outcomes_router)
api.add_router("/listen", listen_router)
api.add_router("/listen", listen_trends_router)


@api.exception_handler(LoaError)
def loa_error(request: HttpRequest, exc: LoaError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=exc.status)


@api.exception_handler(AuthenticationError)
def auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "Chưa đăng nhập hoặc mã truy cập không hợp lệ."}, status=401)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {"field": ".".join(str(p) for p in e.get("loc", [])[1:]), "message": e.get("msg", "")} for e in exc.errors
    ]
    return api.create_response(request, {"detail": "Dữ liệu gửi lên không hợp lệ.", "errors": errors}, status=422)
