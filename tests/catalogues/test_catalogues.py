"""Catalogues are seeded from the domain and can be renamed or retired without breaking data that uses them."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry

from loa.catalogues.models import AudienceGroup, Form, FormMeasure, Language, TaskGroup
from loa.catalogues.services import catalogue_entry_update, catalogues_seed
from loa.people.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_seed_holds_the_domain_vocabulary() -> None:
    assert AudienceGroup.objects.count() == 6
    assert TaskGroup.objects.count() == 9
    assert {"ede", "hmong", "thai", "khmer", "jrai", "mnong"} <= set(Language.objects.values_list("code", flat=True))
    conference = Form.objects.get(code="conference")
    assert conference.measures.get(code="attendees").required
    loudspeaker = {m.code for m in Form.objects.get(code="loudspeaker").measures.all()}
    assert loudspeaker == {"broadcasts", "minutes"}
    press = {m.code: m.value_type for m in Form.objects.get(code="press_item").measures.all()}
    assert press["outlet"] == "text" and press["link"] == "url"


def test_reseeding_keeps_administrator_edits(alice: User) -> None:
    catalogue_entry_update(alice, "forms", "conference", {"name": "Hội nghị (tên mới)"})
    catalogues_seed()
    assert Form.objects.get(code="conference").name == "Hội nghị (tên mới)"


def test_rename_and_retire_keep_references_and_are_audited(alice: User) -> None:
    measure = FormMeasure.objects.get(form__code="loudspeaker", code="broadcasts")
    client = client_for(alice)
    response = client.patch(
        "/api/catalogues/forms/loudspeaker",
        data=json.dumps({"name": "Loa truyền thanh", "active": False}),
        content_type="application/json",
    )
    assert response.status_code == 200
    measure.refresh_from_db()
    assert measure.form.name == "Loa truyền thanh" and not measure.form.active
    assert "loudspeaker" not in [f["code"] for f in client.get("/api/catalogues/forms").json()]
    assert "loudspeaker" in [f["code"] for f in client.get("/api/catalogues/forms?include_retired=true").json()]
    entry = LogEntry.objects.filter(content_type__model="form", object_pk=str(measure.form.pk)).latest("timestamp")
    assert entry.actor == alice
    assert entry.changes_dict["name"] == ["Phát thanh trên loa truyền thanh cơ sở", "Loa truyền thanh"]
    assert entry.changes_dict["active"] == ["True", "False"]


def test_entries_cannot_be_deleted_through_the_api(alice: User) -> None:
    response = client_for(alice).delete("/api/catalogues/forms/conference")
    assert response.status_code == 405
    assert Form.objects.filter(code="conference").exists()


def test_bad_code_is_refused(alice: User) -> None:
    response = client_for(alice).post(
        "/api/catalogues/topics", data=json.dumps({"code": "chủ đề", "name": "X"}), content_type="application/json"
    )
    assert response.status_code == 400 and "không hợp lệ" in response.json()["detail"]
