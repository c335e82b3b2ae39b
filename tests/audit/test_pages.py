"""The audit pages show every kind of change: fields, reverse relations recorded by auditlog, many-to-many."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from loa.activities.services import activity_create
from loa.catalogues.models import Topic
from loa.listen.models import Source
from loa.people.models import User
from loa.units.selectors import unit_get
from tests.activities.test_ledger import conference
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_audit_page_lists_a_source_and_a_many_to_many_change(alice: User) -> None:
    source = Source.objects.create(name="Báo Mẫu", kind="rss", url="https://bao.test/rss")
    activity = activity_create(alice, conference(unit_get("BHXH-40")))
    activity.topics.add(*Topic.objects.all()[:2])
    assert LogEntry.objects.get_for_object(source).exists()
    page = client_for(alice).get(reverse("audit:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Báo Mẫu" in html and "topics" in html
    names = ", ".join(str(t) for t in Topic.objects.all()[:2])
    assert names.split(", ")[0] in html  # the added topic is named, not a raw dict
    detail = client_for(alice).get(reverse("activities:detail", args=[activity.pk])).content.decode()
    assert "topics" in detail and names.split(", ")[0] in detail
