"""The daily briefing: a day's top stories, the negative items that still need a response, and volume and tone by
topic and province — as a page (server-side SVG charts) and as a PDF to send. Set-based: a handful of aggregate
queries whatever the day's volume.

Listen data is national (selectors.py), so every signed-in user reads the same briefing.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, CharField, Count, F, Q, QuerySet, When
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF

from loa.dashboards import charts
from loa.dashboards.printing import FONT_DIR, INT, PCT, TEXT, Section, _pdf_table, _ReportPDF
from loa.listen.models import Item, ItemTag, Story, TagKind, Tone
from loa.listen.responses import assignments_by_item, needs_response
from loa.people.models import User

TZ = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
TOP_STORIES = 10
NEGATIVE_LIMIT = 100


def topic_labels() -> dict[str, str]:
    return {
        "pension_and_retirement": _("Lương hưu, nghỉ hưu"),
        "one_time_withdrawal": _("Rút BHXH một lần"),
        "voluntary_social_insurance": _("BHXH tự nguyện"),
        "compulsory_contributions_and_evasion": _("Đóng BHXH bắt buộc, trốn đóng"),
        "health_insurance_benefits_and_hospitals": _("Quyền lợi BHYT, bệnh viện"),
        "health_insurance_cards_and_enrollment": _("Thẻ BHYT, tham gia BHYT"),
        "unemployment_insurance": _("Bảo hiểm thất nghiệp"),
        "maternity_sickness_and_other_benefits": _("Thai sản, ốm đau và chế độ khác"),
        "digital_services_vssid": _("Dịch vụ số, VssID"),
        "fund_fraud_and_profiteering": _("Trục lợi quỹ"),
        "law_and_policy_changes": _("Luật, chính sách mới"),
        "agency_news_and_communication": _("Tin ngành, truyền thông"),
        "other": _("Khác"),
    }


@dataclass
class Breakdown:
    """Counts per topic or province: total and by tone."""

    rows: list[dict[str, Any]] = field(default_factory=list)

    def volume(self) -> list[tuple[str, float]]:
        return [(r["label"], r["total"]) for r in self.rows]

    def negative_share(self) -> list[tuple[str, float]]:
        rows = sorted(self.rows, key=lambda r: (-r["negative_pct"], -r["total"]))
        return [(r["label"], r["negative_pct"]) for r in rows if r["total"]]


@dataclass
class Briefing:
    day: dt.date
    total: int
    tones: dict[str, int]
    hours: list[int]
    stories: list[dict[str, Any]]
    negative: list[dict[str, Any]]
    topics: Breakdown
    provinces: Breakdown


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=TZ)
    return start, start + dt.timedelta(days=1)


def today() -> dt.date:
    return timezone.now().astimezone(TZ).date()


def _relevant() -> Q:
    return Q(label_relevant=True) | Q(label_relevant__isnull=True, relevant=True)


def _eff_tone(prefix: str = "") -> Case:
    """The analyst's tone if corrected, else the classifier's (SQL side of Item.eff_tone)."""
    return Case(
        When(**{f"{prefix}label_tone": ""}, then=F(f"{prefix}tone")),
        default=F(f"{prefix}label_tone"),
        output_field=CharField(),
    )


def _day_items(day: dt.date) -> QuerySet[Item]:
    start, end = day_bounds(day)
    return Item.objects.filter(_relevant(), seen_at__gte=start, seen_at__lt=end)


def _tones(items: QuerySet[Item]) -> dict[str, int]:
    counts = {t: 0 for t in Tone.values}
    grouped = items.order_by().annotate(t=_eff_tone()).values_list("t").annotate(n=Count("id"))
    for tone, n in grouped.values_list("t", "n"):
        if tone in counts:
            counts[tone] += n
    return counts


def _hours(items: QuerySet[Item]) -> list[int]:
    hours = [0] * 24
    grouped = items.order_by().annotate(h=ExtractHour("seen_at", tzinfo=TZ)).values_list("h").annotate(n=Count("id"))
    for hour, n in grouped.values_list("h", "n"):
        hours[int(hour)] = n
    return hours


def _stories(items: QuerySet[Item]) -> list[dict[str, Any]]:
    """The day's stories with the most copies (syndication is the reach we can measure), then most items today."""
    top = (
        Story.objects.filter(items__in=items)
        .annotate(today=Count("items"))
        .order_by("-copies", "-today", "-last_seen")[:TOP_STORIES]
    )
    stories = list(top.select_related("first_item", "first_item__source"))
    return [
        {
            "story": s,
            "item": s.first_item,
            "title": s.title or (s.first_item.title if s.first_item else ""),
            "copies": s.copies,
            "today": s.today,
        }
        for s in stories
    ]


def _negative(items: QuerySet[Item]) -> list[dict[str, Any]]:
    """Negative items not yet assigned or not yet answered, biggest stories first."""
    negative = list(
        items.annotate(t=_eff_tone())
        .filter(t=Tone.NEGATIVE)
        .select_related("source", "story")
        .order_by(F("story__copies").desc(nulls_last=True), "-seen_at", "-id")[: NEGATIVE_LIMIT * 2]
    )
    covering = assignments_by_item(negative)
    rows = []
    for item in negative:
        assignment = covering.get(item.pk)
        if needs_response(assignment):
            rows.append({"item": item, "assignment": assignment})
    return rows[:NEGATIVE_LIMIT]


def _breakdown(items: QuerySet[Item], kind: str, labels: dict[str, str]) -> Breakdown:
    start_end = items.order_by().values("id")
    tags = (
        ItemTag.objects.filter(kind=kind, item_id__in=start_end)
        .annotate(t=_eff_tone("item__"))
        .values_list("key", "value", "t")
        .annotate(n=Count("id"))
    )
    rows: dict[str, dict[str, Any]] = {}
    for key, value, tone, n in tags:
        blank = {"key": key, "label": labels.get(value, value), "total": 0} | dict.fromkeys(Tone.values, 0)
        row = rows.setdefault(key, blank)
        row["total"] += n
        if tone in Tone.values:
            row[tone] += n
    ordered = sorted(rows.values(), key=lambda r: (-r["total"], r["label"]))
    for r in ordered:
        r["negative_pct"] = round(100 * r[Tone.NEGATIVE] / r["total"], 1) if r["total"] else 0.0
    return Breakdown(ordered)


def briefing(actor: User, day: dt.date | None = None) -> Briefing:
    """The briefing of one day (Vietnam time; today by default)."""
    day = day or today()
    items = _day_items(day)
    tones = _tones(items)
    return Briefing(
        day=day,
        total=sum(tones.values()),
        tones=tones,
        hours=_hours(items),
        stories=_stories(items),
        negative=_negative(items),
        topics=_breakdown(items, TagKind.TOPIC, topic_labels()),
        provinces=_breakdown(items, TagKind.PROVINCE, {}),
    )


# --- charts ------------------------------------------------------------------------------------------------


def briefing_charts(b: Briefing) -> dict[str, str]:
    """Server-side SVG (loa/dashboards/charts.py): no JavaScript, prints as it shows."""
    return {
        "hours": charts.month_chart(
            "listen-hours",
            _("Số tin liên quan theo giờ"),
            [f"{h}" for h in range(24)],
            b.hours,
            current_label=_("Số tin"),
        ),
        "tone": charts.hbar_chart(
            "listen-tone", _("Sắc thái"), [(str(label), b.tones[value]) for value, label in Tone.choices]
        ),
        "topic_volume": charts.hbar_chart("listen-topic-volume", _("Số tin theo chủ đề"), b.topics.volume()),
        "topic_negative": charts.hbar_chart(
            "listen-topic-negative", _("Tỉ lệ tin tiêu cực theo chủ đề (%)"), b.topics.negative_share()
        ),
        "province_volume": charts.hbar_chart(
            "listen-province-volume", _("Số tin theo tỉnh, thành"), b.provinces.volume()
        ),
        "province_negative": charts.hbar_chart(
            "listen-province-negative", _("Tỉ lệ tin tiêu cực theo tỉnh, thành (%)"), b.provinces.negative_share()
        ),
    }


# --- PDF ---------------------------------------------------------------------------------------------------


def _breakdown_section(title: str, first: str, b: Breakdown) -> Section:
    section = Section(
        title=title,
        headers=[first, _("Số tin"), _("Tiêu cực"), _("Trung lập"), _("Tích cực"), _("Tỉ lệ tiêu cực (%)")],
        kinds=[TEXT, INT, INT, INT, INT, PCT],
        widths=[34, 12, 12, 12, 12, 14],
    )
    for r in b.rows:
        section.rows.append([r["label"], r["total"], r["negative"], r["neutral"], r["positive"], r["negative_pct"]])
    return section


def pdf_sections(b: Briefing) -> list[Section]:
    stories = Section(
        title=_("Câu chuyện nổi bật"),
        headers=[_("STT"), _("Tiêu đề"), _("Nguồn"), _("Số bản"), _("Tin trong ngày")],
        kinds=[INT, TEXT, TEXT, INT, INT],
        widths=[5, 50, 20, 10, 12],
    )
    for n, s in enumerate(b.stories, start=1):
        source = s["item"].source.name if s["item"] else ""
        stories.rows.append([n, s["title"], source, s["copies"], s["today"]])
    negative = Section(
        title=_("Tin tiêu cực cần phản hồi"),
        headers=[_("STT"), _("Tiêu đề"), _("Nguồn"), _("Đường dẫn"), _("Giao cho"), _("Trạng thái")],
        kinds=[TEXT, TEXT, TEXT, TEXT, TEXT, TEXT],
        widths=[5, 40, 16, 30, 18, 14],
    )
    for n, row in enumerate(b.negative, start=1):
        item, a = row["item"], row["assignment"]
        negative.rows.append(
            [
                str(n),
                item.title or item.summary[:200],
                item.source.name,
                item.url,
                a.unit.name if a else _("Chưa giao"),
                str(a.get_status_display()) if a else "",
            ]
        )
    return [
        stories,
        negative,
        _breakdown_section(_("Theo chủ đề"), _("Chủ đề"), b.topics),
        _breakdown_section(_("Theo tỉnh, thành"), _("Tỉnh, thành"), b.provinces),
    ]


def briefing_pdf(b: Briefing) -> bytes:
    pdf: FPDF = _ReportPDF(orientation="portrait", unit="mm", format="A4")
    title = _("Bản tin báo chí ngày %(d)s") % {"d": f"{b.day:%d/%m/%Y}"}
    pdf.footer_text = title  # type: ignore[attr-defined]
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_title(title)
    pdf.set_creator("Loa")
    pdf.set_margins(15, 12, 15)
    pdf.set_auto_page_break(True, margin=16)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", size=10)
    summary = _("%(n)s tin liên quan: %(neg)s tiêu cực, %(neu)s trung lập, %(pos)s tích cực.") % {
        "n": charts.number(b.total),
        "neg": charts.number(b.tones[Tone.NEGATIVE]),
        "neu": charts.number(b.tones[Tone.NEUTRAL]),
        "pos": charts.number(b.tones[Tone.POSITIVE]),
    }
    pdf.multi_cell(0, 5.5, summary, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for section in pdf_sections(b):
        _pdf_table(pdf, section)
    return bytes(pdf.output())
