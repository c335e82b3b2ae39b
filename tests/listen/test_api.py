"""Listen API and pages: filters, query expressions, keyset pages, pushes, sources' health, saved queries, label
corrections, and who may do what (everyone reads; the national administrator brings items in)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from loa.core.errors import Forbidden
from loa.listen import classifying
from loa.listen.candidate import Candidate
from loa.listen.collect.runner import Outcome, record
from loa.listen.models import Health, Item, SavedQuery, Source, SourceKind
from loa.listen.queries import compile_query
from loa.listen.services import item_label, social_import
from loa.listen.store import items_store
from loa.people.models import User
from tests.conftest import client_for
from tests.listen.fakes import FAKE_PATH, KeywordClassifier

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).parent / "fixtures"
T0 = dt.datetime(2025, 10, 6, 1, 0, tzinfo=dt.UTC)  # 08:00 in Vietnam
TEXTS = {
    "late": ("Nghệ An chi trả trợ cấp thất nghiệp chậm", "Người lao động phản ánh nhận bảo hiểm thất nghiệp chậm."),
    "vssid": ("Hướng dẫn cài đặt VssID", "Cơ quan bảo hiểm xã hội hướng dẫn tra cứu quá trình đóng trên điện thoại."),
    "fuel": ("Giá xăng dầu giảm nhẹ", "Liên bộ điều chỉnh giá bán lẻ xăng dầu từ chiều nay."),
    "volunteer": ("Người dân Hà Tĩnh đóng bảo hiểm xã hội tự nguyện", "Cán bộ bưu điện tư vấn mức đóng tại thôn."),
    "hanoi": ("Hà Nội: cấp thẻ bảo hiểm y tế chậm", "Phụ huynh phản ánh thẻ BHYT học sinh cấp chậm."),
}
HOURS = {"late": 1, "vssid": 2, "fuel": 3, "volunteer": 25, "hanoi": 49}


@pytest.fixture(autouse=True)
def _fake_classifier(settings: Any) -> None:
    settings.LISTEN_CLASSIFIER = FAKE_PATH
    classifying.clear_cache()


@pytest.fixture
def stored(db: None) -> dict[str, Item]:
    source = Source.objects.create(name="Báo A", kind=SourceKind.RSS, url="https://baoa.test/rss")
    candidates = [
        Candidate(url=f"https://baoa.test/{key}.html", title=t, summary=s, published=T0 + dt.timedelta(hours=h))
        for key, (t, s) in TEXTS.items()
        for h in [HOURS[key]]
    ]
    items_store(source, candidates, classifier=KeywordClassifier())
    return {key: Item.objects.get(url=f"https://baoa.test/{key}.html") for key in TEXTS}


@pytest.fixture
def fanpage(db: None) -> Source:
    return Source.objects.create(name="Fanpage BHXH", kind=SourceKind.SOCIAL_IMPORT)


def _ids(response: Any) -> set[int]:
    assert response.status_code == 200, response.content
    return {i["id"] for i in response.json()["items"]}


def _post(client: Any, url: str, data: object) -> Any:
    return client.post(url, data=json.dumps(data), content_type="application/json")


# --- items ----------------------------------------------------------------------------------------------------


def test_every_role_reads_items(stored: dict[str, Item], alice: User, bob: User, vic: User, hana: User) -> None:
    for user in (alice, bob, vic, hana):
        assert len(_ids(client_for(user).get("/api/listen/items"))) == 5, user.username


def test_item_filters(stored: dict[str, Item], vic: User) -> None:
    client = client_for(vic)
    pk = {k: v.pk for k, v in stored.items()}
    relevant = {pk["late"], pk["vssid"], pk["volunteer"], pk["hanoi"]}
    assert _ids(client.get("/api/listen/items?relevant=true")) == relevant
    assert _ids(client.get("/api/listen/items?relevant=false")) == {pk["fuel"]}
    assert _ids(client.get("/api/listen/items?tone=negative")) == {pk["late"], pk["hanoi"]}
    assert _ids(client.get("/api/listen/items?topic=unemployment_insurance")) == {pk["late"]}
    assert _ids(client.get("/api/listen/items?province=nghe an")) == {pk["late"]}  # accent-free
    assert _ids(client.get("/api/listen/items?province=Hà Tĩnh")) == {pk["volunteer"]}
    assert _ids(client.get("/api/listen/items?from=2025-10-07&to=2025-10-07")) == {pk["volunteer"]}
    assert _ids(client.get("/api/listen/items?from=2025-10-08")) == {pk["hanoi"]}
    row = next(i for i in client.get("/api/listen/items?tone=negative").json()["items"] if i["id"] == pk["late"])
    assert row["topics"] == ["unemployment_insurance"] and row["provinces"] == ["Nghệ An"]
    assert row["source_name"] == "Báo A" and row["story_copies"] == 1 and row["classified"] is True


@pytest.mark.parametrize(
    "expression",
    [
        '"bảo hiểm" NOT "thất nghiệp"',
        "chậm AND (BHYT OR nghe)",
        '"tra cứu đóng"~3',
        "NOT xăng",
        "phản NEAR/2 chậm",
        "bao*",
    ],
)
def test_query_expressions_give_the_same_items_in_the_database_as_in_python(
    stored: dict[str, Item], vic: User, expression: str
) -> None:
    compiled = compile_query(expression)
    expected = {i.pk for i in stored.values() if compiled.matches(f"{i.title} {i.summary} {i.text}")}
    assert expected  # each expression finds something, and not everything
    assert expected != {i.pk for i in stored.values()} or expression == "bao*"
    found = _ids(client_for(vic).get("/api/listen/items", {"q": expression}))
    assert found == expected


def test_keyset_pages_walk_everything_once_newest_first(stored: dict[str, Item], vic: User) -> None:
    client = client_for(vic)
    for params in ({}, {"q": "NOT khong_co_tu_nay"}):
        seen: list[int] = []
        cursor = None
        for _ in range(10):
            page = client.get("/api/listen/items", {"limit": 2, **params, **({"cursor": cursor} if cursor else {})})
            seen += [i["id"] for i in page.json()["items"]]
            cursor = page.json()["next"]
            if not cursor:
                break
        newest_first = [stored[k].pk for k in sorted(TEXTS, key=lambda k: -HOURS[k])]
        assert seen == newest_first, params


def test_a_query_mistake_is_a_400_that_says_where(stored: dict[str, Item], vic: User) -> None:
    response = client_for(vic).get("/api/listen/items", {"q": "(BHXH OR"})
    assert response.status_code == 400
    assert "vị trí" in response.json()["detail"] and response.json()["field"] == "q"
    assert client_for(vic).get("/api/listen/items", {"cursor": "x"}).status_code == 400


# --- saved queries --------------------------------------------------------------------------------------------


def test_saved_queries(stored: dict[str, Item], alice: User, bob: User, olivia: User, vic: User, hana: User) -> None:
    created = _post(client_for(olivia), "/api/listen/queries", {"name": "Thất nghiệp", "expression": '"thất nghiệp"'})
    assert created.status_code == 201 and created.json()["unit"] == "BHXH-40"
    query_id = created.json()["id"]
    assert _post(client_for(vic), "/api/listen/queries", {"name": "x", "expression": "a"}).status_code == 403
    wrong = _post(client_for(olivia), "/api/listen/queries", {"name": "Sai", "expression": 'a "b'})
    assert wrong.status_code == 400 and "vị trí 3" in wrong.json()["detail"]
    twice = _post(client_for(olivia), "/api/listen/queries", {"name": "Thất nghiệp", "expression": "a"})
    assert twice.status_code == 400
    assert not SavedQuery.objects.filter(name="Sai").exists()
    names = {u.username: [q["name"] for q in client_for(u).get("/api/listen/queries").json()] for u in
             (alice, bob, olivia, hana)}  # fmt: skip
    assert names == {"alice": ["Thất nghiệp"], "bob": ["Thất nghiệp"], "olivia": ["Thất nghiệp"], "hana": []}
    assert _ids(client_for(olivia).get("/api/listen/items", {"query": query_id})) == {stored["late"].pk}
    assert client_for(hana).get("/api/listen/items", {"query": query_id}).status_code == 404


# --- pushes and imports ---------------------------------------------------------------------------------------


def test_national_admin_pushes_social_items_with_per_row_errors(fanpage: Source, alice: User) -> None:
    rows = [
        {"id": "c1", "message": "Hỏi về bảo hiểm xã hội tự nguyện ở Nghệ An", "created_time": "2025-10-06 09:00"},
        {"id": "c2", "created_time": "2025-10-06 09:05"},
        {"id": "c3", "message": "Cảm ơn BHXH", "created_time": "hôm qua"},
        {"message": "Không có mã, không có đường dẫn"},
        {"id": "c5", "message": "Thẻ BHYT cấp chậm quá", "type": "comment"},
    ]
    response = _post(client_for(alice), "/api/listen/items", {"source": "Fanpage BHXH", "items": rows})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["duplicates"]) == (2, 0)
    assert [e["row"] for e in body["errors"]] == [2, 3, 4]
    assert body["errors"][0]["message"].startswith("Mục 2: thiếu nội dung")
    assert "hôm qua" in body["errors"][1]["message"]
    first = Item.objects.get(ext_id="c1")
    assert first.kind == "post" and first.published == dt.datetime(2025, 10, 6, 2, 0, tzinfo=dt.UTC)
    assert first.relevant is True and first.provinces == ["Nghệ An"]
    assert Item.objects.get(ext_id="c5").kind == "comment"
    fanpage.refresh_from_db()
    assert fanpage.health == Health.WARNING and "Mục 2" in fanpage.last_warning
    again = _post(client_for(alice), "/api/listen/items", {"source": str(fanpage.pk), "items": rows[:1]})
    assert again.json()["duplicates"] == 1 and again.json()["created"] == 0
    fanpage.refresh_from_db()
    assert fanpage.health == Health.OK and fanpage.items_seen == 2


def test_only_the_national_admin_pushes_and_only_to_social_sources(
    fanpage: Source, bob: User, olivia: User, alice: User
) -> None:
    rows = [{"id": "x", "message": "Bảo hiểm"}]
    for user in (bob, olivia):
        pushed = _post(client_for(user), "/api/listen/items", {"source": "Fanpage BHXH", "items": rows})
        assert pushed.status_code == 403
    Source.objects.create(name="Báo RSS", kind=SourceKind.RSS, url="https://bao.test/rss")
    wrong = _post(client_for(alice), "/api/listen/items", {"source": "Báo RSS", "items": rows})
    assert wrong.status_code == 400 and "mạng xã hội" in wrong.json()["detail"]
    assert _post(client_for(alice), "/api/listen/items", {"source": "Không có", "items": rows}).status_code == 404
    assert not Item.objects.exists()


def test_social_export_files_report_bad_rows_by_number(fanpage: Source, alice: User, olivia: User) -> None:
    report = social_import(alice, fanpage, (FIXTURES / "social.csv").read_bytes(), "social.csv")
    assert report.created == 2
    messages = [e["message"] for e in report.errors]
    assert [e["row"] for e in report.errors] == [3, 4, 7]
    assert messages[0].startswith("Dòng 3: thiếu nội dung")
    assert messages[1].startswith("Dòng 4: thời gian “32/13/2025 10:00” không đọc được")
    assert messages[2].startswith("Dòng 7: loại “reaction” không rõ")
    multi = Item.objects.get(ext_id="c-004")
    assert "mức thấp nhất" in multi.text and multi.published == dt.datetime(2025, 10, 6, 3, 5, tzinfo=dt.UTC)
    assert Item.objects.get(ext_id="c-001").url == "https://social.test/posts/1?comment=c-001"

    from_json = social_import(alice, fanpage, (FIXTURES / "social.json").read_bytes(), "export.json")
    assert from_json.created == 2
    assert [e["message"].split(":")[0] for e in from_json.errors] == ["Mục 2", "Mục 3"]
    assert Item.objects.get(ext_id="p-100").published == dt.datetime.fromtimestamp(1759716000, tz=dt.UTC)
    with pytest.raises(Forbidden):
        social_import(olivia, fanpage, b"id,text\n1,x\n", "a.csv")


# --- sources ----------------------------------------------------------------------------------------------------


def test_sources_with_health_are_read_by_everyone_and_created_nationally(
    alice: User, bob: User, vic: User, db: None
) -> None:
    source = Source.objects.create(name="Báo Hỏng", kind=SourceKind.RSS, url="https://hong.test/rss")
    record(source, Outcome(source.pk, Health.ERROR, 500, message="Máy chủ trả về lỗi HTTP 500."))
    listing = client_for(vic).get("/api/listen/sources").json()
    assert listing[0]["health"] == "error" and listing[0]["consecutive_failures"] == 1
    assert listing[0]["recent"][0]["http_status"] == 500 and "HTTP 500" in listing[0]["last_error"]
    new = {"name": "Báo Mới", "kind": "rss", "url": "https://moi.test/rss.xml", "interval_minutes": 15}
    assert _post(client_for(bob), "/api/listen/sources", new).status_code == 403
    created = _post(client_for(alice), "/api/listen/sources", new)
    assert created.status_code == 201 and created.json()["health"] == "new"
    for bad in ({**new, "name": "báo mới"}, {**new, "name": "X", "kind": "fax"}, {**new, "name": "Y", "url": "moi"}):
        response = _post(client_for(alice), "/api/listen/sources", bad)
        assert response.status_code == 400, bad
    assert Source.objects.count() == 2


# --- label corrections ----------------------------------------------------------------------------------------


def test_an_analysts_correction_wins_is_audited_and_moves_the_filters(
    stored: dict[str, Item], olivia: User, vic: User
) -> None:
    fuel = stored["fuel"]
    item_label(olivia, fuel.pk, relevant=True, tone="negative", topics=["other"], provinces=["Hà Nội"])
    client = client_for(vic)
    assert fuel.pk in _ids(client.get("/api/listen/items?tone=negative"))
    assert fuel.pk in _ids(client.get("/api/listen/items?topic=other"))
    assert fuel.pk in _ids(client.get("/api/listen/items?province=ha noi"))
    fuel.refresh_from_db()
    assert fuel.relevant is False and fuel.label_relevant is True and fuel.labelled_by == olivia
    entry = LogEntry.objects.get_for_object(fuel).get()
    assert "label_tone" in entry.changes_dict and entry.actor == olivia
    item_label(olivia, stored["late"].pk, relevant=False)
    assert stored["late"].pk not in _ids(client.get("/api/listen/items?tone=negative"))
    with pytest.raises(Forbidden):
        item_label(vic, fuel.pk, tone="positive")


# --- pages -------------------------------------------------------------------------------------------------------


def test_items_page_lists_and_explains_a_query_mistake(stored: dict[str, Item], vic: User) -> None:
    client = client_for(vic)
    page = client.get(reverse("listen:items"), {"q": '"thất nghiệp"'}).content.decode()
    assert TEXTS["late"][0] in page and TEXTS["fuel"][0] not in page
    wrong = client.get(reverse("listen:items"), {"q": "BHXH AND"})
    assert wrong.status_code == 200 and "Sau “AND” ở vị trí 6" in wrong.content.decode()
    assert 'id="save-query"' not in page  # viewers cannot save queries


def test_sources_page_shows_health(vic: User, db: None) -> None:
    source = Source.objects.create(name="Báo Chậm", kind=SourceKind.RSS, url="https://cham.test/rss")
    record(source, Outcome(source.pk, Health.ERROR, message="Hết thời gian chờ (15 giây) khi kết nối."))
    page = client_for(vic).get(reverse("listen:sources")).content.decode()
    assert "Báo Chậm" in page and "Hết thời gian chờ" in page and 'data-health="error"' in page


def test_saving_a_query_from_the_page(stored: dict[str, Item], olivia: User, vic: User) -> None:
    page = client_for(olivia).get(reverse("listen:items"), {"q": '"thất nghiệp"'}).content.decode()
    assert 'id="save-query"' in page
    response = client_for(olivia).post(reverse("listen:query_save"), {"name": "TN", "q": '"thất nghiệp"'})
    saved = SavedQuery.objects.get(name="TN")
    assert response.status_code == 302 and response["Location"].endswith(f"?query={saved.pk}")
    bad = client_for(olivia).post(reverse("listen:query_save"), {"name": "Sai", "q": "(a"}, follow=True)
    assert "Thiếu dấu “)”" in bad.content.decode() and not SavedQuery.objects.filter(name="Sai").exists()
    assert client_for(vic).post(reverse("listen:query_save"), {"name": "V", "q": "a"}).status_code == 403
