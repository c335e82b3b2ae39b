from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from loa.core.api import actor
from loa.people import services
from loa.people.models import User
from loa.people.selectors import user_get, user_list
from loa.units.selectors import unit_get

router = Router(tags=["Người dùng"])


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    unit: str | None
    is_active: bool

    @staticmethod
    def resolve_unit(obj: User) -> str | None:
        return obj.unit.code if obj.unit else None


class UserIn(Schema):
    username: str
    password: str
    role: str
    unit: str | None = None
    full_name: str = ""
    email: str = ""


class UserPatch(Schema):
    role: str
    unit: str | None = None
    full_name: str = ""
    is_active: bool = True


class PasswordIn(Schema):
    password: str


@router.get("/me", response=UserOut, summary="Người dùng hiện tại")
def me(request: HttpRequest) -> User:
    return actor(request)


@router.get("/", response=list[UserOut], summary="Người dùng trong phạm vi")
def list_users(request: HttpRequest, q: str = "") -> list[User]:
    return list(user_list(actor(request), q[:100])[:1000])


@router.post("/", response={201: UserOut}, summary="Tạo người dùng")
def create_user(request: HttpRequest, payload: UserIn) -> tuple[int, User]:
    unit = unit_get(payload.unit) if payload.unit else None
    return 201, services.user_create(
        actor(request),
        username=payload.username,
        password=payload.password,
        role=payload.role,
        unit=unit,
        full_name=payload.full_name,
        email=payload.email,
    )


@router.get("/{user_id}", response=UserOut, summary="Một người dùng")
def get_user(request: HttpRequest, user_id: int) -> User:
    return user_get(actor(request), user_id)


@router.patch("/{user_id}", response=UserOut, summary="Sửa vai trò, đơn vị, trạng thái")
def update_user(request: HttpRequest, user_id: int, payload: UserPatch) -> User:
    unit = unit_get(payload.unit) if payload.unit else None
    return services.user_update(
        actor(request), user_id, role=payload.role, unit=unit, full_name=payload.full_name, is_active=payload.is_active
    )


@router.post("/{user_id}/password", response={204: None}, summary="Đặt lại mật khẩu (quản trị)")
def reset_password(request: HttpRequest, user_id: int, payload: PasswordIn) -> tuple[int, None]:
    services.user_set_password(actor(request), user_id, payload.password)
    return 204, None
