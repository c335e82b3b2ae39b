"""The rest of the editor's loop: agent suggestions, retraining without downtime, what people ask."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from loa.answer.assistant import assistant_ask
from loa.answer.models import EngineVersion
from loa.answer.serving import current_engine
from loa.people.models import User
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_agent_gets_a_suggestion_with_citations(olivia: User) -> None:
    response = client_for(olivia).post(
        "/api/answer/suggest",
        data=json.dumps({"question": "Điều kiện hưởng lương hưu khi nghỉ việc?"}),
        content_type="application/json",
    )
    data = response.json()
    assert response.status_code == 200 and data["citations"]
    assert data["decision"] in ("answer", "legal_basis") and data["answer"]
    assert "Gợi ý" in client_for(olivia).get(reverse("answer:agent")).content.decode()


def test_retrain_publishes_a_new_version_and_serving_switches(alice: User) -> None:
    before = current_engine()
    response = client_for(alice).post("/api/answer/retrain")
    assert response.status_code == 200
    version = EngineVersion.objects.get(pk=response.json()["version"])
    assert version.ready and version.entries >= 300
    after = current_engine()
    assert after is not before  # the process swapped to the new engine; no restart
    assert after.ask("mức đóng bảo hiểm xã hội tự nguyện").citations


def test_analytics_counts_questions_by_topic(alice: User) -> None:
    assistant_ask("muc dong bhxh tu nguyen la bao nhieu", channel="web")
    assistant_ask("cho tôi tra cứu quá trình đóng bảo hiểm xã hội của tôi", channel="web")
    page = client_for(alice).get(reverse("answer:analytics")).content.decode()
    assert "handover" in page


def test_an_engine_file_from_an_older_loa_is_rebuilt_not_served(tmp_path: object) -> None:
    import pickle
    from pathlib import Path

    from loa.answer.serving import reset_cache

    stale = Path(str(tmp_path)) / "engine-old.pkl"
    stale.write_bytes(pickle.dumps({"format": 1}))  # what an upgrade leaves on disk
    EngineVersion.objects.create(path=str(stale), entries=1, ready=True)
    reset_cache()
    engine = current_engine()
    assert engine.ask("mức đóng bảo hiểm xã hội tự nguyện").citations
    assert EngineVersion.objects.filter(ready=True).order_by("-created_at").first().path != str(stale)
