"""What the home page shows each role."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from loa.people.models import Role, User
from loa.people.scope import scope_for
from loa.units.models import Level, Unit
from loa.units.selectors import today


@dataclass
class HomeSummary:
    role_label: str
    unit: Unit | None
    unit_at: str
    units_by_level: dict[str, int]
    users_in_scope: int
    can_manage_users: bool
    can_edit_catalogues: bool


def home_summary(user: User) -> HomeSummary:
    scope = scope_for(user)
    units = scope.filter(Unit.objects.valid_on(today()), "id").exclude(level=Level.OFFICE)
    by_level = dict(units.values_list("level").annotate(n=Count("id")).values_list("level", "n"))
    users = scope.filter(User.objects.all())
    return HomeSummary(
        role_label=str(Role(user.role).label) if user.role in Role.values else user.role,
        unit=user.unit,
        unit_at=(user.unit.valid_from or today()).isoformat()
        if user.unit and user.unit.valid_to
        else today().isoformat(),
        units_by_level={str(Level(k).label): v for k, v in sorted(by_level.items(), key=lambda kv: _ORDER[kv[0]])},
        users_in_scope=users.count(),
        can_manage_users=user.can_manage_users,
        can_edit_catalogues=user.is_national,
    )


_ORDER = {"nation": 0, "province": 1, "district": 2, "commune": 3, "office": 4}
