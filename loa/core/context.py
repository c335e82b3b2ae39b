"""Template context for the shell: the navigation a user's role allows."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _


def shell(request: HttpRequest) -> dict[str, object]:
    user = request.user
    if not user.is_authenticated:
        return {"nav": []}
    nav = [(_("Trang chủ"), reverse("home")), (_("Đơn vị"), reverse("units:browse"))]
    nav.append((_("Danh mục"), reverse("catalogues:index")))
    if getattr(user, "can_manage_users", False):
        nav.append((_("Người dùng"), reverse("people:users")))
    nav.append((_("Hoạt động"), reverse("activities:index")))
    nav.append((_("Kế hoạch"), reverse("plans:index")))
    nav.append((_("Bao phủ"), reverse("outcomes:coverage")))
    nav.append((_("Bảng điều khiển"), reverse("dashboards:index")))
    nav.append((_("Theo dõi báo chí"), reverse("listen:items")))
    nav.append((_("Hộp thư hỏi đáp"), reverse("answer:inbox")))
    nav.append((_("Ngân hàng câu hỏi"), reverse("answer:bank")))
    nav.append((_("Tổng đài viên"), reverse("answer:agent")))
    nav.append((_("Nhật ký"), reverse("audit:list")))
    nav.append((_("Mã API"), reverse("people:tokens")))
    return {"nav": nav}
