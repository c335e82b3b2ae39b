"""Deterministic demo ledger: 15 months (09/2024–11/2025, across the 2025 reform) for every province and most
district-level offices, sized by the seeds' national figures for 15 months (2022 + Q1/2023):
~950 launch days, ~204,700 conferences (>3 million attendees), ~39,700 press items, ~49,500 portal posts,
~988,000 social postings, ~1.3 million loudspeaker broadcasts; seasonal peaks, ethnic-language broadcasts in
the provinces that speak them, costs per form. Volumes split by 2020 population."""

from __future__ import annotations

import csv
import datetime as dt
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from loa.activities.models import Activity
from loa.activities.places import ProvinceResolver
from loa.activities.rollup import rollup_rebuild
from loa.catalogues.models import AudienceGroup, Form, Language
from loa.core.bulk import insert_rows
from loa.core.text import fold
from loa.units.models import REFORM_DATE, Level, Unit, UnitLink, Version
from loa.units.seedbuild import SEED_DIR

START, MONTHS = dt.date(2024, 9, 1), 15
# form: (national count of activities in 15 months, units of work per row, attendees per row, cost per row in đồng)
VOLUME = {
    "conference": (102_400, (1, 3), (12, 36), (1_500_000, 12_000_000)),  # quantity = sessions: ~204,700
    "small_group": (60_000, (1, 3), (8, 20), (200_000, 900_000)),
    "launch_day": (950, (1, 1), (150, 900), (10_000_000, 60_000_000)),
    "press_item": (39_700, (1, 1), None, (1_000_000, 8_000_000)),
    "portal_post": (49_500, (1, 1), None, (0, 0)),
    "social_post": (49_400, (10, 30), None, (0, 0)),  # ~988,000 postings
    "loudspeaker": (65_000, (12, 28), None, (60_000, 300_000)),  # ~1.3 million broadcasts
    "printed_matter": (6_000, (500, 5_000), None, (2_000_000, 20_000_000)),
    "tv_radio": (3_000, (1, 4), None, (5_000_000, 40_000_000)),
    "training": (2_500, (1, 1), (20, 120), (5_000_000, 25_000_000)),
}
SEASON = {1: 0.9, 2: 0.6, 3: 1.2, 4: 1.1, 5: 1.0, 6: 1.1, 7: 1.3, 8: 1.0, 9: 1.2, 10: 1.1, 11: 1.0, 12: 1.1}
ETHNIC = {
    "14": "thai",
    "11": "thai",
    "12": "thai",
    "40": "thai",
    "02": "hmong",
    "10": "hmong",
    "15": "dao",
    "66": "ede",
    "64": "jrai",
    "62": "bahnar",
    "67": "mnong",
    "94": "khmer",
    "84": "khmer",
    "91": "khmer",
    "04": "tay",
    "20": "tay",
    "06": "tay",
}
TITLES = {
    "conference": [
        "Hội nghị đối thoại chính sách BHXH tự nguyện tại {place}",
        "Hội nghị tư vấn BHYT hộ gia đình tại {place}",
        "Hội nghị phổ biến Luật BHXH 2024 tại {place}",
    ],
    "small_group": [
        "Truyền thông nhóm nhỏ về BHXH tự nguyện tại {place}",
        "Tư vấn nhóm hộ gia đình tham gia BHYT tại {place}",
    ],
    "launch_day": ["Lễ ra quân tháng cao điểm vận động BHXH, BHYT tại {place}"],
    "press_item": ["Bài viết về thực hiện Luật BHXH 2024 ở {place}", "Phóng sự BHYT học sinh, sinh viên tại {place}"],
    "portal_post": ["Tin hoạt động BHXH {place} trên cổng thông tin"],
    "social_post": ["Chia sẻ bài viết chính sách BHXH, BHYT trên mạng xã hội ({place})"],
    "loudspeaker": ["Phát thanh chính sách BHXH tự nguyện trên loa truyền thanh {place}"],
    "printed_matter": ["In và phát tờ gấp BHXH tự nguyện, BHYT hộ gia đình tại {place}"],
    "tv_radio": ["Chương trình “Dân hỏi, Giám đốc trả lời” trên đài {place}"],
    "training": ["Tập huấn cộng tác viên, đại lý thu tại {place}"],
}


@dataclass
class Office:
    unit: Unit
    province_code: str  # pre-2025 code, for population and languages
    weight: float


def _population() -> dict[str, float]:
    with open(SEED_DIR / "population_2020.csv", encoding="utf-8") as fh:
        return {r["province_code"]: float(r["population_thousand_2020"]) for r in csv.DictReader(fh)}


def _offices(rng: random.Random, version: str) -> list[Office]:
    """Province offices and about 60% of district-level offices, weighted by the old province's population."""
    pop = _population()
    old_code = {
        lk.new.code: lk.old.code
        for lk in UnitLink.objects.filter(old__level=Level.OFFICE, new__level=Level.OFFICE).select_related("old", "new")
    }
    offices = []
    for unit in Unit.objects.filter(level=Level.OFFICE, version=version).exclude(code="BHXHVN").order_by("code"):
        is_province = unit.division_type == "BHXH tỉnh"
        if not is_province and rng.random() > 0.6:
            continue
        code = unit.code if version == Version.PRE2025 else old_code.get(unit.code, unit.code)
        province = (
            code.removeprefix("BHXH-")[:2]
            if is_province
            else (unit.parent.code.removeprefix("BHXH-") if unit.parent else "")
        )
        offices.append(Office(unit, province[:2], 0.0))
    per_province: dict[str, int] = {}
    for o in offices:
        per_province[o.province_code] = per_province.get(o.province_code, 0) + 1
    for o in offices:
        o.weight = pop.get(o.province_code, 500.0) / per_province[o.province_code]
    return offices


def _months() -> Iterator[dt.date]:
    for i in range(MONTHS):
        yield dt.date(START.year + (START.month - 1 + i) // 12, (START.month - 1 + i) % 12 + 1, 1)


def demo_activities(scale: float = 1.0, seed: int = 2025) -> int:
    """Fill the ledger once (skipped if it already has rows); returns the number of rows created."""
    if Activity.objects.exists():
        return 0
    rng = random.Random(seed)
    forms = {f.code: f for f in Form.objects.all()}
    languages = {lang.code: lang for lang in Language.objects.all()}
    audiences = list(AudienceGroup.objects.all())
    resolver = ProvinceResolver()
    by_version = {v: _offices(rng, v) for v in (Version.PRE2025, Version.V2025)}
    total_weight = sum(o.weight for o in by_version[Version.PRE2025]) or 1.0
    created = 0
    with transaction.atomic():
        for month in _months():
            offices = by_version[Version.PRE2025 if month < REFORM_DATE else Version.V2025]
            weight = sum(o.weight for o in offices) or total_weight
            rows = list(_month_rows(rng, month, offices, weight, forms, resolver, scale))
            first_id = fast_insert(rows)
            _links(rng, rows, first_id, languages, audiences)
            created += len(rows)
        _reset_sequence()
        rollup_rebuild()
    with connection.cursor() as cursor:  # fresh statistics, or SQLite plans lists over the wrong index
        cursor.execute("ANALYZE")
    return created


COLUMNS = [
    "unit_id",
    "province_id",
    "province_2025_id",
    "form_id",
    "title",
    "title_folded",
    "start_date",
    "attendees",
    "quantity",
    "measures",
    "signups",
    "cost_vnd",
    "fingerprint",
]


def fast_insert(rows: list[dict[str, Any]]) -> int:
    """Insert plain rows with explicit ids (model instances and bulk_create cost ~4× more at demo and benchmark
    volumes); returns the first id used."""
    start = (Activity.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    now = timezone.now()
    fixed = {"duplicate_confirmed": False, "evidence_url": "", "created_at": now, "updated_at": now}
    insert_rows(Activity, [{"id": start + i} | {c: row[c] for c in COLUMNS} | fixed for i, row in enumerate(rows)])
    return start


def _reset_sequence() -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [Activity])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _month_rows(
    rng: random.Random,
    month: dt.date,
    offices: list[Office],
    weight: float,
    forms: dict[str, Form],
    resolver: ProvinceResolver,
    scale: float,
) -> Iterator[dict[str, Any]]:
    days = (dt.date(month.year + month.month // 12, month.month % 12 + 1, 1) - month).days
    for office in offices:
        share = office.weight / weight * SEASON[month.month] * scale / MONTHS
        province, province_2025 = resolver(office.unit.pk)
        for code, (national, units, people, cost) in VOLUME.items():
            expected = national * share
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            for _i in range(count):
                yield _activity(
                    rng,
                    office,
                    forms[code],
                    code,
                    month + dt.timedelta(days=rng.randrange(days)),
                    units,
                    people,
                    cost,
                    province,
                    province_2025,
                )


def _activity(
    rng: random.Random,
    office: Office,
    form: Form,
    code: str,
    day: dt.date,
    units: tuple[int, int],
    people: tuple[int, int] | None,
    cost: tuple[int, int],
    province: int | None,
    province_2025: int | None,
) -> dict[str, Any]:
    place = office.unit.name.replace("Bảo hiểm xã hội ", "").replace("cơ sở ", "")
    title = rng.choice(TITLES[code]).format(place=place)
    quantity = rng.randint(*units)
    attendees = rng.randint(*people) * (3 if code == "conference" and rng.random() < 0.1 else 1) if people else None
    measures: dict[str, object] = {}
    if code == "loudspeaker":
        measures = {"broadcasts": quantity, "minutes": quantity * rng.randint(5, 15)}
    elif code in ("social_post",):
        measures = {"posts": quantity, "reach": quantity * rng.randint(50, 400)}
    elif code == "printed_matter":
        measures = {"copies": quantity}
    elif code == "tv_radio":
        measures = {"episodes": quantity}
    elif code == "press_item":
        measures = {"outlet": rng.choice(["Báo Nhân Dân", "Báo Lao Động", "Báo tỉnh", "Đài PT-TH tỉnh"])}
    signups = rng.randint(5, 120) if code == "launch_day" else None
    return {
        "unit_id": office.unit.pk,
        "province_id": province,
        "province_2025_id": province_2025,
        "form_id": form.pk,
        "form_code": code,
        "title": title,
        "title_folded": fold(title)[:300],
        "start_date": day,
        "attendees": attendees,
        "quantity": quantity,
        "measures": json.dumps(measures, ensure_ascii=False),
        "signups": signups,
        "cost_vnd": rng.randint(*cost) // 1000 * 1000,
        "ethnic": ETHNIC.get(office.province_code),
        "fingerprint": f"demo:{office.province_code}:{day.isoformat()}:{rng.getrandbits(40):x}",
    }


def _links(
    rng: random.Random,
    rows: list[dict[str, Any]],
    first_id: int,
    languages: dict[str, Language],
    audiences: list[AudienceGroup],
) -> None:
    """Audience groups for direct forms; ethnic languages for broadcasts and small groups where they are spoken."""
    audience_links: list[dict[str, int]] = []
    language_links: list[dict[str, int]] = []
    through_a, through_l = Activity.audiences.through, Activity.languages.through
    for offset, row in enumerate(rows):
        pk, code = first_id + offset, row["form_code"]
        if code in ("conference", "small_group", "launch_day"):
            audience_links.append({"activity_id": pk, "audiencegroup_id": rng.choice(audiences).pk})
        if code in ("loudspeaker", "small_group"):
            ethnic = row["ethnic"] if row["ethnic"] and rng.random() < 0.35 else "vi"
            if ethnic in languages:
                language_links.append({"activity_id": pk, "language_id": languages[ethnic].pk})
    insert_rows(through_a, audience_links)
    insert_rows(through_l, language_links)
