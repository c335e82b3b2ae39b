"""Fetch sources, store what they bring, and keep each source's health.

One source's trouble (a malformed feed, a 500, a timeout, a 30 MB page, a redirect loop) is caught here, written
on the source (health, last error, consecutive failures, a FetchLog row) and backed off exponentially; the other
sources are fetched all the same. Items that were found are stored even when some article pages fail.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from loa.listen.candidate import Candidate
from loa.listen.collect.encoding import decode
from loa.listen.collect.feeds import parse_feed
from loa.listen.collect.http import FetchError, FetchResult, Limits, fetch
from loa.listen.collect.pages import extract, headline_links
from loa.listen.dedup import url_hash
from loa.listen.models import FETCHED_KINDS, FetchLog, Health, Source, SourceKind
from loa.listen.store import USE_DEFAULT, StoreReport, bands_prune, existing_hashes, items_store

log = logging.getLogger(__name__)
MAX_BACKOFF = dt.timedelta(hours=12)
LEASE = dt.timedelta(minutes=15)  # a claimed source is not fetched by another worker meanwhile
FETCH_LOG_DAYS = 30
PAGES_PER_RUN = 20  # article pages fetched per source and run (the rest keep the feed's summary)


@dataclass
class Outcome:
    source_id: int
    health: str
    http_status: int | None = None
    found: int = 0
    created: int = 0
    duplicates: int = 0
    grouped: int = 0
    message: str = ""
    warnings: list[str] = field(default_factory=list)
    retry_after: float | None = None
    etag: str | None = None  # set only when the body was read and understood
    last_modified: str | None = None
    duration_ms: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source_id,
            "health": self.health,
            "http_status": self.http_status,
            "found": self.found,
            "created": self.created,
            "duplicates": self.duplicates,
            "grouped": self.grouped,
            "message": self.message,
            "duration_ms": self.duration_ms,
        }


def _stored(outcome: Outcome, report: StoreReport) -> Outcome:
    outcome.found, outcome.created = report.found, report.created
    outcome.duplicates, outcome.grouped = report.duplicates, report.grouped
    outcome.warnings += report.warnings
    return outcome


def _article(url: str, limits: Limits) -> tuple[Candidate | None, str]:
    """An article page as a candidate, or (None, why not)."""
    try:
        result = fetch(url, limits=limits)
    except FetchError as exc:
        return None, _("Không lấy được toàn văn %(u)s: %(e)s") % {"u": url[:200], "e": exc.message}
    page = extract(decode(result.body, result.content_type).text)
    note = ""
    if result.truncated:
        note = _("Trang %(u)s lớn hơn %(m)d MB: chỉ đọc %(m)d MB đầu.") % {
            "u": url[:200],
            "m": limits.max_bytes // (1024 * 1024),
        }
    if not page.text:
        return None, note or _("Không tìm thấy nội dung chính trên trang %(u)s.") % {"u": url[:200]}
    return Candidate(
        url=url, title=page.title, summary=page.description, text=page.text, published=page.published
    ), note


def _enrich(candidates: list[Candidate], limits: Limits, warnings: list[str]) -> None:
    """Full text for new items from their pages (at most PAGES_PER_RUN); failures keep the feed's summary."""
    known = existing_hashes([url_hash(c.url) for c in candidates if c.url])
    todo = [c for c in candidates if c.url and not c.text and url_hash(c.url) not in known][:PAGES_PER_RUN]
    for c in todo:
        page, note = _article(c.url, limits)
        if note:
            warnings.append(note)
        if page is not None:
            c.text = page.text
            c.title = c.title or page.title
            c.summary = c.summary or page.summary
            c.published = c.published or page.published


def _conditional(source: Source, limits: Limits) -> tuple[FetchResult, Outcome]:
    """Fetch with the source's validators; the outcome says NOT_MODIFIED (and is complete) when nothing changed."""
    result = fetch(source.url, etag=source.etag, last_modified=source.last_modified, limits=limits)
    outcome = Outcome(source.pk, Health.OK, http_status=result.status)
    if result.not_modified:
        outcome.health = Health.NOT_MODIFIED
        outcome.etag, outcome.last_modified = result.etag, result.last_modified
    return result, outcome


def _fetch_feed(source: Source, limits: Limits, classifier: Any) -> Outcome:
    result, outcome = _conditional(source, limits)
    if outcome.health == Health.NOT_MODIFIED:
        return outcome
    parsed = parse_feed(result.body, result.content_type, result.url)
    outcome.warnings += parsed.warnings
    if result.truncated:
        outcome.warnings.append(
            _("Nguồn tin lớn hơn %(m)d MB: chỉ đọc phần đầu.") % {"m": limits.max_bytes // (1024 * 1024)}
        )
    if parsed.error:
        raise FetchError(parsed.error, http_status=result.status)
    if source.fetch_pages:
        _enrich(parsed.candidates, limits, outcome.warnings)
    outcome.etag, outcome.last_modified = result.etag, result.last_modified
    return _stored(outcome, items_store(source, parsed.candidates, classifier=classifier))


def _fetch_page(source: Source, limits: Limits, classifier: Any) -> Outcome:
    """A listing page (an agency portal without RSS): its headline links are the items; a page without such
    links is stored as one article."""
    result, outcome = _conditional(source, limits)
    if outcome.health == Health.NOT_MODIFIED:
        return outcome
    decoded = decode(result.body, result.content_type)
    if decoded.note:
        outcome.warnings.append(decoded.note)
    if result.truncated:
        outcome.warnings.append(
            _("Trang lớn hơn %(m)d MB: chỉ đọc %(m)d MB đầu.") % {"m": limits.max_bytes // (1024 * 1024)}
        )
    page = extract(decoded.text)
    links = headline_links(page, result.url)
    if links:
        candidates = [Candidate(url=url, title=text) for url, text in links]
        if source.fetch_pages:
            _enrich(candidates, limits, outcome.warnings)
    elif page.text:
        candidates = [Candidate(result.url, page.title, page.description, page.text, page.published)]
    else:
        raise FetchError(_("Không tìm thấy tin hay nội dung chính trên trang."), http_status=result.status)
    outcome.etag, outcome.last_modified = result.etag, result.last_modified
    return _stored(outcome, items_store(source, candidates, classifier=classifier))


def fetch_source(source: Source, *, classifier: Any = USE_DEFAULT, limits: Limits | None = None) -> Outcome:
    """Fetch one source now, whatever its schedule; never raises."""
    started = time.monotonic()
    limits = limits or Limits()
    try:
        if source.kind not in FETCHED_KINDS:
            raise FetchError(_("Nguồn loại “%(k)s” không lấy tin tự động (nhập tệp hoặc API).") % {"k": source.kind})
        if not source.url:
            raise FetchError(_("Nguồn chưa có địa chỉ."))
        worker = _fetch_page if source.kind == SourceKind.PAGE else _fetch_feed
        outcome = worker(source, limits, classifier)
    except FetchError as exc:
        outcome = Outcome(source.pk, Health.ERROR, exc.http_status, message=exc.message, retry_after=exc.retry_after)
    except Exception as exc:  # anything unforeseen is this source's problem only
        log.exception("listen: fetching source %s failed", source.pk)
        outcome = Outcome(source.pk, Health.ERROR, message=_("Lỗi không lường trước: %(e)s") % {"e": exc})
    if outcome.health == Health.OK and outcome.warnings:
        outcome.health = Health.WARNING
    if not outcome.message and outcome.warnings:
        outcome.message = " ".join(dict.fromkeys(outcome.warnings))[:4000]
    outcome.duration_ms = int((time.monotonic() - started) * 1000)
    record(source, outcome)
    return outcome


def backoff(interval_minutes: int, failures: int, retry_after: float | None = None) -> dt.timedelta:
    """interval × 2^failures, at most MAX_BACKOFF, and never sooner than the server's Retry-After."""
    delay = min(dt.timedelta(minutes=max(1, interval_minutes)) * (2 ** min(failures, 16)), MAX_BACKOFF)
    if retry_after:
        delay = max(delay, dt.timedelta(seconds=min(retry_after, MAX_BACKOFF.total_seconds())))
    return delay


def record(source: Source, outcome: Outcome, now: dt.datetime | None = None) -> None:
    """Write the outcome on the source (queryset update: health is not audited) and in the fetch log."""
    now = now or timezone.now()
    changes: dict[str, Any] = {"health": outcome.health, "last_fetch_at": now}
    if outcome.health == Health.ERROR:
        failures = source.consecutive_failures + 1
        changes |= {"consecutive_failures": failures, "last_error": outcome.message}
        changes["next_fetch_at"] = now + backoff(source.interval_minutes, failures, outcome.retry_after)
    else:
        changes |= {"consecutive_failures": 0, "last_ok_at": now, "last_error": ""}
        changes["last_warning"] = outcome.message if outcome.health == Health.WARNING else ""
        changes["next_fetch_at"] = now + dt.timedelta(minutes=max(1, source.interval_minutes))
    if outcome.etag is not None:
        changes["etag"] = outcome.etag[:500]
    if outcome.last_modified is not None:
        changes["last_modified"] = outcome.last_modified[:100]
    Source.objects.filter(pk=source.pk).update(**changes)
    for name, value in changes.items():
        setattr(source, name, value)
    FetchLog.objects.create(
        source=source,
        started_at=now,
        duration_ms=outcome.duration_ms,
        health=outcome.health,
        http_status=outcome.http_status,
        found=outcome.found,
        created=outcome.created,
        duplicates=outcome.duplicates,
        message=outcome.message[:4000],
    )


def _claim(source: Source, now: dt.datetime) -> bool:
    """Take a due source for this worker (another worker that read it too finds it taken)."""
    qs = Source.objects.filter(pk=source.pk, active=True)
    qs = qs.filter(next_fetch_at__isnull=True) if source.next_fetch_at is None else qs.filter(
        next_fetch_at=source.next_fetch_at)  # fmt: skip
    return qs.update(next_fetch_at=now + LEASE) == 1


def fetchable_sources() -> QuerySet[Source]:
    """Active sources Loa fetches itself; one without an address (filled by a feed export's backfill) is not."""
    return Source.objects.filter(active=True, kind__in=FETCHED_KINDS).exclude(url="")


def due_sources(now: dt.datetime | None = None) -> list[Source]:
    now = now or timezone.now()
    qs = fetchable_sources().filter(Q(next_fetch_at__isnull=True) | Q(next_fetch_at__lte=now))
    return list(qs.order_by(F("next_fetch_at").asc(nulls_first=True), "id"))


def fetch_due(
    *, classifier: Any = USE_DEFAULT, limits: Limits | None = None, sources: list[Source] | None = None
) -> list[Outcome]:
    """Fetch every due source (or the given ones, due or not) one after the other; prune old logs and bands."""
    now = timezone.now()
    outcomes = []
    chosen = due_sources(now) if sources is None else sources
    for source in chosen:
        if sources is None and not _claim(source, now):
            continue
        outcomes.append(fetch_source(source, classifier=classifier, limits=limits))
    FetchLog.objects.filter(started_at__lt=now - dt.timedelta(days=FETCH_LOG_DAYS)).delete()
    bands_prune(now)
    return outcomes
