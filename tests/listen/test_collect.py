"""Collection against recorded feeds and pages served on 127.0.0.1: each failure is handled, reported on its
source, backed off, and never stops the other sources; nothing found is lost."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from loa.listen import classifying
from loa.listen.cli_collect import collect_app
from loa.listen.collect.http import FetchError, Limits, fetch
from loa.listen.collect.runner import backoff, fetch_due, fetch_source
from loa.listen.models import FetchLog, Health, Item, Source, SourceKind
from loa.listen.store import items_classify_pending, items_store
from tests.listen import served
from tests.listen.fakes import FAKE_PATH, BrokenClassifier, KeywordClassifier

pytestmark = pytest.mark.django_db
web = served.web
QUICK = Limits(timeout=0.5, max_bytes=1024 * 1024, max_redirects=5)


@pytest.fixture(autouse=True)
def _fake_classifier(settings: Any) -> None:
    settings.LISTEN_CLASSIFIER = FAKE_PATH
    classifying.clear_cache()


def _source(name: str, url: str, kind: str = SourceKind.RSS, **extra: object) -> Source:
    return Source.objects.create(name=name, kind=kind, url=url, **extra)


def _health(source: Source) -> Source:
    source.refresh_from_db()
    return source


# --- conditional requests -----------------------------------------------------------------------------------


def test_feed_is_stored_classified_and_the_second_fetch_is_a_304(web: served.Web) -> None:
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml; charset=utf-8", etag='"v1"')
    source = _source("Báo Mẫu", web.url("/feed.xml"))

    first = fetch_source(source)

    assert (first.health, first.created, first.found) == (Health.OK, 3, 3)
    late = Item.objects.get(ext_id="bm-0001")
    assert late.title.startswith("Tỉnh Nghệ An chi trả trợ cấp thất nghiệp chậm")
    assert "bảo hiểm thất nghiệp" in late.summary and "<b>" not in late.summary
    assert late.published == dt.datetime(2025, 10, 6, 1, 30, tzinfo=dt.UTC)
    assert (late.relevant, late.tone, late.topics, late.provinces) == (
        True, "negative", ["unemployment_insurance"], ["Nghệ An"])  # fmt: skip
    assert late.classified_at is not None
    fuel = Item.objects.get(ext_id="bm-0003")
    assert fuel.relevant is False and fuel.tone == ""
    assert _health(source).etag == '"v1"' and source.items_seen == 3

    second = fetch_source(source)

    assert second.health == Health.NOT_MODIFIED and second.http_status == 304
    assert web.headers_of("/feed.xml")[-1].get("If-None-Match") == '"v1"'
    assert Item.objects.count() == 3
    assert list(FetchLog.objects.filter(source=source).values_list("health", flat=True)) == [
        Health.NOT_MODIFIED, Health.OK]  # fmt: skip
    assert _health(source).health == Health.NOT_MODIFIED and source.consecutive_failures == 0


def test_last_modified_is_sent_back_as_if_modified_since(web: served.Web) -> None:
    stamp = "Mon, 06 Oct 2025 10:00:00 GMT"
    web.static("/lm.xml", web.fixture("feed_ok.xml"), "application/rss+xml", last_modified=stamp)
    source = _source("Báo LM", web.url("/lm.xml"))
    assert fetch_source(source).created == 3
    assert fetch_source(source).health == Health.NOT_MODIFIED
    assert web.headers_of("/lm.xml")[-1].get("If-Modified-Since") == stamp


def test_a_changed_feed_brings_only_the_new_items(web: served.Web) -> None:
    body = web.fixture("feed_ok.xml")
    web.static("/f.xml", body, "application/rss+xml", etag='"a"')
    source = _source("Báo Đổi", web.url("/f.xml"))
    fetch_source(source)
    extra = f"<item><title>Tin mới về bảo hiểm y tế</title><link>{web.url('/articles/moi.html')}</link>"
    extra += "<description>Nội dung mới.</description></item>\n</channel>"
    web.static("/f.xml", body.replace(b"</channel>", extra.encode()), "application/rss+xml", etag='"b"')
    outcome = fetch_source(source)
    assert (outcome.created, outcome.duplicates) == (1, 3)
    assert _health(source).etag == '"b"'


# --- malformed, wrong encodings, not a feed -----------------------------------------------------------------


def test_malformed_xml_is_recovered_and_reported(web: served.Web) -> None:
    web.static("/bad.xml", web.fixture("feed_malformed.xml"), "application/rss+xml")
    source = _source("Báo Lỗi", web.url("/bad.xml"))
    outcome = fetch_source(source)
    assert outcome.health == Health.WARNING and outcome.created == 2
    titles = set(Item.objects.values_list("title", flat=True))
    assert titles == {"Bảo hiểm y tế học sinh & sinh viên năm học mới", "Lương hưu tháng này được chi trả sớm"}
    assert "XML" in _health(source).last_warning and source.consecutive_failures == 0


def test_something_that_is_not_a_feed_is_an_error_with_backoff(web: served.Web) -> None:
    web.static("/maintenance", web.fixture("not_a_feed.html"), "text/html; charset=utf-8")
    source = _source("Báo Bảo Trì", web.url("/maintenance"), interval_minutes=30)
    before = timezone.now()
    outcome = fetch_source(source)
    assert outcome.health == Health.ERROR and Item.objects.count() == 0
    _health(source)
    assert source.consecutive_failures == 1 and "RSS" in source.last_error
    assert source.next_fetch_at is not None and source.next_fetch_at >= before + dt.timedelta(minutes=60)
    assert source.etag == ""  # an unreadable answer is fetched again in full next time


def test_windows_1258_declared_as_utf8_is_read_correctly(web: served.Web) -> None:
    text = web.fixture("feed_vi_template.xml").decode("utf-8")
    web.static("/cu.xml", served.cp1258_bytes(text), "application/rss+xml; charset=utf-8")
    source = _source("Báo Cũ", web.url("/cu.xml"))
    outcome = fetch_source(source)
    item = Item.objects.get()
    assert item.title == "Người dân Hà Tĩnh được hướng dẫn đóng bảo hiểm xã hội tự nguyện"
    assert item.summary.startswith("Cán bộ bưu điện đến từng thôn")
    assert outcome.health == Health.WARNING and "cp1258" in _health(source).last_warning
    assert item.provinces == ["Hà Tĩnh"]


def test_utf8_declared_as_latin1_is_read_as_utf8(web: served.Web) -> None:
    body = web.fixture("feed_vi_template.xml").replace(b'encoding="utf-8"', b'encoding="iso-8859-1"')
    web.static("/latin.xml", body, "application/rss+xml")
    source = _source("Báo Khai Sai", web.url("/latin.xml"))
    fetch_source(source)
    assert Item.objects.get().title == "Người dân Hà Tĩnh được hướng dẫn đóng bảo hiểm xã hội tự nguyện"
    assert "UTF-8" in _health(source).last_warning


# --- redirects, size, errors, timeouts ------------------------------------------------------------------------


def test_redirects_are_followed_and_a_loop_is_reported(web: served.Web) -> None:
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml")
    web.redirect("/moved", "/feed.xml", 301)
    web.redirect("/loop-a", "/loop-b")
    web.redirect("/loop-b", "/loop-a")
    moved = _source("Báo Chuyển", web.url("/moved"))
    loop = _source("Báo Vòng", web.url("/loop-a"))
    assert fetch_source(moved).created == 3
    outcome = fetch_source(loop, limits=QUICK)
    assert outcome.health == Health.ERROR
    assert "Vòng lặp chuyển hướng" in _health(loop).last_error and "/loop-b" in loop.last_error
    assert len(web.headers_of("/loop-a")) == 1  # detected, not retried until a redirect limit


def test_a_30_mb_page_is_cut_off_without_reading_it_all(web: served.Web) -> None:
    head = web.fixture("article.html").replace(b"</body></html>", b"")
    web.huge("/huge.html", head, 30 * 1024 * 1024)
    started = time.monotonic()
    result = fetch(web.url("/huge.html"), limits=QUICK)
    assert result.truncated and len(result.body) == QUICK.max_bytes
    source = _source("Trang khổng lồ", web.url("/huge.html"), kind=SourceKind.PAGE)
    outcome = fetch_source(source, limits=QUICK)
    assert time.monotonic() - started < 20
    assert outcome.health == Health.WARNING and "lớn hơn 1 MB" in _health(source).last_warning
    item = Item.objects.get()  # the article at the top of the page is kept
    assert "Trung tâm dịch vụ việc làm" in item.text
    time.sleep(0.2)
    assert web.sent["/huge.html"] < 16 * 1024 * 1024  # stopped long before 30 MB (socket buffers hold a few)


def test_500_timeout_and_loop_never_stop_the_other_sources(web: served.Web) -> None:
    web.status("/down", 500)
    web.slow("/slow", 3.0)
    web.redirect("/loop", "/loop")
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml")
    down = _source("A lỗi 500", web.url("/down"))
    slow = _source("B chậm", web.url("/slow"))
    loop = _source("C vòng lặp", web.url("/loop"))
    good = _source("D tốt", web.url("/feed.xml"))

    outcomes = {o.source_id: o for o in fetch_due(limits=QUICK)}

    assert set(outcomes) == {down.pk, slow.pk, loop.pk, good.pk}
    assert outcomes[good.pk].health == Health.OK and Item.objects.filter(source=good).count() == 3
    assert "HTTP 500" in _health(down).last_error and outcomes[down.pk].http_status == 500
    assert "Hết thời gian chờ" in _health(slow).last_error
    assert "Vòng lặp" in _health(loop).last_error
    for failed in (down, slow, loop):
        assert failed.health == Health.ERROR and failed.consecutive_failures == 1
    assert FetchLog.objects.filter(health=Health.ERROR).count() == 3
    assert fetch_due(limits=QUICK) == []  # all backed off or fetched: nothing due now


def test_backoff_doubles_and_respects_retry_after(web: served.Web) -> None:
    web.status("/down", 500)
    web.status("/busy", 503, {"Retry-After": "7200"})
    down = _source("Lỗi mãi", web.url("/down"), interval_minutes=10)
    busy = _source("Quá tải", web.url("/busy"), interval_minutes=10)
    gaps = []
    for _ in range(3):
        fetch_source(down)
        _health(down)
        assert down.next_fetch_at and down.last_fetch_at
        gaps.append(round((down.next_fetch_at - down.last_fetch_at).total_seconds() / 60))
    assert gaps == [20, 40, 80] and down.consecutive_failures == 3
    assert backoff(10, 30) == dt.timedelta(hours=12)  # capped
    fetch_source(busy)
    _health(busy)
    assert busy.next_fetch_at and busy.last_fetch_at
    assert busy.next_fetch_at - busy.last_fetch_at >= dt.timedelta(hours=2)
    web.static("/down", web.fixture("feed_ok.xml"), "application/rss+xml")
    fetch_source(down)
    assert _health(down).consecutive_failures == 0 and down.last_error == "" and down.health == Health.OK


def test_http_errors_are_fetch_errors_with_vietnamese_messages(web: served.Web) -> None:
    web.status("/gone", 404)
    with pytest.raises(FetchError) as gone:
        fetch(web.url("/gone"), limits=QUICK)
    assert gone.value.http_status == 404 and "HTTP 404" in gone.value.message
    with pytest.raises(FetchError) as bad:
        fetch("ftp://127.0.0.1/x", limits=QUICK)
    assert "http(s)" in bad.value.message


# --- pages --------------------------------------------------------------------------------------------------


def test_feed_items_get_their_article_text_and_a_failing_page_keeps_the_summary(web: served.Web) -> None:
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml")
    web.static("/articles/tro-cap-cham.html?utm_source=rss&utm_medium=feed", web.fixture("article.html"), "text/html")
    web.status("/articles/vssid.html", 500)
    web.static("/articles/xang-dau.html", b"<html><body><p>ok</p></body></html>", "text/html")
    source = _source("Báo Toàn Văn", web.url("/feed.xml"), fetch_pages=True)
    outcome = fetch_source(source)
    assert outcome.created == 3 and outcome.health == Health.WARNING
    article = Item.objects.get(ext_id="bm-0001")
    assert "Trung tâm dịch vụ việc làm cho biết" in article.text
    assert "Cơ quan bảo hiểm xã hội tỉnh" in article.text
    for noise in ("tracking", "Trang chủ", "Tin liên quan", "Bản quyền", "Ảnh minh họa"):
        assert noise not in article.text
    vssid = Item.objects.get(ext_id="bm-0002")
    assert vssid.text == "" and vssid.summary.startswith("Cơ quan bảo hiểm xã hội hướng dẫn")
    assert "vssid.html" in _health(source).last_warning and "HTTP 500" in source.last_warning


def test_a_listing_page_yields_its_headline_links(web: served.Web) -> None:
    web.static("/tin/", web.fixture("listing.html"), "text/html; charset=utf-8", etag='"l1"')
    source = _source("Cổng mẫu", web.url("/tin/"), kind=SourceKind.PAGE)
    outcome = fetch_source(source)
    assert outcome.health == Health.OK and outcome.created == 3
    urls = set(Item.objects.values_list("url", flat=True))
    assert urls == {web.url("/tin/hoi-nghi-tap-huan.html"), web.url("/tin/ra-quan-bhyt.html"),
                    web.url("/tin/doi-thoai.html")}  # fmt: skip
    assert fetch_source(source).health == Health.NOT_MODIFIED


def test_a_listing_page_with_full_text_takes_summary_and_time_from_the_article(web: served.Web) -> None:
    web.static("/tin/", web.fixture("listing.html"), "text/html; charset=utf-8")
    web.static("/tin/hoi-nghi-tap-huan.html", web.fixture("article.html"), "text/html; charset=utf-8")
    source = _source("Cổng toàn văn", web.url("/tin/"), kind=SourceKind.PAGE, fetch_pages=True)
    outcome = fetch_source(source)
    assert outcome.created == 3 and outcome.health == Health.WARNING  # two article pages answer 404
    item = Item.objects.get(url=web.url("/tin/hoi-nghi-tap-huan.html"))
    assert item.title == "Hội nghị tập huấn chính sách bảo hiểm xã hội cho đại lý thu"  # the headline on the list
    assert item.summary == "Người lao động phản ánh chậm nhận trợ cấp."
    assert item.published == dt.datetime(2025, 10, 6, 1, 30, tzinfo=dt.UTC) and "Trung tâm dịch vụ" in item.text
    assert Item.objects.get(url=web.url("/tin/ra-quan-bhyt.html")).text == ""
    assert "HTTP 404" in _health(source).last_warning


def test_an_article_page_source_is_stored_as_one_item(web: served.Web) -> None:
    web.static("/bai.html", web.fixture("article.html"), "text/html")  # its links are menus and asides: no listing
    source = _source("Một bài", web.url("/bai.html"), kind=SourceKind.PAGE)
    fetch_source(source)
    item = Item.objects.get()
    assert item.title == "Tỉnh Nghệ An chi trả trợ cấp thất nghiệp chậm cho người lao động"
    assert item.published == dt.datetime(2025, 10, 6, 1, 30, tzinfo=dt.UTC)
    assert item.text.startswith("Nhiều người lao động phản ánh")


# --- the classifier: missing or broken never loses items ---------------------------------------------------


def test_a_broken_or_missing_classifier_stores_items_unclassified(web: served.Web, settings: Any) -> None:
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml")
    source = _source("Báo Mẫu", web.url("/feed.xml"))
    outcome = fetch_source(source, classifier=BrokenClassifier())
    assert outcome.created == 3 and outcome.health == Health.WARNING
    assert "mô hình hỏng" in _health(source).last_warning
    assert not Item.objects.filter(classified_at__isnull=False).exists()
    settings.LISTEN_CLASSIFIER = "tests.listen.fakes.load_missing"
    from loa.listen.candidate import Candidate

    report = items_store(source, [Candidate(url="https://x.test/1", title="Tin bảo hiểm xã hội")])
    assert report.created == 1 and report.unclassified == 1 and "bộ phân loại" in report.warnings[0]

    assert items_classify_pending(classifier=KeywordClassifier()) == 4  # later, when it works again
    late = Item.objects.get(ext_id="bm-0001")
    assert late.classified_at is not None and late.tone == "negative"
    assert set(late.tags.values_list("kind", "value")) == {("topic", "unemployment_insurance"), ("province", "Nghệ An")}
    assert items_classify_pending(classifier=KeywordClassifier()) == 0


# --- schedule, claim, CLI -----------------------------------------------------------------------------------


def test_only_due_active_sources_are_fetched(web: served.Web) -> None:
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml")
    later = _source("Chưa đến hạn", web.url("/feed.xml"), next_fetch_at=timezone.now() + dt.timedelta(hours=1))
    paused = _source("Tạm dừng", web.url("/feed.xml"), active=False)
    social = _source("Fanpage", "", kind=SourceKind.SOCIAL_IMPORT)
    archive = _source("Báo trong tệp xuất", "")  # made by a backfill: nothing to fetch, not an error
    due = _source("Đến hạn", web.url("/feed.xml"), next_fetch_at=timezone.now() - dt.timedelta(minutes=1))
    assert [o.source_id for o in fetch_due()] == [due.pk]
    assert _health(later).last_fetch_at is None and _health(paused).last_fetch_at is None
    assert _health(social).health == Health.NEW and _health(archive).health == Health.NEW


def test_the_next_run_waits_for_the_next_due_source_not_for_sources_without_address() -> None:
    from loa.listen.tasks import MAX_GAP, next_run_at

    now = timezone.now()
    _source("Báo trong tệp xuất", "")  # never fetched: must not make the collector run every minute
    assert next_run_at(now) == now + MAX_GAP
    _source("Báo", "https://bao.test/rss", next_fetch_at=now + dt.timedelta(minutes=10))
    assert next_run_at(now) == now + dt.timedelta(minutes=10)


def test_schedule_keeps_one_pending_run() -> None:
    from django_tasks_db.models import DBTaskResult

    from loa.listen.tasks import fetch_due_task, schedule_next

    assert schedule_next() is not None
    assert schedule_next() is None
    assert DBTaskResult.objects.filter(task_path=fetch_due_task.module_path, status="READY").count() == 1


def test_cli_fetch_one_source_and_list_health(web: served.Web) -> None:
    web.static("/feed.xml", web.fixture("feed_ok.xml"), "application/rss+xml")
    web.status("/down", 500)
    good = _source("Báo Tốt", web.url("/feed.xml"), next_fetch_at=timezone.now() + dt.timedelta(hours=1))
    bad = _source("Báo Hỏng", web.url("/down"))
    runner = CliRunner()
    result = runner.invoke(collect_app, ["fetch", "--source", str(good.pk), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["created"] == 3
    failed = runner.invoke(collect_app, ["fetch", "--source", str(bad.pk)])
    assert failed.exit_code == 1 and "HTTP 500" in failed.output
    listing = runner.invoke(collect_app, ["sources"])
    assert "Báo Hỏng" in listing.output and "HTTP 500" in listing.output
