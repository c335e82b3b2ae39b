"""Scopes are cached per process, but never past a change of the unit tables."""

from __future__ import annotations

import pytest

from loa.people.scope import unit_closure
from loa.units.models import Level, Unit, Version
from tests.conftest import office

pytestmark = pytest.mark.django_db


def test_closure_is_cached_and_follows_a_new_unit() -> None:
    province_office = office("BHXH-40")
    first = unit_closure(province_office)
    assert unit_closure(province_office) is first  # the second call is served from the cache
    child = Unit.objects.create(
        code="BHXH-40-TEST",
        name="BHXH cơ sở thử nghiệm",
        level=Level.OFFICE,
        version=Version.V2025,
        parent=province_office,
        path=f"{province_office.path}TEST/",
    )
    assert child.pk in unit_closure(province_office)  # the unit table changed: recomputed
