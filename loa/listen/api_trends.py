"""Listen API: trend series (volume and negative share by hour or day, per topic or province) with a short-term
forecast. Read-only; every signed-in user reads it (listen data is national)."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from loa.core.api import actor
from loa.core.errors import ValidationFailed
from loa.listen import trends_db
from loa.listen.alerts import key_label
from loa.listen.forecast import forecast
from loa.listen.trends import BaselineConfig

router = Router(tags=["Theo dõi báo chí"])
MAX_DAYS = 400
MAX_HOURLY_DAYS = 400


class TrendsQuery(Schema):
    by: str = Field(default="topic", description="topic, province hoặc all")
    step: str = Field(default="day", description="hour hoặc day")
    topic: str | None = Field(default=None, description="Chỉ chủ đề này (mã, ví dụ unemployment_insurance)")
    province: str | None = Field(default=None, description="Chỉ tin nhắc đến tỉnh/thành này")
    date_from: dt.date | None = Field(default=None, alias="from", description="Ngày đầu (mặc định 30 ngày trước)")
    date_to: dt.date | None = Field(default=None, alias="to", description="Ngày cuối, tính cả ngày này")
    horizon_hours: int = Field(default=72, ge=0, le=168, description="Dự báo bao nhiêu giờ tới (0: không dự báo)")


class SeriesOut(Schema):
    key: str
    label: str
    volume: list[int]
    negative: list[int]
    negative_share: list[float | None]


class TrendsOut(Schema):
    step: str
    start: dt.datetime
    buckets: list[dt.datetime]
    series: list[SeriesOut]
    forecast: list[dict[str, Any]] = Field(
        description="Dự báo theo từng khóa: theo giờ, theo ngày, tổng, tỉ lệ tiêu cực"
    )


def _period(params: TrendsQuery) -> tuple[dt.datetime, dt.datetime]:
    today = dt.datetime.now(trends_db.LOCAL).date()
    day_to = params.date_to or today
    day_from = params.date_from or day_to - dt.timedelta(days=29)
    if day_from > day_to:
        raise ValidationFailed(_("Ngày đầu phải trước ngày cuối."), field="from")
    if (day_to - day_from).days + 1 > MAX_DAYS:
        raise ValidationFailed(_("Khoảng thời gian tối đa %(n)d ngày.") % {"n": MAX_DAYS}, field="from")
    since = dt.datetime.combine(day_from, dt.time(), trends_db.LOCAL)
    return since, dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(), trends_db.LOCAL)


def _share(values: list[float]) -> list[float | None]:
    return [None if math.isnan(v) else round(v, 4) for v in values]


@router.get("/trends", response=TrendsOut, summary="Xu hướng: số tin và tỉ lệ tiêu cực theo giờ/ngày, kèm dự báo")
def trends(request: HttpRequest, params: Query[TrendsQuery]) -> dict[str, Any]:
    user = actor(request)
    if params.by not in ("topic", "province", "all"):
        raise ValidationFailed(_("Chiều thống kê phải là topic, province hoặc all."), field="by")
    if params.step not in trends_db.STEPS:
        raise ValidationFailed(_("Bước thời gian phải là hour hoặc day."), field="step")
    since, until = _period(params)
    table = trends_db.trend_query(
        user, since=since, until=until, topic=params.topic, province=params.province, step=params.step, by=params.by
    )
    shares = table.negative_share()
    series = [
        {
            "key": key,
            "label": key_label(key) if key != "*" else _("Tất cả"),
            "volume": table.volume[i].tolist(),
            "negative": table.negative[i].tolist(),
            "negative_share": _share(shares[i].tolist()),
        }
        for i, key in enumerate(table.keys)
    ]
    return {
        "step": params.step,
        "start": table.start,
        "buckets": table.bucket_starts(),
        "series": series,
        "forecast": _forecasts(params, table.keys, until) if params.horizon_hours else [],
    }


def _forecasts(params: TrendsQuery, keys: list[str], until: dt.datetime) -> list[dict[str, Any]]:
    """Forecast from the end of the period, from the weeks before it (the series' keys only)."""
    now = min(until, dt.datetime.now(trends_db.LOCAL))
    config = BaselineConfig()
    since = now - dt.timedelta(weeks=config.weeks)
    cols = trends_db.columns_between(since, now)
    if not len(cols):
        return []
    by = "all" if params.by == "all" else params.by
    found = forecast(cols, now=now, by=by, horizon_hours=params.horizon_hours, config=config,
                     feed_times=trends_db.feed_times_between(since, now))  # fmt: skip
    return [found[k].as_dict() for k in keys if k in found]
