"""Every page a demo user can reach from the navigation (and the first detail page of each kind) renders, for
every demo role, on a small demo with data in every module: a page that only breaks on real-shaped data (the
audit page once did, on a change with a field named "items") is caught here."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from loa.activities.demo import demo_activities
from loa.activities.models import Activity
from loa.core.demo import demo_users
from loa.listen import classifying
from loa.listen.demo import demo_listen
from loa.listen.models import Item
from loa.outcomes.demo import demo_outcomes
from loa.plans.demo import demo_plans
from tests.listen.fakes import FAKE_PATH
from tests.listen.test_demo import _feed

pytestmark = pytest.mark.django_db
LINK = re.compile(r'href="(/[^"#?]*)"')
SKIP = ("/static/", "/admin/", "/api/", "/accounts/logout")


def _links(client: Client, url: str) -> set[str]:
    """The page's links, one per shape (/activities/12/ and /activities/13/ are one kind of page)."""
    shapes: dict[str, str] = {}
    for link in sorted(LINK.findall(client.get(url).content.decode())):
        if not link.startswith(SKIP):
            shapes.setdefault(re.sub(r"\d+", "N", link), link)
    return set(shapes.values())


def test_every_reachable_page_renders_for_every_demo_role(tmp_path: Path, settings: Any) -> None:
    settings.LISTEN_CLASSIFIER = FAKE_PATH
    classifying.clear_cache()
    users = demo_users()
    demo_activities(scale=0.02)
    demo_plans()
    demo_outcomes()
    assert demo_listen(days=14, path=_feed(tmp_path)) > 0
    details = [f"/activities/{Activity.objects.order_by('id').values_list('id', flat=True).first()}/",
               f"/listen/items/{Item.objects.order_by('id').values_list('id', flat=True).first()}/"]  # fmt: skip
    for user in users:
        client = Client()
        client.force_login(user)
        pages = _links(client, "/")
        for section in sorted(pages):  # one level down: the section pages' own links (details, sub-pages)
            pages |= _links(client, section)
        pages = set({re.sub(r"\d+", "N", p): p for p in sorted(pages)}.values())
        for url in sorted(pages | set(details)):
            response = client.get(url)
            assert response.status_code in (200, 302, 403, 404), f"{user.username} {url} {response.status_code}"
            if url in details and user.is_national:
                assert response.status_code == 200, f"{user.username} {url}"
        assert len(pages) > 15, user.username  # the crawl really went through the sections
