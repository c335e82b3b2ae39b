"""Ranking breakdowns link to pages by paths kept in `ranking_criteria.PATHS` (reversing would import the whole
URLconf in a command-line ranking): every path must be the one Django's URLconf gives, under any script prefix."""

from __future__ import annotations

from string import Formatter

import pytest
from django.urls import reverse, set_script_prefix

from loa.outcomes.ranking_criteria import PATHS, _url


@pytest.mark.parametrize("name", sorted(PATHS))
def test_each_path_is_the_urlconf_path(name: str) -> None:
    kwargs = {field: 4711 for _text, field, _spec, _conv in Formatter().parse(PATHS[name]) if field}
    expected = reverse(name, kwargs=kwargs or None)
    assert _url(name, **kwargs) == expected
    assert _url(name, "unit=40&month=2025-06", **kwargs) == f"{expected}?unit=40&month=2025-06"


def test_paths_follow_the_script_prefix() -> None:
    set_script_prefix("/loa/")
    try:
        assert _url("plans:detail", plan_id=7) == reverse("plans:detail", kwargs={"plan_id": 7}) == "/loa/plans/7/"
    finally:
        set_script_prefix("/")
